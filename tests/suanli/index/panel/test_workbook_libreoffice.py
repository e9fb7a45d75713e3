"""A questionnaire survives LibreOffice Calc: an expert who opens it there, saves it as .ods and
exports it back to .xlsx sends the same sheets, answers, validation and expert block.

Slow lane (marker `slow`, left out of `make check`): it needs the system program soffice
(Debian: libreoffice-calc, installed by `make system-deps`). Missing, it is a skip on a
developer machine and a failure under CI=true.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from suanli.index.panel.responses import fill_questionnaire, read_questionnaire
from suanli.index.panel.scale import SCALE_TEXTS
from suanli.index.panel.workbook import write_questionnaire
from suanli.index.systems import load_systems
from suanli.settings import index_systems_dir

pytestmark = pytest.mark.slow

ANSWERS = {
    "composite": {("compute", "storage"): "2", ("compute", "network"): 3,
                  ("storage", "model"): "1/3", ("model", "environment"): "2.5"},
    "network_intra": {("centre_egress_bandwidth", "high_performance_network_share"): "1/7"},
}  # fmt: skip


def soffice() -> str:
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("soffice (LibreOffice) missing: `make system-deps` installs it")
        pytest.skip("soffice (LibreOffice) not installed")
    return found


def convert(source: Path, to: str, out_dir: Path, profile: Path) -> Path:
    """LibreOffice headless with a profile of its own (no clash with a running instance)."""
    result = subprocess.run(
        [soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", to, "--outdir", str(out_dir), str(source)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    converted = out_dir / f"{source.stem}.{to}"
    assert result.returncode == 0 and converted.is_file(), result.stdout + result.stderr
    return converted


def test_a_questionnaire_saved_by_libreoffice_reads_back_the_same(tmp_path: Path) -> None:
    soffice()  # first: a missing LibreOffice says so before anything else happens
    system = {s.system_code: s for s in load_systems(index_systems_dir())}["comprehensive_v4"]
    blank = write_questionnaire(system, tmp_path / "blank.xlsx", "E02")
    filled = fill_questionnaire(blank, tmp_path / "filled.xlsx", ANSWERS, "赵敏", 1.5)
    profile = tmp_path / "libreoffice-profile"
    ods = convert(filled, "ods", tmp_path / "ods", profile)
    back = convert(ods, "xlsx", tmp_path / "xlsx", profile)

    before = read_questionnaire(filled.read_bytes(), "filled.xlsx")
    after = read_questionnaire(back.read_bytes(), "filled.xlsx")
    assert (after.system_code, after.expert_id, after.expert_name, after.expert_weight) == (
        "comprehensive_v4", "E02", "赵敏", 1.5,
    )  # fmt: skip
    assert after.answers == before.answers and len(after.answers) == 75
    written = {(a.row_code, a.column_code): (a.written, a.value) for a in after.answers}
    assert written[("storage", "model")] == ("1/3", pytest.approx(1 / 3))
    assert written[("compute", "network")] == ("3", 3.0)
    assert [(p.kind, p.row, p.column, p.value) for p in after.problems] == [
        ("off_scale", 15, "01 综合算力指数!答案 Answer", "2.5")
    ]

    workbook = openpyxl.load_workbook(back)
    assert workbook.sheetnames == openpyxl.load_workbook(filled).sheetnames
    assert workbook["_form"].sheet_state == "hidden"
    sheet = workbook["11 算内网络"]
    [validation] = sheet.data_validations.dataValidation
    assert validation.type == "list" and str(validation.sqref) == "L6:L15"
    assert validation.formula1.strip('"').split(",") == list(SCALE_TEXTS)
    assert sheet["L9"].value == "1/7" and sheet["L9"].number_format == "@"
