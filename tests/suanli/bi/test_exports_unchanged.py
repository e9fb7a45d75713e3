"""The `exports/marts` asset leaves the files in place when nothing they are made from has
changed (the published marts' content, the exports' code and libraries, the Chinese headers,
the workbook guide's order and descriptions), and writes them again when something has, or
when a file of theirs is gone or altered."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from suanli.publish.exports import WORKBOOK_NAME, inputs_fingerprint
from suanli.publish.exports_asset import EXPORTS_KEY, marts_exports
from suanli.publish.stamps import STAMP, read_stamp
from suanli.settings import docs_url

INPUTS = {
    "marts_content": "published:" + "a" * 64,
    "code": {"publish/exports.py": "1" * 64, "publish/exports_asset.py": "2" * 64},
    "libraries": {"duckdb": "2.0.0", "xlsxwriter": "3.2.9"},
    "column_names": {"fct_index_scores": {"year": "年份", "score": "得分"}},
    "left_out": ["fct_indicator_lineage"],
    "guide": {"order": ["fct_index_scores"], "marts": {}},
}


def make_marts(path: Path) -> Path:
    """A small marts file: a table, a dimension and a view over them."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts")
        connection.execute(
            "create table marts.fct_index_scores as select 'comprehensive_v4' as system_code, "
            "2020 + i % 5 as year, lpad((110000 + 10000 * (i // 5))::varchar, 6, '0') "
            "as unit_code, round(i * 1.25, 4) as score from range(40) t(i)"
        )
        connection.execute(
            "create table marts.dim_province as select * from (values "
            "('110000', '北京市'), ('120000', '天津市'), ('130000', '河北省')) "
            "t(province_code, name_zh)"
        )
        connection.execute(
            "create view marts.latest_scores as select s.*, p.name_zh "
            "from marts.fct_index_scores s left join marts.dim_province p "
            "on p.province_code = s.unit_code where s.year = 2024"
        )
    return path


@pytest.fixture
def materialise_exports(materialise_on_marts):
    """The exports asset on `marts` (SUANLI_EXPORT_DIR set by the caller): its metadata."""

    def run(marts: Path) -> dict:
        key, metadata = materialise_on_marts(marts_exports, marts)
        assert key == EXPORTS_KEY
        return metadata

    return run


def modified(directory: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in directory.rglob("*") if path.is_file()}


@pytest.fixture
def marts(tmp_path: Path) -> Path:
    return make_marts(tmp_path / "published.duckdb")


@pytest.fixture
def out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "exports"
    monkeypatch.setenv("SUANLI_EXPORT_DIR", str(directory))
    return directory


def test_any_changed_input_changes_the_fingerprint() -> None:
    fingerprint = inputs_fingerprint(**INPUTS)
    reordered = {**INPUTS, "code": dict(reversed(INPUTS["code"].items()))}
    assert inputs_fingerprint(**reordered) == fingerprint
    for change in [
        {"marts_content": "published:" + "b" * 64},
        {"code": {**INPUTS["code"], "publish/exports.py": "3" * 64}},
        {"libraries": {**INPUTS["libraries"], "xlsxwriter": "3.2.10"}},
        {"column_names": {"fct_index_scores": {"year": "年度", "score": "得分"}}},
        {"column_names": {**INPUTS["column_names"], "dim_province": {"name_zh": "省份"}}},
        {"left_out": ["fct_indicator_lineage", "fct_score_contributions"]},
        {"guide": {"order": ["dim_province", "fct_index_scores"], "marts": {}}},
    ]:
        assert inputs_fingerprint(**{**INPUTS, **change}) != fingerprint, change
    with pytest.raises(ValueError, match="not identified"):
        inputs_fingerprint(**{**INPUTS, "marts_content": ""})


def test_asset_leaves_the_exports_of_the_same_inputs_as_they_are(
    marts: Path, out: Path, materialise_exports, record_publication
) -> None:
    record_publication(marts, "a" * 64)
    first = materialise_exports(marts)
    assert first["unchanged"] is False
    written = sorted(path.name for path in out.iterdir() if path.name != STAMP)
    marts_files = [f"{mart}.parquet" for mart in ("dim_province", "fct_index_scores")]
    assert written == sorted([*marts_files, "latest_scores.parquet", WORKBOOK_NAME])
    stamp = read_stamp(out)
    assert stamp is not None and sorted(stamp["files"]) == written  # every file it wrote
    assert first["rows"] == {"dim_province": 3, "fct_index_scores": 40, "latest_scores": 8}
    assert first["files"] == {name: (out / name).stat().st_size for name in written}
    # links on the docs server, not file:// URLs
    assert first["url"] == f"{docs_url()}/exports/"
    assert first["workbook_url"] == f"{docs_url()}/exports/{WORKBOOK_NAME}"
    before = modified(out)
    again = materialise_exports(marts)
    assert again["unchanged"] is True
    assert modified(out) == before  # not a file written, the stamp included
    for key in ("directory", "workbook", "url", "workbook_url", "rows", "files", "inputs_sha256"):
        assert again[key] == first[key], key


@pytest.mark.parametrize("published", [True, False], ids=["published", "never-published"])
def test_asset_exports_again_when_the_published_content_changed(
    marts: Path, out: Path, published: bool, materialise_exports, record_publication
) -> None:
    if published:
        record_publication(marts, "a" * 64)
    first = materialise_exports(marts)
    with duckdb.connect(str(marts)) as connection:  # a publication of other scores
        connection.execute("delete from marts.fct_index_scores where year = 2024")
    if published:
        record_publication(marts, "b" * 64)
    again = materialise_exports(marts)
    assert again["unchanged"] is False
    assert again["inputs_sha256"] != first["inputs_sha256"]
    assert again["rows"] == {**first["rows"], "fct_index_scores": 32, "latest_scores": 0}
    with duckdb.connect() as connection:
        parquet = str(out / "fct_index_scores.parquet")
        assert connection.execute(
            "select count(*), count(*) filter (year = 2024) from read_parquet(?)", [parquet]
        ).fetchone() == (32, 0)


def test_a_publication_of_another_content_alone_exports_again(
    marts: Path, out: Path, materialise_exports, record_publication
) -> None:
    record_publication(marts, "a" * 64)
    first = materialise_exports(marts)
    record_publication(marts, "c" * 64)
    again = materialise_exports(marts)
    assert again["unchanged"] is False
    assert again["inputs_sha256"] != first["inputs_sha256"]
    assert materialise_exports(marts)["unchanged"] is True


@pytest.mark.parametrize("damage", ["deleted", "altered"])
def test_asset_exports_again_when_a_file_is_gone_or_altered(
    marts: Path, out: Path, damage: str, materialise_exports
) -> None:
    first = materialise_exports(marts)  # never published: the content is computed
    parquet = out / "dim_province.parquet"
    if damage == "deleted":
        parquet.unlink()
    else:
        parquet.write_bytes(b"not what the export wrote")
    again = materialise_exports(marts)
    assert again["unchanged"] is False
    assert again["inputs_sha256"] == first["inputs_sha256"]
    assert again["files"] == first["files"]
    with duckdb.connect() as connection:
        assert connection.execute(
            "select count(*) from read_parquet(?)", [str(parquet)]
        ).fetchone() == (3,)
    assert materialise_exports(marts)["unchanged"] is True
