"""The report's input fingerprint and its stamp: the same inputs give the same fingerprint, any
changed input another; a stamp vouches only for files that are there with the bytes it
recorded."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from suanli.publish import marts_fingerprint
from suanli.report.inputs import (
    STAMP,
    code_digests,
    current_stamp,
    inputs_fingerprint,
    marts_content,
    read_stamp,
    remove_stamp,
    report_code_files,
    write_stamp,
)

FONT = {
    "family": "Noto Sans CJK SC", "weight": 400, "path": "/fonts/NotoSansCJK-Regular.ttc",
    "size": 20_000_000, "mtime_ns": 1_700_000_000_000_000_000, "face_index": 2,
}  # fmt: skip
INPUTS = {
    "marts_content": "published:" + "a" * 64,
    "code": {"report/build.py": "1" * 64, "report/charts.py": "2" * 64},
    "fonts": [FONT],
    "libraries": {"fonttools": "4.68.0", "matplotlib": "3.11.2"},
    "parameters": {"system": "comprehensive_v4", "year": None},
}


def test_the_same_inputs_give_the_same_fingerprint() -> None:
    fingerprint = inputs_fingerprint(**INPUTS)
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)
    reordered = {
        **INPUTS,
        "code": dict(reversed(INPUTS["code"].items())),
        "libraries": dict(reversed(INPUTS["libraries"].items())),
        "fonts": [dict(reversed(FONT.items()))],
    }
    assert inputs_fingerprint(**reordered) == fingerprint


@pytest.mark.parametrize(
    "change",
    [
        {"marts_content": "published:" + "b" * 64},
        {"marts_content": "computed:" + "a" * 64},
        {"code": {**INPUTS["code"], "report/charts.py": "3" * 64}},
        {"code": {**INPUTS["code"], "report/inputs.py": "4" * 64}},
        {"fonts": [{**FONT, "mtime_ns": FONT["mtime_ns"] + 1}]},
        {"fonts": [{**FONT, "face_index": 3}]},
        {"fonts": [FONT, {**FONT, "weight": 700, "path": "/fonts/NotoSansCJK-Bold.ttc"}]},
        {"libraries": {**INPUTS["libraries"], "matplotlib": "3.11.3"}},
        {"parameters": {"system": "comprehensive_v4", "year": 2024}},
    ],
    ids=[
        "content", "content-source", "code-edited", "code-added", "font-mtime", "font-face",
        "bold-face", "library", "year",
    ],
)  # fmt: skip
def test_any_changed_input_changes_the_fingerprint(change: dict) -> None:
    assert inputs_fingerprint(**{**INPUTS, **change}) != inputs_fingerprint(**INPUTS)


def test_marts_of_unknown_content_are_never_taken_as_unchanged() -> None:
    with pytest.raises(ValueError, match="not identified"):
        inputs_fingerprint(**{**INPUTS, "marts_content": ""})


def test_the_code_is_every_file_of_the_report_package() -> None:
    files = report_code_files()
    names = {path.name for path in files}
    assert {"build.py", "charts.py", "choropleth.py", "inputs.py", "webfont.py"} <= names
    assert not any("__pycache__" in path.parts or path.suffix == ".pyc" for path in files)
    digests = code_digests(files)
    assert "report/build.py" in digests  # relative: the same code elsewhere is the same code
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in digests.values())


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
def report(tmp_path: Path) -> tuple[Path, list[Path]]:
    out = tmp_path / "report"
    files = [out / "index.html", out / "charts" / "a.png", out / "fonts" / "f.woff"]
    for number, path in enumerate(files):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"file %d" % number)
    return out, files


def test_a_stamp_vouches_for_the_report_it_was_written_for(report) -> None:
    out, files = report
    write_stamp(out, "f1", files, {"year": 2025, "top10": "| 排名 |"})
    stamp = current_stamp(out, "f1")
    assert stamp is not None and stamp["details"] == {"year": 2025, "top10": "| 排名 |"}
    assert sorted(stamp["files"]) == ["charts/a.png", "fonts/f.woff", "index.html"]
    assert current_stamp(out, "f2") is None  # other inputs
    # written whole, then renamed: no temporary file is left beside it
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == [STAMP, "index.html"]


def test_a_missing_or_changed_file_voids_the_stamp(report) -> None:
    out, files = report
    write_stamp(out, "f1", files, {})
    files[1].write_bytes(b"another chart")
    assert current_stamp(out, "f1") is None
    write_stamp(out, "f1", files, {})
    files[2].unlink()
    assert current_stamp(out, "f1") is None


def test_an_unreadable_or_foreign_stamp_is_no_stamp(report) -> None:
    out, _ = report
    assert current_stamp(out, "f1") is None  # none yet
    (out / STAMP).write_text("{ half a stamp", encoding="utf-8")
    assert read_stamp(out) is None and current_stamp(out, "f1") is None
    (out / STAMP).write_text(json.dumps({"fingerprint": "f1", "files": {}}), encoding="utf-8")
    assert current_stamp(out, "f1") is None  # no version, no files: vouches for nothing
    remove_stamp(out)
    remove_stamp(out)  # and again: nothing to remove is fine
    assert not (out / STAMP).exists()
