"""Intake and dbt staging agree: one resolver for names, and what intake accepts staging keeps.

One list of spellings (every alias of the seeds, short and English names, upper case, full-width,
spaced forms, 6- and 12-digit codes) is delivered through the pipeline's intake into a real
DuckDB file, then a real `dbt run` builds staging on it: the code staging shows for each row
is the code the resolver gives for its spelling, and every typed value intake stored comes out
of staging unchanged (staging never casts or re-maps delivered text).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

import duckdb
import pytest
from dbt_runs import dbt_in

from suanli.intake.audits import audit_delivery
from suanli.intake.catalog import source_specs
from suanli.intake.delivery import Delivery, prepare_raw_tables, store
from suanli.intake.readers import reader_for
from suanli.intake.regions import default_resolver, read_seed
from suanli.settings import SEEDS_DIR
from suanli.transform.assets import load_manifest

pytestmark = pytest.mark.integration

FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


def spellings() -> list[tuple[str, str]]:
    """(spelling, GB/T 2260 code) for every way the seeds and their variants name a province."""
    pairs: list[tuple[str, str]] = []
    for row in read_seed(SEEDS_DIR / "reference" / "provinces.csv"):
        code, name = row["province_code"], row["name_zh"]
        pairs += [
            (name, code),
            (row["short_name_zh"], code),
            (row["name_en"], code),
            (row["name_en"].upper(), code),
            (row["name_en"].translate(FULL_WIDTH), code),  # full-width letters
            (" ".join(row["short_name_zh"]), code),  # 新 疆
            (f" {name}　", code),  # ideographic space after
            (code, code),
            (code + "000000", code),  # 12-digit statistical code
        ]
    pairs += [
        (row["alias"], row["province_code"])
        for row in read_seed(SEEDS_DIR / "reference" / "province_aliases.csv")
    ]
    return list(dict.fromkeys(pairs))


def genai_file(pairs: list[tuple[str, str]]) -> bytes:
    """A registry of generative-AI services, one per spelling, with dates in every shape the
    contract accepts."""
    rng = random.Random(2260)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["service_id", "service_name", "provider", "province", "registration_date",
         "provenance", "provenance_source"]
    )  # fmt: skip
    shapes = ["{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}.{m:02d}.{d:02d}", "{y}年{m}月{d}日"]
    for n, (spelling, _) in enumerate(pairs):
        day = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(700))
        date = rng.choice(shapes).format(y=day.year, m=day.month, d=day.day)
        writer.writerow(
            [f"Svc-{n:04d}", f"服务 {n}", "某公司", spelling, date, "Synthetic", " demo "]
        )
    return out.getvalue().encode("utf-8")


def test_staging_shows_the_codes_intake_resolved_and_the_values_it_typed(tmp_path: Path) -> None:
    pairs = spellings()
    resolver = default_resolver()
    assert all(resolver.province(spelling).code == code for spelling, code in pairs), [
        (spelling, code, resolver.province(spelling)) for spelling, code in pairs
        if resolver.province(spelling).code != code
    ]  # fmt: skip

    spec = next(spec for spec in source_specs(load_manifest()) if spec.name == "genai_services")
    warehouse = tmp_path / "suanli.duckdb"
    content = genai_file(pairs)
    with duckdb.connect(str(warehouse)) as connection:
        prepare_raw_tables(connection, spec)
        result = store(
            connection, spec, Delivery(spec.name, None, "genai_services.csv", content),
            tmp_path / "archive", reader_for(spec), audit_delivery,
        )  # fmt: skip
        assert result.status == "loaded", result.problems
        raw = connection.execute(
            "select service_id, province, registration_date, provenance, provenance_source "
            "from raw.genai_services order by service_id"
        ).fetchall()

    completed = dbt_in(
        tmp_path, {"SUANLI_WAREHOUSE": str(warehouse)}, "run", "--select", "stg_genai_services"
    )
    assert completed.returncode == 0, completed.stdout[-3000:]

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        staged = connection.execute(
            "select service_id, province_code, registration_date, provenance, provenance_source, "
            "province_as_delivered from staging.stg_genai_services order by service_id"
        ).fetchall()
    assert [row[:5] for row in staged] == raw, "staging keeps intake's typed values"
    expected = {f"Svc-{n:04d}": code for n, (_, code) in enumerate(pairs)}
    assert {row[0]: row[1] for row in staged} == expected
    # The text as delivered stays beside the code, stripped as Python strips it.
    assert {row[5] for row in staged} >= {spelling.strip() for spelling, _ in pairs}
    assert {row[3] for row in staged} == {"synthetic"}, "an enum keeps its declared spelling"
    assert {row[4] for row in staged} == {"demo"}
