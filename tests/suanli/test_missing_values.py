"""Missing values, explicitly, on real runs: every node score is the weighted sum of its
children's published scores (weights renormalised among the children that have one), a blank
in a newer statistics table is no data rather than an older file's figure, imputation is
labelled, and a unit below a system's data-availability threshold gets no score and a reason.

The second run (on a copy of the session's warehouse) delivers two newer statistics tables,
each the snapshot's table with one of 西藏's cells left blank: software revenue 2024 (System C,
no imputation) and compute-service revenue 2022 (System D, which this run's definitions make
impute the year's median and require 95 % of its indicators)."""

from __future__ import annotations

import shutil
import statistics
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from suanli.settings import INDEX_SYSTEMS_DIR

REPO_ROOT = Path(__file__).resolve().parents[2]
TIBET = "540000"
pytestmark = pytest.mark.integration

# Every inner node of every system, year and unit beside Σ local weight × child score over
# its children that have a score, divided by Σ of their local weights.
NODES_VS_CHILDREN = """
select
    parents.system_code,
    parents.year,
    parents.unit_code,
    parents.node_code,
    parents.score,
    parents.no_score_reason,
    sum(weights.local_weight * children.score) / sum(weights.local_weight)
        filter (where children.score is not null) as weighted_children,
    sum(weights.local_weight) filter (where children.score is not null) as scored_weight
from marts.fct_index_scores as parents
inner join marts.fct_index_weights as weights
    on parents.system_code = weights.system_code and parents.node_code = weights.parent_code
inner join marts.fct_index_scores as children
    on children.system_code = parents.system_code and children.year = parents.year
    and children.unit_level = parents.unit_level and children.unit_code = parents.unit_code
    and children.node_code = weights.node_code
group by all
"""


def published(environment: dict[str, str]) -> duckdb.DuckDBPyConnection:
    work = Path(environment["SUANLI_WAREHOUSE"])
    return duckdb.connect(str(work.with_name(f"{work.stem}_marts{work.suffix}")), read_only=True)


def assert_every_node_is_the_weighted_sum_of_its_children(marts) -> int:
    rows = marts.execute(NODES_VS_CHILDREN).fetchall()
    systems = {row[0] for row in rows}
    assert {"comprehensive_v4", "development_v3", "service_v1", "city_compute"} <= systems
    for system, year, unit, node, score, reason, weighted, _ in rows:
        where = f"{system} {year} {unit} {node}"
        if weighted is None:
            assert score is None and reason, where
        elif score is None:
            assert reason and reason.startswith("below_min_data_share"), where
        else:
            assert score == pytest.approx(weighted, abs=1e-6), where
    return len(rows)


def test_every_node_score_is_the_weighted_sum_of_its_published_children(warehouse) -> None:
    assert assert_every_node_is_the_weighted_sum_of_its_children(warehouse) > 1000


def blank_cell(table: Path, copy: Path, row_start: str, column: int) -> None:
    """`copy`: the GBK statistics table `table` with one cell of the row starting with
    `row_start` left blank (column 0 = the region)."""
    lines = table.read_bytes().decode("gb18030").split("\r\n")
    [index] = [i for i, line in enumerate(lines) if line.startswith(row_start)]
    cells = lines[index].split(",")
    cells[column] = ""
    lines[index] = ",".join(cells)
    copy.write_bytes("\r\n".join(lines).encode("gb18030"))


@dataclass
class Run:
    environment: dict[str, str]
    output: str
    returncode: int


@pytest.fixture(scope="module")
def run_with_blanks(tmp_path_factory: pytest.TempPathFactory, copy_of_first_run, cli) -> Run:
    root = tmp_path_factory.mktemp("missing_values")
    environment = copy_of_first_run(root)
    landing = root / "landing"
    shutil.copytree(REPO_ROOT / "seeds" / "snapshot", landing)
    tables = landing / "provincial_statistics"
    # columns: 地区, 2024年, 2023年, … / 地区, 2022年, 2021年
    blank_cell(
        tables / "software_revenue_synthetic.csv", tables / "software_revenue_update.csv", "西藏", 1
    )
    blank_cell(
        tables / "compute_service_revenue_synthetic.csv",
        tables / "compute_service_revenue_update.csv",
        "西藏",
        1,
    )
    definitions = root / "index_systems"
    shutil.copytree(INDEX_SYSTEMS_DIR, definitions)
    with (definitions / "service_v1.yml").open("a", encoding="utf-8") as handle:
        handle.write("missing:\n  impute: year_median\n  min_data_share: 0.95\n")
    # One run over the years the blanks are in (2022 and 2024 as two tokens would be two runs,
    # each rebuilding every asset: the definitions changed).
    result = cli(
        {**environment, "SUANLI_LANDING": str(landing), "SUANLI_INDEX_SYSTEMS": str(definitions)},
        "materialize", "--years", "2022-2024",
    )  # fmt: skip
    return Run(environment, result.stdout + result.stderr, result.returncode)


def test_a_blank_in_the_newer_table_is_no_data_and_its_node_is_left_out_among_siblings(
    run_with_blanks: Run,
) -> None:
    assert run_with_blanks.returncode == 0, run_with_blanks.output[-4000:]
    with published(run_with_blanks.environment) as marts:
        software = dict(
            marts.execute(
                "select year, delivery_file from marts.fct_province_statistics "
                "where province_code = ? and statistic_code = 'software_revenue'",
                [TIBET],
            ).fetchall()
        )
        value = marts.execute(
            "select raw_value, score, value_flag from marts.fct_indicator_values "
            "where system_code = 'development_v3' and year = 2024 and unit_code = ? "
            "and indicator_code = 'software_revenue'",
            [TIBET],
        ).fetchone()
        scores = {
            node: (score, rank, reason)
            for node, score, rank, reason in marts.execute(
                "select node_code, score, rank, no_score_reason from marts.fct_index_scores "
                "where system_code = 'development_v3' and year = 2024 and unit_code = ?",
                [TIBET],
            ).fetchall()
        }
        [(composite, weighted, scored_weight)] = [
            row[4:5] + row[6:8]
            for row in marts.execute(NODES_VS_CHILDREN).fetchall()
            if row[:4] == ("development_v3", 2024, TIBET, "composite")
        ]
        # what rescaling over the whole node (the old rule) would have given
        rescaled = marts.execute(
            "select sum(weights.global_weight * indicator_values.score)"
            " / sum(weights.global_weight) filter (where indicator_values.score is not null)"
            " from marts.fct_indicator_values as indicator_values"
            " inner join marts.fct_index_weights as weights"
            " on indicator_values.system_code = weights.system_code"
            " and indicator_values.indicator_code = weights.node_code"
            " where indicator_values.system_code = 'development_v3'"
            " and indicator_values.year = 2024 and indicator_values.unit_code = ?",
            [TIBET],
        ).fetchone()[0]
        assert_every_node_is_the_weighted_sum_of_its_children(marts)

    # The newer table's blank wins over the snapshot's 55.5; its other years are its own.
    assert 2024 not in software and software[2023] == "software_revenue_update.csv"
    assert value == (None, None, "no_data")
    software_score, software_rank, software_reason = scores["computing_software"]
    assert software_score is None and software_rank is None
    assert software_reason == "no_data: no indicator under this node has a value"
    # 计算产业 is its two other secondaries, renormalised; every primary has a score, so the
    # composite is the weighted sum of the published primaries (weights summing to 1).
    assert scores["computing_industry"][0] is not None
    assert scored_weight == pytest.approx(1.0)
    assert composite == pytest.approx(weighted, abs=1e-6)
    assert scores["composite"][1] is not None
    assert abs(composite - rescaled) > 1e-3, "the whole-node rescaling gives another figure"


def test_imputed_values_are_labelled_and_a_unit_below_the_threshold_has_no_score(
    run_with_blanks: Run,
) -> None:
    assert run_with_blanks.returncode == 0, run_with_blanks.output[-4000:]
    with published(run_with_blanks.environment) as marts:
        values = marts.execute(
            "select indicator_code, unit_code, raw_value, provenance, value_flag, source "
            "from marts.fct_indicator_values where system_code = 'service_v1' and year = 2022 "
            "and indicator_code in ('compute_service_revenue', 'service_revenue_growth')"
        ).fetchall()
        tibet_scores = marts.execute(
            "select count(*), count(score), count(rank), min(no_score_reason), "
            "max(no_score_reason) from marts.fct_index_scores "
            "where system_code = 'service_v1' and year = 2022 and unit_code = ?",
            [TIBET],
        ).fetchone()
        ranked = marts.execute(
            "select count(*), max(rank) from marts.fct_index_scores "
            "where system_code = 'service_v1' and year = 2022 and node_code = 'composite' "
            "and rank is not null"
        ).fetchone()
        wide = marts.execute(
            "select composite_score, composite_rank from marts.wide_index_scores "
            "where system_code = 'service_v1' and year = 2022 and unit_code = ?",
            [TIBET],
        ).fetchone()
        in_top10 = marts.execute(
            "select count(*) from marts.top10_by_node where system_code = 'service_v1' "
            "and unit_code = ?",
            [TIBET],
        ).fetchone()[0]
        policies = dict(
            marts.execute(
                "select system_code, missing_impute || ' ' || min_data_share "
                "from marts.dim_index_system"
            ).fetchall()
        )

    for indicator in ("compute_service_revenue", "service_revenue_growth"):
        delivered = [row[2] for row in values if row[0] == indicator and row[1] != TIBET]
        [tibet] = [row for row in values if row[0] == indicator and row[1] == TIBET]
        assert len(delivered) == 30 and None not in delivered
        assert tibet[2] == pytest.approx(statistics.median(delivered))
        assert tibet[3:5] == ("imputed", "imputed:year_median")
        assert tibet[5] == "imputed: median of 30 units in 2022"
    # 20 of 22 indicators delivered (the two imputed ones do not count): below 95 %
    count, scored, ranks, reason, same_reason = tibet_scores
    assert (count, scored, ranks) == (4 + 11 + 22 + 1, 0, 0)
    expected_reason = (
        "below_min_data_share: 20 of 22 indicators have a value (90.9 %), "
        "the system requires 95.0 %"
    )
    assert reason == same_reason == expected_reason
    assert ranked[0] == 30 and ranked[1] <= 30
    assert wide == (None, None) and in_top10 == 0
    assert policies["service_v1"] == "year_median 0.95"
    assert policies["comprehensive_v4"] == "none 0.0"
