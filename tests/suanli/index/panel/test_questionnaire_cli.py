"""`python -m suanli.cli questionnaire SYSTEM --out DIR --experts N`: one workbook per expert;
an unknown system is a usage error that lists the systems there are."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from suanli.index.panel.responses import read_questionnaire
from suanli.index.systems import load_systems
from suanli.settings import REPO_ROOT, index_systems_dir


def questionnaire(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "suanli.cli", "questionnaire", *args],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_it_writes_one_questionnaire_per_expert_and_prints_them(tmp_path: Path) -> None:
    out = tmp_path / "panel" / "round1"
    result = questionnaire("comprehensive_v4", "--out", str(out), "--experts", "3")
    assert result.returncode == 0, result.stderr
    written = [Path(line) for line in result.stdout.splitlines()]
    names = [f"comprehensive_v4__E0{i}.xlsx" for i in (1, 2, 3)]
    assert written == [out / name for name in names]
    assert sorted(path.name for path in out.iterdir()) == names
    for path, expert_id in zip(written, ("E01", "E02", "E03"), strict=True):
        filled = read_questionnaire(path.read_bytes(), path.name)
        assert (filled.system_code, filled.expert_id) == ("comprehensive_v4", expert_id)
        assert len(filled.answers) == 75  # every pair of every inner node, all blank
        assert all(answer.written is None for answer in filled.answers)


def test_an_unknown_system_exits_2_listing_the_systems(tmp_path: Path) -> None:
    result = questionnaire("comprehensive_v9", "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "unknown index system 'comprehensive_v9'" in result.stderr
    for system in load_systems(index_systems_dir()):
        assert system.system_code in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_number_of_experts_must_be_positive(tmp_path: Path) -> None:
    result = questionnaire("comprehensive_v4", "--out", str(tmp_path), "--experts", "0")
    assert result.returncode == 2 and "at least 1" in result.stderr
