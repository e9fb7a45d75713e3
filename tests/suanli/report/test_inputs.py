"""The report's input fingerprint: the same inputs give the same fingerprint, any changed input
another (the stamp it is kept in: tests/suanli/publish/test_stamps.py)."""

from __future__ import annotations

import re

import pytest

from suanli.publish.stamps import code_digests
from suanli.report.inputs import inputs_fingerprint, report_code_files

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
