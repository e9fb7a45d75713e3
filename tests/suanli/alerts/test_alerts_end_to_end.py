"""End to end: real runs of `python -m suanli.cli materialize`, the alert sensors evaluated on the
same Dagster instance, a real webhook receiver and a real SMTP server on 127.0.0.1.

One story, told once per module: every year delivered clean (a copy of the session's first
run, which the sensors meet at their first tick), then a 2025 registry with two centres at PUE 5
(quarantined at intake: the run goes on with the registry already in force), the same broken
bytes again, then the clean 2025 registry re-delivered (a run of that source alone, `dagster
asset materialize`, as an engineer would after a fix). Each test reads one chapter.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from dagster import DagsterInstance
from receivers import Inbox, Webhook
from sensor_ticks import SensorTicks

from suanli.alerts.resource import AlertsResource
from suanli.settings import REPO_ROOT, SNAPSHOT_DIR

pytestmark = pytest.mark.integration

CHECK = "delivery_accepted"
ASSET = "raw/compute_centres"
REGISTRY = "compute_centres_2025.csv"


MATERIALIZE = [sys.executable, "-m", "suanli.cli", "materialize"]
REDELIVER_2025_REGISTRY = [
    *(str(Path(sys.executable).parent / "dagster"), "asset", "materialize"),
    *("-m", "suanli.definitions", "--select", ASSET, "--partition", "2025"),
]


@dataclass
class Chapter:
    run: subprocess.CompletedProcess[str]
    run_id: str
    posts: list[dict[str, Any]]
    emails: list[EmailMessage]

    def posts_of(self, kind: str) -> list[dict[str, Any]]:
        return [post for post in self.posts if post["kind"] == kind]


@dataclass
class BrokenRegistry:
    landing: Path
    sha256: str
    # What intake says of it, one line per problem: file, row, column, value, expectation.
    problems: list[str]


@dataclass
class Story:
    broken: BrokenRegistry
    archive: Path
    chapters: dict[str, Chapter]


def broken_landing(root: Path) -> BrokenRegistry:
    """The snapshot, with the first two centres of the 2025 registry at PUE 5."""
    landing = root / "landing"
    shutil.copytree(SNAPSHOT_DIR, landing)
    registry = landing / "compute_centres" / REGISTRY
    with registry.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    problems = []
    for row_number, row in zip((2, 3), rows[:2], strict=True):  # the header is row 1
        row["total_energy_mwh"] = f"{float(row['it_energy_mwh']) * 5:.0f}"
        problems.append(
            f'{REGISTRY}: row {row_number}, column "total_energy_mwh": '
            f'value "{row["total_energy_mwh"]}" — expected PUE = total_energy_mwh ÷ '
            "it_energy_mwh within [1.0, 3.0], found 5.00 (out of range)"
        )
    with registry.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return BrokenRegistry(landing, hashlib.sha256(registry.read_bytes()).hexdigest(), problems)


@pytest.fixture(scope="module")
def story(
    tmp_path_factory: pytest.TempPathFactory,
    webhook: Webhook,
    inbox: Inbox,
    first_run: subprocess.CompletedProcess[str],
    copy_of_first_run,
) -> Iterator[Story]:
    root = tmp_path_factory.mktemp("alerts_e2e")
    broken = broken_landing(root)
    copied = copy_of_first_run(root)
    settings = {
        **{name: value for name, value in copied.items() if os.environ.get(name) != value},
        "SUANLI_ALERT_WEBHOOK_URL": webhook.url,
        "SUANLI_ALERT_SMTP_HOST": "127.0.0.1",
        "SUANLI_ALERT_SMTP_PORT": str(inbox.port),
        "SUANLI_ALERT_SMTP_SECURITY": "none",  # the test server speaks no TLS
        "SUANLI_ALERT_EMAIL_FROM": "suanli@example.cn",
        "SUANLI_ALERT_EMAIL_TO": "data-team@example.cn",
    }

    def run(command: list[str], landing_dir: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, env={**os.environ, **settings, "SUANLI_LANDING": str(landing_dir)},
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=900,
        )  # fmt: skip

    with pytest.MonkeyPatch.context() as patch:
        for name, value in settings.items():
            patch.setenv(name, value)  # the sensors resolve the webhook URL from here
        from suanli.alerts.sensors import alert_sensors
        from suanli.definitions import defs

        instance = DagsterInstance.get()
        ticks = SensorTicks(instance, defs, AlertsResource.from_env())
        # The daemon's first ticks: the run-failure sensor places its cursor, and each check
        # sensor reads every check's latest evaluation, the clean run's (its alerts, if any,
        # are the clean chapter's).
        ticks.tick_all(alert_sensors)

        chapters = {}
        for name, command, landing_dir in [
            ("clean", None, SNAPSHOT_DIR),  # the session's first run, copied
            ("broken", [*MATERIALIZE, "--years", "2025"], broken.landing),
            # The same bytes again, in a run of their own (unforced, nothing changed: no run).
            ("broken_again", [*MATERIALIZE, "--years", "2025", "--force"], broken.landing),
            ("repaired", REDELIVER_2025_REGISTRY, SNAPSHOT_DIR),
        ]:
            result = first_run if command is None else run(command, landing_dir)
            (latest,) = instance.get_run_records(limit=1)
            ticks.tick_all(alert_sensors)
            chapters[name] = Chapter(
                result, latest.dagster_run.run_id, list(webhook.received), inbox.messages
            )
            webhook.received.clear()
            inbox.envelopes.clear()
        instance.dispose()
        yield Story(broken, root / "archive", chapters)


def test_a_clean_delivery_alerts_nobody(story: Story) -> None:
    clean = story.chapters["clean"]
    assert clean.run.returncode == 0, clean.run.stdout[-3000:] + clean.run.stderr[-3000:]
    assert clean.posts == [] and clean.emails == []


def test_a_broken_delivery_is_quarantined_and_the_run_goes_on(story: Story) -> None:
    broken = story.chapters["broken"]
    # the 2025 registry already in force stays current: nothing downstream is left without data
    assert broken.run.returncode == 0, broken.run.stdout[-3000:] + broken.run.stderr[-3000:]
    assert broken.posts_of("run_failed") == []
    assert len(broken.posts) == 1 and len(broken.emails) == 1  # the quarantine, nothing else


def test_a_quarantined_delivery_reaches_the_webhook_with_every_problem(story: Story) -> None:
    broken = story.chapters["broken"]
    (alert,) = broken.posts_of("check_failed")
    assert (alert["asset"], alert["check"], alert["partition"]) == (ASSET, CHECK, "2025")
    assert alert["severity"] == "ERROR"
    (delivery,) = alert["quarantined"]
    assert (delivery["file"], delivery["sha256"]) == (REGISTRY, story.broken.sha256)
    assert delivery["problems"] == story.broken.problems  # every one, as intake said it
    archived = Path(delivery["archived_path"])
    assert archived.is_relative_to(story.archive)
    assert hashlib.sha256(archived.read_bytes()).hexdigest() == story.broken.sha256
    assert alert["run_url"] == f"http://127.0.0.1:3000/runs/{broken.run_id}"
    lines = alert["text"].splitlines()
    for needle in (f"asset: {ASSET}", f"check: {CHECK}", f"run: {alert['run_url']}"):
        assert needle in lines
    for problem in story.broken.problems:
        assert f"  - {problem}" in lines


def test_a_quarantined_delivery_reaches_the_mailbox_with_every_problem(story: Story) -> None:
    broken = story.chapters["broken"]
    (email,) = broken.emails
    assert email["Subject"] == f"[suanli 告警 ALERT] ERROR check {CHECK} failed on {ASSET} (2025)"
    assert email["To"] == "data-team@example.cn"
    lines = email.get_content().splitlines()
    for problem in story.broken.problems:
        assert f"  - {problem}" in lines
    assert f"run: http://127.0.0.1:3000/runs/{broken.run_id}" in lines


def test_the_same_broken_delivery_again_is_not_announced_twice(story: Story) -> None:
    again = story.chapters["broken_again"]
    assert again.run.returncode == 0, again.run.stdout[-3000:] + again.run.stderr[-3000:]
    assert again.posts == [] and again.emails == []


def test_a_clean_delivery_after_the_quarantine_sends_one_recovery(story: Story) -> None:
    repaired = story.chapters["repaired"]
    assert repaired.run.returncode == 0, repaired.run.stdout[-3000:]
    (recovery,) = repaired.posts
    assert recovery["kind"] == "check_recovered"
    assert (recovery["asset"], recovery["check"]) == (ASSET, CHECK)
    assert recovery["run_url"].endswith(f"/runs/{repaired.run_id}")
    (email,) = repaired.emails
    expected = f"[suanli 恢复 RECOVERED] check {CHECK} passes again on {ASSET} (2025)"
    assert email["Subject"] == expected
