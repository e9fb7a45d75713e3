"""Great Expectations suites kept as JSON data, validated on pandas frames read from DuckDB.

A suite file is a GX 1.x ExpectationSuite (name, expectations) whose `meta` adds what GX's
SQL datasource cannot do on DuckDB: `targets` (asset keys, `/`-separated, each blocking or
not). The rows it validates are the query beside it (`<suite>.sql`), where `{relation}` stands
for the target table and `{ref[name]}` / `{source[table]}` for the dbt model, seed or raw table
of that name (resolved from dbt's manifest, never spelled as a schema in the suite). Each
expectation's `meta.severity` is ERROR (stops publication) or WARN (someone should look); an
expectation may carry a GX `row_condition` to apply its bounds to some rows only: a parameter
`{"indicators": {column: value, …}}` there stands for the codes of the indicator catalogue
whose columns have those values (null = empty), so a new indicator is judged by its row.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from suanli.index.catalogue import Indicator, load_catalogue
from suanli.settings import DBT_PROJECT_DIR

SEVERITIES = ("ERROR", "WARN")
SAMPLE_SIZE = 5
BOUND_KWARGS = ("min_value", "max_value")


@dataclass(frozen=True)
class SuiteTarget:
    asset_path: tuple[str, ...]
    blocking: bool

    @property
    def relation(self) -> str:
        return ".".join(self.asset_path)


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    query: str
    targets: tuple[SuiteTarget, ...]
    definition: dict[str, Any]

    def sql_for(self, target: SuiteTarget) -> str:
        return self.query.format(
            relation=target.relation, ref=_Relations("ref"), source=_Relations("source")
        )


class _Relations:
    """`{ref[name]}` / `{source[table]}` in a suite's query: the relation dbt builds for it."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __getitem__(self, name: str) -> str:
        relations = _manifest_relations()[self.kind]
        if name not in relations:
            raise KeyError(f"{{{self.kind}[{name}]}}: no dbt {self.kind} of that name")
        return relations[name]


@cache
def _manifest_relations() -> dict[str, dict[str, str]]:
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text("utf-8"))
    relations: dict[str, dict[str, str]] = {"ref": {}, "source": {}}
    for node in manifest["nodes"].values():
        if node["resource_type"] in ("model", "seed"):
            relations["ref"][node["name"]] = f"{node['schema']}.{node['alias']}"
    for node in manifest["sources"].values():
        relations["source"][node["name"]] = f"{node['schema']}.{node['identifier']}"
    return relations


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    severity: str
    success: bool
    observed: Any
    unexpected_count: int | None
    unexpected_sample: list[dict[str, Any]]
    # The configured limits (min_value, max_value), so that a report can say what was allowed.
    bounds: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    rows: int
    outcomes: tuple[ExpectationOutcome, ...]
    # GX's own validation result, kept for rendering Data Docs.
    result: Any = field(default=None, compare=False, repr=False)

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.success]

    @property
    def passed(self) -> bool:
        return not self.failed

    @property
    def worst_severity(self) -> str | None:
        severities = {outcome.severity for outcome in self.failed}
        return next((s for s in SEVERITIES if s in severities), None)


def load_suite(path: Path, catalogue: dict[str, Indicator] | None = None) -> Suite:
    definition = json.loads(path.read_text(encoding="utf-8"))
    meta = definition.get("meta", {})
    catalogue = load_catalogue() if catalogue is None else catalogue
    for expectation in definition["expectations"]:
        severity = expectation.get("meta", {}).get("severity")
        if severity not in SEVERITIES:
            raise ValueError(
                f"{path.name}: expectation {expectation['type']} needs meta.severity in "
                f"{SEVERITIES}, found {severity!r}"
            )
        if condition := expectation["kwargs"].get("row_condition"):
            _select_indicators(condition, catalogue, path.name)
    targets = tuple(
        SuiteTarget(tuple(target["asset"].split("/")), bool(target.get("blocking", False)))
        for target in meta["targets"]
    )
    return Suite(
        name=definition["name"],
        description=meta.get("description", ""),
        query=path.with_suffix(".sql").read_text(encoding="utf-8"),
        targets=targets,
        definition={k: v for k, v in definition.items() if k != "meta"},
    )


def _select_indicators(
    condition: dict[str, Any], catalogue: dict[str, Indicator], suite_file: str
) -> None:
    """Replace `{"indicators": {column: value}}` parameters by the catalogue's codes, in place."""
    for part in condition.get("conditions", ()):
        _select_indicators(part, catalogue, suite_file)
    selector = condition.get("parameter")
    if not (isinstance(selector, dict) and set(selector) == {"indicators"}):
        return
    wanted = selector["indicators"]
    unknown = set(wanted) - set(Indicator.__dataclass_fields__)
    if unknown:
        raise ValueError(f"{suite_file}: no catalogue column {sorted(unknown)} to select on")
    codes = [
        code
        for code, indicator in catalogue.items()
        if all(getattr(indicator, column) == value for column, value in wanted.items())
    ]
    if not codes:
        raise ValueError(f"{suite_file}: no catalogued indicator has {wanted}")
    condition["parameter"] = codes


def load_suites(directory: Path) -> list[Suite]:
    catalogue = load_catalogue()
    return [load_suite(path, catalogue) for path in sorted(directory.glob("*.json"))]


_CONTEXT_LOCK = threading.Lock()
_warming = threading.Event()


def warm_up() -> None:
    """Import GX and make its context on a thread of its own, once per process: the run's raw
    steps, which call this, mostly wait on files and DuckDB, so the seconds GX takes to import
    pass while they work instead of in the first check step."""
    if not _warming.is_set():
        _warming.set()
        # GX imports sqlalchemy.orm, whose import registers inspection hooks in sqlalchemy core
        # before its own modules are whole: Dagster's event log, using core on the steps' thread
        # meanwhile, met a half-imported sqlalchemy.orm.exc and failed a step. Import it here.
        import sqlalchemy.orm  # noqa: F401

        threading.Thread(target=gx_context, name="gx-warm-up", daemon=True).start()


def gx_context() -> Any:
    with _CONTEXT_LOCK:  # a check waits for the warm-up's context rather than making another
        return _gx_context()


@cache
def _gx_context() -> Any:
    # GX takes seconds to import: only pay for it in a process that runs checks.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def validate(suite: Suite, frame: pd.DataFrame) -> SuiteOutcome:
    """Validate a frame against the suite in an ephemeral GX context."""
    import great_expectations as gx

    context = gx_context()
    source = context.data_sources.add_or_update_pandas(f"suanli_{suite.name}")
    asset = source.add_dataframe_asset(name=f"{suite.name}_{len(source.assets)}")
    batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
        batch_parameters={"dataframe": frame}
    )
    result = batch.validate(gx.ExpectationSuite(**suite.definition), result_format="COMPLETE")
    outcomes = []
    for expectation_result in result.results:
        config = expectation_result.expectation_config
        details = expectation_result.result or {}
        indexes = details.get("unexpected_index_list") or []
        sample = frame.loc[list(indexes)[:SAMPLE_SIZE]] if indexes else frame.iloc[0:0]
        outcomes.append(
            ExpectationOutcome(
                expectation=config.type,
                column=config.kwargs.get("column"),
                severity=config.meta["severity"],
                success=bool(expectation_result.success),
                observed=details.get("observed_value"),
                unexpected_count=details.get("unexpected_count"),
                unexpected_sample=json.loads(sample.to_json(orient="records", force_ascii=False)),
                bounds={k: v for k, v in config.kwargs.items() if k in BOUND_KWARGS},
            )
        )
    return SuiteOutcome(suite.name, len(frame), tuple(outcomes), result)
