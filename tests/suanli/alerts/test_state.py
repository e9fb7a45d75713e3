"""The dedup state survives the process: one SQLite file, one row per key."""

from __future__ import annotations

from pathlib import Path

from suanli.alerts.model import AlertState
from suanli.alerts.state import AlertStateStore


def test_states_are_saved_overwritten_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "home" / "suanli_alerts.sqlite"
    AlertStateStore(path).save("check:a:x", AlertState(True, "sig", 10.0))
    AlertStateStore(path).save("check:a:y", AlertState(True, "other", 11.0))
    AlertStateStore(path).save("check:a:x", AlertState(False, "", 20.0))
    store = AlertStateStore(path)  # a new process, as the next sensor tick
    assert store.load() == {
        "check:a:x": AlertState(False, "", 20.0),
        "check:a:y": AlertState(True, "other", 11.0),
    }
    assert store.load(["check:a:y", "unknown"]) == {"check:a:y": AlertState(True, "other", 11.0)}


def test_a_new_store_is_empty(tmp_path: Path) -> None:
    assert AlertStateStore(tmp_path / "state.sqlite").load() == {}
