"""Publishing swaps the audited marts into the file BI reads: all at once, or not at all."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from suanli.publish.marts import last_publication, marts_fingerprint, publish_marts


def make_work_file(path: Path, version: int, rows: int = 1000) -> Path:
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema if not exists marts")
        connection.execute(
            "create or replace table marts.scores "
            "(unit_code varchar primary key, score double not null, version integer)"
        )
        connection.execute(
            "insert into marts.scores select 'u' || i, i / 10, ? from range(?) t(i)",
            [version, rows],
        )
        connection.execute("comment on table marts.scores is '得分 / scores'")
        connection.execute("comment on column marts.scores.score is '综合得分 / score'")
        connection.execute(
            "create or replace view marts.top as "
            "select * from marts.scores order by score desc limit 3"
        )
        connection.execute(
            "create or replace view marts.top_one as select * from marts.top limit 1"
        )
        connection.execute("comment on view marts.top is '前三名 / top three'")
        connection.execute("comment on column marts.top.unit_code is '单元代码 / unit'")
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_publish_copies_tables_views_constraints_and_comments(tmp_path: Path) -> None:
    work = make_work_file(tmp_path / "work.duckdb", version=1)
    published = tmp_path / "bi" / "bi_marts.duckdb"

    result = publish_marts(work, published, run_id="run-1", deliveries=[{"file": "a.csv"}])

    assert result.tables == {"scores": 1000}
    assert result.views == ["top", "top_one"]
    with duckdb.connect(str(published), read_only=True) as reader:
        assert reader.execute("select count(*) from marts.top_one").fetchone() == (1,)
        ddl = reader.execute(
            "select sql from duckdb_tables() where table_name = 'scores'"
        ).fetchone()[0]
        assert "PRIMARY KEY" in ddl and "NOT NULL" in ddl
        assert reader.execute(
            "select comment from duckdb_columns() where table_name = 'scores' "
            "and column_name = 'score'"
        ).fetchone() == ("综合得分 / score",)
        # A view's comment and its columns' (dbt's persist_docs writes them apart from the DDL).
        assert reader.execute(
            "select view_name, comment from duckdb_views() where schema_name = 'marts' order by all"
        ).fetchall() == [("top", "前三名 / top three"), ("top_one", None)]
        assert reader.execute(
            "select comment from duckdb_columns() where table_name = 'top' "
            "and column_name = 'unit_code'"
        ).fetchone() == ("单元代码 / unit",)
        # The publication record describes itself: every column has a comment.
        assert reader.execute(
            "select count(*), count(comment) from duckdb_columns() "
            "where table_name = '_publication'"
        ).fetchone() == (6, 6)
    publication = last_publication(published)
    assert publication["run_id"] == "run-1"
    assert publication["deliveries"] == [{"file": "a.csv"}]
    assert publication["tables"] == {"scores": 1000}
    assert not list(published.parent.glob(".*tmp*")), "no candidate file is left behind"


READ_VERSION = """
import sys, duckdb
with duckdb.connect(sys.argv[1], read_only=True) as c:
    print(c.execute("select distinct version from marts.scores").fetchall())
"""


def test_a_reader_holding_the_old_file_keeps_its_snapshot(tmp_path: Path) -> None:
    work = make_work_file(tmp_path / "work.duckdb", version=1)
    published = tmp_path / "bi_marts.duckdb"
    publish_marts(work, published, run_id="run-1")
    reader = duckdb.connect(str(published), read_only=True)
    try:
        make_work_file(work, version=2)
        publish_marts(work, published, run_id="run-2")  # the reader's open file is no obstacle

        assert reader.execute("select distinct version from marts.scores").fetchall() == [(1,)]
        # Another process (DuckDB shares one instance per path within a process) sees the new.
        fresh = subprocess.run(
            [sys.executable, "-c", READ_VERSION, str(published)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert fresh.stdout.strip() == "[(2,)]"
    finally:
        reader.close()


def test_a_view_that_cannot_be_created_publishes_nothing(tmp_path: Path) -> None:
    work = make_work_file(tmp_path / "work.duckdb", version=1)
    published = tmp_path / "bi_marts.duckdb"
    publish_marts(work, published, run_id="run-1")
    before = sha256(published)
    with duckdb.connect(str(work)) as connection:
        connection.execute("create table main.elsewhere as select 1 as x")
        connection.execute("create view marts.broken as select * from main.elsewhere")

    with pytest.raises(RuntimeError, match="views that cannot be published: broken"):
        publish_marts(work, published, run_id="run-2")

    assert sha256(published) == before
    assert not list(tmp_path.glob(".*tmp*"))


PUBLISH_SCRIPT = """
import sys
from pathlib import Path
from suanli.publish.marts import publish_marts
publish_marts(Path(sys.argv[1]), Path(sys.argv[2]), run_id="killed-run")
"""


@pytest.mark.slow  # 3 M rows written, then a publisher killed mid-copy: ~8 s
def test_kill_9_in_the_middle_of_publishing_leaves_the_published_marts_as_they_were(
    tmp_path: Path,
) -> None:
    work = make_work_file(tmp_path / "work.duckdb", version=1, rows=1000)
    published = tmp_path / "bi_marts.duckdb"
    publish_marts(work, published, run_id="good-run")
    before = sha256(published)
    # A large enough candidate that the copy is still being written when the signal lands.
    make_work_file(work, version=2, rows=3_000_000)

    process = subprocess.Popen([sys.executable, "-c", PUBLISH_SCRIPT, str(work), str(published)])
    deadline = time.monotonic() + 60
    candidates: list[Path] = []
    while time.monotonic() < deadline and not candidates:
        candidates = list(tmp_path.glob(".bi_marts.duckdb.killed-run.tmp*"))
        time.sleep(0.01)
    assert candidates, "the publisher never started writing its candidate file"
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL

    assert sha256(published) == before, "the published file was not touched"
    with duckdb.connect(str(published), read_only=True) as reader:
        assert reader.execute("select count(*), min(version) from marts.scores").fetchone() == (
            1000,
            1,
        )
    assert last_publication(published)["run_id"] == "good-run"

    publish_marts(work, published, run_id="next-run")  # the next run cleans up and publishes
    assert not list(tmp_path.glob(".bi_marts.duckdb.*tmp*"))
    assert last_publication(published)["tables"] == {"scores": 3_000_000}


def test_the_fingerprint_sees_a_view_s_comment(tmp_path: Path) -> None:
    """A view re-described in dbt is published again, though no row or definition changed."""
    work = make_work_file(tmp_path / "work.duckdb", version=1)
    with duckdb.connect(str(work)) as connection:
        before = marts_fingerprint(connection, [])
        connection.execute("comment on view marts.top is '前三名（新） / top three, reworded'")
        after = marts_fingerprint(connection, [])
        connection.execute("comment on view marts.top is '前三名 / top three'")
        assert marts_fingerprint(connection, []) == before
    assert after != before
