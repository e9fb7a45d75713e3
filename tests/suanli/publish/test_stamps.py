"""Stamps of derived output folders: a document's fingerprint ignores the order of its keys and
follows any change; a stamp vouches only for files that are there with the bytes it recorded;
the marts' content is the one their publication recorded, else computed from the rows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

import suanli
from suanli.publish.marts import marts_fingerprint
from suanli.publish.stamps import (
    STAMP,
    build_unless_current,
    code_digests,
    current_stamp,
    document_fingerprint,
    library_versions,
    marts_content,
    read_stamp,
    remove_stamp,
    write_stamp,
)

DOCUMENT = {
    "marts_content": "published:" + "a" * 64,
    "code": {"publish/exports.py": "1" * 64, "publish/exports_asset.py": "2" * 64},
    "libraries": {"duckdb": "2.0.0", "xlsxwriter": "3.2.9"},
}


def test_a_document_has_one_fingerprint_whatever_the_order_of_its_keys() -> None:
    fingerprint = document_fingerprint(DOCUMENT)
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)
    reordered = {key: value for key, value in reversed(DOCUMENT.items())}
    reordered["code"] = dict(reversed(DOCUMENT["code"].items()))
    assert document_fingerprint(reordered) == fingerprint
    assert document_fingerprint({**DOCUMENT, "libraries": {"duckdb": "2.0.1"}}) != fingerprint
    assert document_fingerprint({**DOCUMENT, "parameters": {"year": None}}) != fingerprint


def test_code_is_named_relative_to_the_package() -> None:
    package = Path(suanli.__file__).resolve().parent
    digests = code_digests([package / "publish" / "stamps.py", package / "report" / "assets.py"])
    # relative: the same code in another checkout is the same code
    assert sorted(digests) == ["publish/stamps.py", "report/assets.py"]
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in digests.values())


def test_library_versions_say_what_is_not_installed() -> None:
    versions = library_versions(["duckdb", "no-such-distribution-of-suanli"])
    assert versions["duckdb"] == duckdb.__version__
    assert versions["no-such-distribution-of-suanli"] == "not installed"


def _marts(path: Path, publication: str | None) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(path))
    connection.execute("create schema marts")
    connection.execute("create table marts.fct_index_scores as select 1 as year, 2.5 as score")
    if publication is not None:
        connection.execute(
            "create table marts._publication as select now() as published_at, 'r' as run_id, "
            "'{}' as tables, '[]' as deliveries, 'r' as built_by_run, "
            f"'{publication}' as content_sha256"
        )
    return connection


def test_the_content_is_the_one_the_publication_recorded(tmp_path: Path) -> None:
    with _marts(tmp_path / "published.duckdb", "c" * 64) as connection:
        assert marts_content(connection) == "published:" + "c" * 64


@pytest.mark.parametrize("publication", [None, ""], ids=["never-published", "not-recorded"])
def test_without_a_recorded_content_it_is_computed_from_the_rows(
    tmp_path: Path, publication: str | None
) -> None:
    with _marts(tmp_path / "published.duckdb", publication) as connection:
        content = marts_content(connection)
        assert content == "computed:" + marts_fingerprint(connection, [])
        connection.execute("update marts.fct_index_scores set score = 2.6")
        assert marts_content(connection) != content


@pytest.fixture
def output(tmp_path: Path) -> tuple[Path, list[Path]]:
    out = tmp_path / "output"
    files = [out / "index.html", out / "charts" / "a.png", out / "fonts" / "f.woff"]
    for number, path in enumerate(files):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"file %d" % number)
    return out, files


def test_a_stamp_vouches_for_the_output_it_was_written_for(output) -> None:
    out, files = output
    write_stamp(out, "f1", files, {"year": 2025, "top10": "| 排名 |"})
    stamp = current_stamp(out, "f1")
    assert stamp is not None and stamp["details"] == {"year": 2025, "top10": "| 排名 |"}
    assert sorted(stamp["files"]) == ["charts/a.png", "fonts/f.woff", "index.html"]
    assert current_stamp(out, "f2") is None  # other inputs
    # written whole, then renamed: no temporary file is left beside it
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == [STAMP, "index.html"]


def test_a_missing_or_changed_file_voids_the_stamp(output) -> None:
    out, files = output
    write_stamp(out, "f1", files, {})
    files[1].write_bytes(b"another chart")
    assert current_stamp(out, "f1") is None
    write_stamp(out, "f1", files, {})
    files[2].unlink()
    assert current_stamp(out, "f1") is None


def test_an_unreadable_or_foreign_stamp_is_no_stamp(output) -> None:
    out, _ = output
    assert current_stamp(out, "f1") is None  # none yet
    assert current_stamp(out / "never-built", "f1") is None  # no folder at all
    (out / STAMP).write_text("{ half a stamp", encoding="utf-8")
    assert read_stamp(out) is None and current_stamp(out, "f1") is None
    (out / STAMP).write_text(json.dumps({"fingerprint": "f1", "files": {}}), encoding="utf-8")
    assert current_stamp(out, "f1") is None  # no version, no files: vouches for nothing
    remove_stamp(out)
    remove_stamp(out)  # and again: nothing to remove is fine
    remove_stamp(out / "never-built")  # nor a folder
    assert not (out / STAMP).exists()


def test_a_folder_is_built_once_per_fingerprint(tmp_path: Path) -> None:
    builds: list[str] = []

    def build() -> tuple[list[Path], dict]:
        builds.append("built")
        page = tmp_path / "page.html"
        page.write_text(f"build {len(builds)}", encoding="utf-8")
        return [page], {"pages": 1}

    assert build_unless_current(tmp_path, "f1", build) == ({"pages": 1}, False)
    assert build_unless_current(tmp_path, "f1", build) == ({"pages": 1}, True)
    assert len(builds) == 1
    assert build_unless_current(tmp_path, "f2", build) == ({"pages": 1}, False)
    assert len(builds) == 2 and read_stamp(tmp_path)["fingerprint"] == "f2"
