"""Row counts of the relations a build made, taken in one query after it: tables and views,
rows by year for tables with a year, and the run's years a table has no rows for."""

from __future__ import annotations

from pathlib import Path

import duckdb

from suanli.transform.row_counts import ROW_COUNT, Relation, count_metadata, row_counts


def test_counts_tables_views_and_years_and_skips_what_is_not_there(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as connection:
        connection.execute("create schema intermediate")
        connection.execute(
            "create table intermediate.scores as "
            "select 2021 + (i % 2) as year, i from range(5) t(i)"
        )
        connection.execute("create table intermediate.weights as select 1 as w")
        connection.execute("create view intermediate.v as select * from intermediate.scores")
        scores, weights, view, gone = (
            Relation("intermediate", name) for name in ("scores", "weights", "v", "gone")
        )
        counts = row_counts(connection, [scores, weights, view, gone])
    assert gone not in counts
    assert (counts[scores].rows, counts[scores].by_year) == (5, {2021: 3, 2022: 2})
    assert (counts[weights].rows, counts[weights].yearly) == (1, False)
    assert (counts[view].rows, counts[view].yearly) == (5, False)  # a view: total only

    metadata = count_metadata(counts[scores], [2016, 2021, 2022])
    assert metadata[ROW_COUNT] == 5
    assert metadata["rows_by_year"].value == {"2021": 3, "2022": 2}
    assert metadata["years_without_rows"].value == [2016]
    assert set(count_metadata(counts[weights], [2016])) == {ROW_COUNT}
