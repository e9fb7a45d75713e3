"""A real Apache Superset opens the published marts with the README's SQLAlchemy URI: it adds
the database, reflects a view's columns (with their comments) into a dataset and answers a
chart's query with the rows DuckDB gives directly.

Superset lives in a virtualenv of its own (`make superset`, a prerequisite of `make test`:
tools/superset/requirements.lock, with the duckdb and duckdb-engine we ship). Its SQLAlchemy
1.4 reflects columns through duckdb-engine, which SQLAlchemy >= 2.0.45 cannot on DuckDB 2.0
(test_bi_client.py). Metadata goes to SQLite in a temporary directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
import requests

from suanli.settings import REPO_ROOT

SUPERSET_VENV = REPO_ROOT / ".cache" / "superset-venv"
ADMIN = {"username": "admin", "password": "admin-for-this-test-only"}

# One interpreter for the three set-up commands: Superset takes seconds to import.
SET_UP = """
import sys
from superset.cli.main import superset
for args in (
    ["db", "upgrade"],
    ["fab", "create-admin", "--username", sys.argv[1], "--password", sys.argv[2],
     "--firstname", "BI", "--lastname", "Test", "--email", "bi@example.invalid"],
    ["init"],
):
    try:
        superset.main(args, standalone_mode=False)
    except SystemExit as exit:
        if exit.code:
            raise
"""

# Runs under Superset's interpreter: every mart's reflected columns and comments, as JSON.
REFLECT = """
import json, sys
import sqlalchemy
inspector = sqlalchemy.inspect(sqlalchemy.create_engine(sys.argv[1]))
names = inspector.get_table_names(schema="marts") + inspector.get_view_names(schema="marts")
print(json.dumps({
    "sqlalchemy": sqlalchemy.__version__,
    "columns": {
        name: [[c["name"], c["comment"]] for c in inspector.get_columns(name, schema="marts")]
        for name in names
    },
}))
"""

# superset.utils.core.GenericDataType
NUMERIC, STRING = 0, 1

TOP10_SQL = (
    "select unit_name_zh, composite_score from marts.wide_index_scores "
    "where system_code = 'comprehensive_v4' and unit_level = 'province' and year = 2025 "
    "order by composite_score desc limit 10"
)


def readme_uri(published: Path) -> str:
    """The Superset URI as README gives it, for the file `published`."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    [template] = set(
        re.findall(r"duckdb:///\S*suanli_marts\.duckdb\?access_mode=read_only", readme)
    )
    return re.sub(r"duckdb:///\S*suanli_marts\.duckdb", f"duckdb:///{published}", template)


@dataclass
class Superset:
    url: str
    session: requests.Session

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON answer of a REST call, which must succeed."""
        response = self.session.request(method, self.url + path, timeout=300, **kwargs)
        assert response.ok, f"{method} {path}: {response.status_code} {response.text[:3000]}"
        return response.json()


def superset_python() -> Path:
    python = SUPERSET_VENV / "bin" / "python"
    if not python.is_file():
        pytest.fail(f"Superset is not installed in {SUPERSET_VENV}: run `make superset`")
    return python


def pinned(lock: Path) -> dict[str, str]:
    return dict(re.findall(r"^([a-z0-9_.-]+)==(\S+)", lock.read_text(), flags=re.MULTILINE))


def test_superset_runs_the_duckdb_and_driver_we_ship() -> None:
    ours = pinned(REPO_ROOT / "requirements.lock")
    superset = pinned(REPO_ROOT / "tools" / "superset" / "requirements.lock")
    for package in ("duckdb", "duckdb-engine"):
        assert superset[package] == ours[package], package


@pytest.mark.integration
def test_superset_s_sqlalchemy_reflects_every_mart_with_its_comments(
    published_marts: Path,
) -> None:
    """What SQLAlchemy >= 2.0.45 cannot do on DuckDB 2.0 (test_bi_client.py), Superset's 1.4
    does through the same driver: every column of every mart, each with its comment."""
    reflected = subprocess.run(
        [str(superset_python()), "-c", REFLECT, readme_uri(published_marts)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": ""},
    )  # fmt: skip
    assert reflected.returncode == 0, reflected.stderr[-3000:]
    answer = json.loads(reflected.stdout)
    assert answer["sqlalchemy"].startswith("1.4.")
    with duckdb.connect(str(published_marts), read_only=True) as connection:
        expected = {
            name: [[column, comment] for column, comment in rows]
            for name, rows in _columns_by_relation(connection).items()
        }
    assert answer["columns"] == expected
    uncommented = [
        f"{name}.{column}"
        for name, columns in answer["columns"].items()
        for column, comment in columns
        if not comment
    ]
    assert not uncommented, uncommented


def _columns_by_relation(connection: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    relations: dict[str, list[tuple]] = {}
    for name, column, comment in connection.execute(
        "select table_name, column_name, comment from duckdb_columns() "
        "where schema_name = 'marts' order by table_name, column_index"
    ).fetchall():
        relations.setdefault(name, []).append((column, comment))
    return relations


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_health(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"superset exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if requests.get(f"{url}/health", timeout=5).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(1)
    pytest.fail(f"superset not answering after 300 s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def superset(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Superset]:
    """Superset on 127.0.0.1 with SQLite metadata; a session logged in as its admin."""
    python = superset_python()
    home = tmp_path_factory.mktemp("superset")
    config = home / "superset_config.py"
    config.write_text(
        f"SECRET_KEY = {os.urandom(24).hex()!r}\n"
        f"SQLALCHEMY_DATABASE_URI = 'sqlite:///{home / 'superset.db'}'\n"
        # The REST API is called with a bearer token, not from a browser form.
        "WTF_CSRF_ENABLED = False\n"
    )
    env = {
        **os.environ, "SUPERSET_CONFIG_PATH": str(config), "SUPERSET_HOME": str(home),
        "FLASK_APP": "superset", "PYTHONPATH": "",
    }  # fmt: skip
    log = home / "superset.log"
    with log.open("wb") as output:
        set_up = subprocess.run(
            [str(python), "-c", SET_UP, ADMIN["username"], ADMIN["password"]],
            env=env, cwd=home, stdout=output, stderr=subprocess.STDOUT, timeout=900,
        )  # fmt: skip
    assert set_up.returncode == 0, log.read_text()[-4000:]
    port = free_port()
    with log.open("ab") as output:
        process = subprocess.Popen(
            [str(SUPERSET_VENV / "bin" / "superset"), "run", "-h", "127.0.0.1", "-p", str(port),
             "--with-threads"],
            env=env, cwd=home, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url, process, log)
        session = requests.Session()
        login = session.post(
            f"{url}/api/v1/security/login", json={**ADMIN, "provider": "db", "refresh": False}
        )
        assert login.status_code == 200, login.text
        session.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        yield Superset(url, session)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@pytest.mark.integration
@pytest.mark.slow
def test_superset_charts_the_top_10_from_the_published_marts(
    superset: Superset, published_marts: Path
) -> None:
    before = hashlib.sha256(published_marts.read_bytes()).hexdigest()
    database = superset.api(
        "POST", "/api/v1/database/",
        json={"database_name": "suanli", "sqlalchemy_uri": readme_uri(published_marts)},
    )["id"]  # fmt: skip
    # Adding a dataset reflects the view's columns (names, types, comments).
    dataset = superset.api(
        "POST", "/api/v1/dataset/",
        json={"database": database, "schema": "marts", "table_name": "wide_index_scores"},
    )  # fmt: skip
    columns = dataset["data"]["columns"]
    with duckdb.connect(str(published_marts), read_only=True) as connection:
        described = connection.execute("describe marts.wide_index_scores").fetchall()
        expected = connection.execute(TOP10_SQL).fetchall()
    assert [column["column_name"] for column in columns] == [row[0] for row in described]
    # Superset's generic types: what it offers to aggregate (numeric) or group by (string).
    generic = {column["column_name"]: column["type_generic"] for column in columns}
    assert generic["composite_score"] == generic["composite_rank"] == generic["year"] == NUMERIC
    assert generic["unit_name_zh"] == STRING
    # The published file's column comments arrive as Superset's column descriptions.
    undescribed = [column["column_name"] for column in columns if not column["description"]]
    assert not undescribed, undescribed
    described_by = {column["column_name"]: column["description"] for column in columns}
    assert described_by["compute_score"].startswith("算力得分")

    top = {"expressionType": "SQL", "sqlExpression": "max(composite_score)", "label": "score"}
    chart = superset.api(
        "POST", "/api/v1/chart/data",
        json={
            "datasource": {"id": dataset["id"], "type": "table"},
            "queries": [{
                "columns": ["unit_name_zh"], "metrics": [top], "orderby": [[top, False]],
                "filters": [
                    {"col": "system_code", "op": "==", "val": "comprehensive_v4"},
                    {"col": "unit_level", "op": "==", "val": "province"},
                    {"col": "year", "op": "==", "val": 2025},
                ],
                "row_limit": 10,
            }],
            "result_format": "json", "result_type": "full",
        },
    )["result"]  # fmt: skip
    [result] = chart
    assert result["status"] == "success", result
    rows = [(row["unit_name_zh"], row["score"]) for row in result["data"]]
    assert len(rows) == 10
    assert [name for name, _ in rows] == [name for name, _ in expected]
    assert [score for _, score in rows] == pytest.approx([score for _, score in expected])
    # Read-only: Superset wrote nothing into the file it was given.
    assert hashlib.sha256(published_marts.read_bytes()).hexdigest() == before
