"""`python -m suanli.cli explain`: why a score is what it is, down to delivery files and rows,
read from the published marts of the session's pipeline run."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest

from suanli.intake.regions import default_resolver
from suanli.publish.explain import explain

SYSTEM, YEAR = "comprehensive_v4", 2025
SUM_LINE = re.compile(r"= (?P<terms>.+) = (?P<total>[\d,.]+)$")
TERM = re.compile(r"(?P<weight>[\d.]+) × (?P<score>[\d,.]+)")


@pytest.fixture(scope="module")
def marts(env: dict[str, str], first_run) -> Path:
    work = Path(env["SUANLI_WAREHOUSE"])
    return work.with_name(f"{work.stem}_marts{work.suffix}")


@pytest.fixture(scope="module")
def printed(cli, env: dict[str, str], first_run) -> str:
    result = cli(env, "explain", "--system", SYSTEM, "--unit", "河北", "--year", str(YEAR))
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_composite_is_the_published_score_and_rank(printed: str, marts: Path) -> None:
    with duckdb.connect(str(marts), read_only=True) as connection:
        score, rank = connection.execute(
            "select score, rank from marts.fct_index_scores where system_code = ? and year = ? "
            "and unit_code = '130000' and node_code = 'composite'",
            [SYSTEM, YEAR],
        ).fetchone()
    title = f"综合算力指数 4.0 ({SYSTEM}) · 河北省 Hebei (130000) · {YEAR}"
    assert printed.splitlines()[0] == title
    assert f"composite 综合算力指数: {score:,.2f} (rank {rank})" in printed


def test_every_node_is_the_weighted_sum_of_its_children(printed: str) -> None:
    sums = [SUM_LINE.search(line) for line in printed.splitlines() if "= " in line]
    sums = [match for match in sums if match]
    assert len(sums) == 1 + 5 + 11  # composite, 5 primary and 11 secondary nodes
    for match in sums:
        terms = TERM.findall(match["terms"])
        assert abs(sum(float(w) for w, _ in terms) - 1) < 1e-3
        total = sum(float(w) * float(s.replace(",", "")) for w, s in terms)
        assert total == pytest.approx(float(match["total"].replace(",", "")), abs=0.02)


def test_every_indicator_names_its_value_provenance_and_delivery_rows(printed: str) -> None:
    lines = printed.splitlines()
    indicators = [i for i, line in enumerate(lines) if ": score " in line]
    assert len(indicators) == 39
    for i in indicators:
        assert lines[i + 1].lstrip("│ ").startswith("raw value ")
        assert re.search(r"· (synthetic|derived|published) ·", lines[i + 1]), lines[i + 1]
        assert re.match(r"↳ \S+\.(csv|xlsx?) rows? \d", lines[i + 2].lstrip("│ ")), lines[i + 2]
    assert "Delivery files" in printed
    centres = r"compute_centres_2025\.csv · compute_centres · received .* sha256 [0-9a-f]{64}"
    assert re.search(centres, printed)


def test_the_rows_named_are_the_units_rows_of_the_archived_file(marts: Path) -> None:
    """Follow racks in use from the score to the file: every row named is a 河北 centre of the
    file as archived, and together they sum to the raw value."""
    _, tree = explain(marts, SYSTEM, "河北", YEAR)
    racks = next(_leaves(tree, "racks_in_use"))
    [rows] = racks.rows
    with open(rows.delivery.archived_path, encoding="utf-8", newline="") as handle:
        lines = list(csv.DictReader(handle))  # line n of the file is lines[n - 2]
    named = [lines[n - 2] for first, last in rows.runs for n in range(first, last + 1)]
    provinces = {default_resolver().provinces.resolve(row["province"]) for row in named}
    assert provinces == {("130000",)}
    assert sum(float(row["racks_in_use"]) for row in named) / 10000 == pytest.approx(
        racks.raw_value
    )


def test_the_unit_may_be_a_code_or_any_spelling(cli, env: dict[str, str], printed: str) -> None:
    for spelling in ("130000", "河北省", "Hebei"):
        result = cli(env, "explain", "--system", SYSTEM, "--unit", spelling, "--year", str(YEAR))
        assert result.stdout == printed


def test_a_node_starts_the_tree_below_the_composite(cli, env: dict[str, str], first_run) -> None:
    asked = ("--system", SYSTEM, "--unit", "河北", "--year", str(YEAR), "--node", "network")
    result = cli(env, "explain", *asked)
    assert result.returncode == 0, result.stderr
    body = result.stdout.splitlines()[2]
    assert body.startswith("network 运力: ") and "composite" not in result.stdout


def test_what_cannot_be_explained_says_why_and_exits_2(cli, env: dict[str, str], first_run) -> None:
    unknown = cli(env, "explain", "--system", SYSTEM, "--unit", "北平", "--year", str(YEAR))
    assert unknown.returncode == 2
    assert "unit '北平': expected one province of comprehensive_v4" in unknown.stderr
    no_year = cli(env, "explain", "--system", SYSTEM, "--unit", "河北", "--year", "2019")
    assert no_year.returncode == 2 and "its years: [2022, 2023, 2024, 2025]" in no_year.stderr


def _leaves(item, code: str):
    if item.code == code:
        yield item
    for child in item.children:
        yield from _leaves(child, code)


def test_the_readmes_lineage_query_takes_the_score_down_to_its_files(marts: Path) -> None:
    """The README's one query: contributions sum to the composite, and every indicator of the
    system reaches at least one delivered file and row."""
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    [query] = [
        block.split("```", 1)[0]
        for block in readme.split("```sql\n")[1:]
        if block.startswith("-- 河北's 2025 composite (System A), down to its files")
    ]
    with duckdb.connect(str(marts), read_only=True) as connection:
        rows = connection.execute(query).df()
        composite = connection.execute(
            "select score from marts.fct_index_scores where system_code = ? and year = ? "
            "and unit_code = '130000' and node_code = 'composite'",
            [SYSTEM, YEAR],
        ).fetchone()[0]
    per_indicator = rows.drop_duplicates("indicator_code")
    assert len(per_indicator) == 39
    assert per_indicator["contribution"].sum() == pytest.approx(composite, abs=1e-6)
    assert rows["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()
    assert (rows["first_row"] >= 2).all() and (rows["last_row"] >= rows["first_row"]).all()
