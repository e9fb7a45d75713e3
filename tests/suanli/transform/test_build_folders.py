"""dagster-dbt's per-build target folders: the most recent and any still being written stay,
the rest go."""

from __future__ import annotations

import os
import time
from pathlib import Path

from suanli.transform.build_folders import last_written, prune_build_folders


def build_folder(target: Path, name: str, age_seconds: float) -> Path:
    folder = target / name
    (folder / "compiled").mkdir(parents=True)
    log = folder / "dbt.log"
    log.write_text("…", encoding="utf-8")
    when = time.time() - age_seconds
    for path in (log, folder):
        os.utime(path, (when, when))
    return folder


def test_the_most_recent_builds_stay_and_older_ones_go(tmp_path: Path) -> None:
    ages = {f"dbt_models-run{n}-abc": 7200 + 60 * n for n in range(5)}
    folders = {name: build_folder(tmp_path, name, age) for name, age in ages.items()}
    removed = prune_build_folders(tmp_path, "dbt_models", keep=2)
    assert sorted(path.name for path in removed) == [
        "dbt_models-run2-abc", "dbt_models-run3-abc", "dbt_models-run4-abc",
    ]  # fmt: skip
    assert [name for name, folder in folders.items() if folder.exists()] == [
        "dbt_models-run0-abc", "dbt_models-run1-abc",
    ]  # fmt: skip


def test_a_build_written_to_lately_stays_however_many_are_newer(tmp_path: Path) -> None:
    """Another run's dbt may still be writing it (the test lanes build many at once)."""
    build_folder(tmp_path, "dbt_models-new-1", 10)
    build_folder(tmp_path, "dbt_models-new-2", 20)
    busy = build_folder(tmp_path, "dbt_models-busy", 7200)
    (busy / "dbt.log").write_text("still logging", encoding="utf-8")  # its log: now
    old = build_folder(tmp_path, "dbt_models-old", 7200)
    assert prune_build_folders(tmp_path, "dbt_models", keep=1) == [old]
    assert busy.exists() and not old.exists()


def test_only_the_op_s_build_folders_are_touched(tmp_path: Path) -> None:
    """dbt's own files beside them (the manifest the code reads, partial parsing) stay."""
    (tmp_path / "manifest.json").write_text("{}", encoding="utf-8")
    other = build_folder(tmp_path, "compiled", 7200)
    build_folder(tmp_path, "dbt_models-a", 7200)
    assert [path.name for path in prune_build_folders(tmp_path, "dbt_models", keep=0)] == [
        "dbt_models-a"
    ]
    assert other.exists() and (tmp_path / "manifest.json").exists()


def test_a_folder_another_run_removed_meanwhile_is_passed_over(tmp_path: Path) -> None:
    """Two runs' steps may prune the same target at once: what one removed, the other skips."""
    assert last_written(tmp_path / "dbt_models-gone") is None
    (tmp_path / "dbt_models-a-file").write_text("not a build folder", encoding="utf-8")
    assert last_written(tmp_path / "dbt_models-a-file") is None
    assert prune_build_folders(tmp_path, "dbt_models", keep=0) == []
