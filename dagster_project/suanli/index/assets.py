"""Index systems (seeds/index_systems/*.yml, or `SUANLI_INDEX_SYSTEMS`) weighed with AHP into
`definitions.*` tables."""

from collections.abc import Iterator
from dataclasses import asdict

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from suanli.code_versions import code_version
from suanli.index.panel import versions
from suanli.index.panel.assembly import (
    current_answers,
    panel_key,
    panels,
    stale_nodes,
    with_panel,
)
from suanli.index.panel.dispersion import JUDGEMENT_COLUMNS, WEIGHT_COLUMNS, panel_frames
from suanli.index.systems import IndexSystem, load_systems, weigh_system
from suanli.owners import METHOD_TEAM
from suanli.settings import index_systems_dir
from suanli.transform.row_counts import ROW_COUNT
from suanli.warehouse.resource import WarehouseResource

INDEX_SYSTEMS_KEY = AssetKey(["definitions", "index_systems"])
INDEX_NODES_KEY = AssetKey(["definitions", "index_nodes"])
INDEX_NODE_EXPERTS_KEY = AssetKey(["definitions", "index_node_experts"])
# Filled questionnaires: a panel replaces the definition's matrices of the nodes it judged.
QUESTIONNAIRES_KEY = AssetKey(["raw", "expert_judgements"])
# AHP, the definitions' reader and the panel's questionnaires: what weighs the definitions
INDEX_CODE_VERSION = code_version(
    "index/assets.py", "index/ahp.py", "index/systems.py", "index/panel"
)

# Column types stated, not inferred: an all-null column (no base-year system yet, no named
# expert) would otherwise be typed INTEGER or NULL by pandas and change type later.
SYSTEM_COLUMNS = {
    "system_code": "varchar",
    "name_zh": "varchar",
    "name_en": "varchar",
    "report": "varchar",
    "unit_level": "varchar",
    "first_year": "integer",
    "last_year": "integer",
    "standardisation": "varchar",
    "base_year": "integer",
    "constant_column_score": "double",
    "missing_impute": "varchar",
    "min_data_share": "double",
    "random_index_table": "varchar",
    "is_approximation": "boolean",
    "approximates": "varchar",
    "description": "varchar",
    "source_file": "varchar",
    # the `treatment:` block (COINr's outlier rule, suanli.index.treat)
    "winsorise": "boolean",
    "max_winsorised": "integer",
    "max_skew": "double",
    "max_kurtosis": "double",
    "panel_aggregation": "varchar",
}
EXPERT_COLUMNS = {
    "system_code": "varchar",
    "node_code": "varchar",
    "expert_position": "integer",
    "expert_name": "varchar",
    "expert_weight": "double",
    "aggregation": "varchar",
    "n_experts": "integer",
    "n": "integer",
    "judgements": "varchar",
    "lambda_max": "double",
    "consistency_index": "double",
    "random_index": "double",
    "consistency_ratio": "double",
    "is_consistent": "boolean",
    "aggregate_consistency_ratio": "double",
    "random_index_table": "varchar",
    "expert_id": "varchar",
    "delivery_id": "varchar",
    "completed_pairs": "integer",
    "completed": "varchar",
    "local_weights": "varchar",
    "weights_version": "integer",
}


def system_row(system: IndexSystem) -> dict[str, object]:
    return {
        "system_code": system.system_code,
        "name_zh": system.name_zh,
        "name_en": system.name_en,
        "report": system.report,
        "unit_level": system.unit_level,
        "first_year": min(system.years),
        "last_year": max(system.years),
        "standardisation": system.standardisation,
        "base_year": system.base_year,
        "constant_column_score": system.constant_column_score,
        "missing_impute": system.missing.impute,
        "min_data_share": system.missing.min_data_share,
        "random_index_table": system.random_index,
        "is_approximation": system.approximation,
        "approximates": system.approximates or None,
        "description": system.description or None,
        "source_file": system.source_file,
        "winsorise": system.treatment.winsorise,
        "max_winsorised": system.treatment.max_winsorised,
        "max_skew": system.treatment.max_skew,
        "max_kurtosis": system.treatment.max_kurtosis,
        "panel_aggregation": system.panel_aggregation,
    }


def typed_select(frame_name: str, columns: dict[str, str]) -> str:
    return (
        "select "
        + ", ".join(f"cast({column} as {kind}) as {column}" for column, kind in columns.items())
        + f" from {frame_name}"
    )


# Tables the weighing also writes: panels' judgements and weights, and the weights versions
# (kept across runs, so a year keeps the weights it was built with).
PANEL_JUDGEMENTS_KEY = AssetKey(["definitions", "index_panel_judgements"])
PANEL_WEIGHTS_KEY = AssetKey(["definitions", "index_panel_weights"])
WEIGHT_VERSIONS_KEY = AssetKey(["definitions", "weight_versions"])
NODE_WEIGHT_VERSIONS_KEY = AssetKey(["definitions", "index_node_weight_versions"])


def _spec(key: AssetKey, description: str, from_questionnaires: bool = True) -> AssetSpec:
    return AssetSpec(
        key,
        description=description,
        group_name="definitions",
        owners=[METHOD_TEAM],
        code_version=INDEX_CODE_VERSION,
        deps=[QUESTIONNAIRES_KEY] if from_questionnaires else [],
    )


@multi_asset(
    specs=[
        _spec(
            INDEX_SYSTEMS_KEY,
            "Index systems defined under seeds/index_systems/ (or the folder "
            "SUANLI_INDEX_SYSTEMS names): years, standardisation (per year or base year), "
            "outlier treatment (COINr's rule, off by default), missing values (imputation, "
            "data-availability threshold), whether a system approximates a published one.",
            from_questionnaires=False,
        ),
        _spec(
            INDEX_NODES_KEY,
            "Every node of every index system with its AHP local weight and the "
            "consistency (λmax, CI, RI, CR) of its own pairwise matrix (for a panel of "
            "experts: of their geometric-mean matrix, AIJ), and the weights version they "
            "belong to (0: the definition file; 1, 2 …: each panel of questionnaires).",
        ),
        _spec(
            INDEX_NODE_EXPERTS_KEY,
            "Every judgement matrix behind a node's weights: the single matrix "
            "of the definition, or each expert's (of the definition or of a questionnaire, "
            "blanks completed), with that matrix's own λmax, CI and CR.",
        ),
        _spec(
            PANEL_JUDGEMENTS_KEY,
            "Each pairwise judgement of a panel's experts, with its dispersion across them.",
        ),
        _spec(
            PANEL_WEIGHTS_KEY,
            "Each expert's own local weights of a node's children (priority vectors).",
        ),
        _spec(
            WEIGHT_VERSIONS_KEY,
            "Every weights version of every system (0: the definition's matrices; 1, 2 …: "
            "each panel of questionnaires) and which one is in force; kept across runs.",
        ),
        _spec(
            NODE_WEIGHT_VERSIONS_KEY,
            "Every node's local weight under every weights version, kept across runs.",
        ),
    ],
)
def index_definitions(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[MaterializeResult]:
    """Stops the run, naming system, node (and expert) and CR, when a matrix is inconsistent
    (CR ≥ 0.10): an expert's own matrix or a node's (aggregate) matrix."""
    directory = index_systems_dir()
    systems = load_systems(directory)
    with warehouse.connect(what="definitions/index_*") as connection:
        by_system = panels(current_answers(connection))
        # One transaction: a definition that stops the run leaves no table written.
        connection.execute("begin transaction")
        versions.prepare(connection)
        weighed, version_of = [], {}
        for system in systems:
            panel = by_system.get(system.system_code, [])
            for stale in stale_nodes(system, panel):
                context.log.warning(
                    f"{system.system_code}: questionnaire answers left out, the node has "
                    f"changed since they were given: {stale}"
                )
            definition = weigh_system(system)
            versions.record_definition(
                connection, system.system_code, system.panel_aggregation, definition
            )
            weights = weigh_system(with_panel(system, panel)) if panel else definition
            key = panel_key(panel, system.panel_aggregation) if panel else versions.DEFINITION_KEY
            version_of[system.system_code] = versions.register(
                connection, system.system_code, key, system.panel_aggregation, panel, weights
            )
            weighed.append(weights)
        nodes_frame = pd.DataFrame([asdict(row) for weights in weighed for row in weights.nodes])
        experts_frame = pd.DataFrame(
            [asdict(row) for weights in weighed for row in weights.experts],
            columns=[column for column in EXPERT_COLUMNS if column != "weights_version"],
        )
        judgements_frame, weights_frame = panel_frames(weighed)
        for frame in (nodes_frame, experts_frame, judgements_frame, weights_frame):
            frame["weights_version"] = frame["system_code"].map(version_of)
        connection.register("judgements_frame", judgements_frame)
        connection.register("weights_frame", weights_frame)
        connection.execute(
            "create or replace table definitions.index_panel_judgements as "
            + typed_select("judgements_frame", {**JUDGEMENT_COLUMNS, "weights_version": "integer"})
        )
        connection.execute(
            "create or replace table definitions.index_panel_weights as "
            + typed_select("weights_frame", {**WEIGHT_COLUMNS, "weights_version": "integer"})
        )
        systems_frame = pd.DataFrame(
            [system_row(system) for system in systems], columns=list(SYSTEM_COLUMNS)
        )
        connection.register("systems_frame", systems_frame)
        connection.register("nodes_frame", nodes_frame)
        connection.register("experts_frame", experts_frame)
        connection.execute(
            "create or replace table definitions.index_systems as "
            + typed_select("systems_frame", SYSTEM_COLUMNS)
        )
        connection.execute(
            "create or replace table definitions.index_nodes as select * from nodes_frame"
        )
        connection.execute(
            "create or replace table definitions.index_node_experts as "
            + typed_select("experts_frame", EXPERT_COLUMNS)
        )
        connection.execute("commit")
        kept = {
            key: connection.execute(f"select count(*) from {'.'.join(key.path)}").fetchone()[0]
            for key in (WEIGHT_VERSIONS_KEY, NODE_WEIGHT_VERSIONS_KEY)
        }
    worst = nodes_frame.loc[nodes_frame["consistency_ratio"].idxmax()]
    worst_expert = experts_frame.loc[experts_frame["consistency_ratio"].idxmax()]
    judged = experts_frame.loc[experts_frame["aggregation"] != "single"]
    panel_nodes = judged[["system_code", "node_code"]]
    context.log.info(f"weighed {len(nodes_frame)} nodes of {len(systems)} systems from {directory}")
    yield from (
        MaterializeResult(
            asset_key=INDEX_SYSTEMS_KEY,
            metadata={
                ROW_COUNT: len(systems),
                "systems": ", ".join(s.system_code for s in systems),
                "directory": str(directory),
                "approximations": ", ".join(s.system_code for s in systems if s.approximation),
                "winsorised": ", ".join(s.system_code for s in systems if s.treatment.winsorise),
            },
        ),
        MaterializeResult(
            asset_key=INDEX_NODES_KEY,
            metadata={
                ROW_COUNT: len(nodes_frame),
                "nodes": len(nodes_frame),
                "max_consistency_ratio": float(worst["consistency_ratio"]),
                "max_consistency_ratio_node": f"{worst['system_code']}.{worst['node_code']}",
            },
        ),
        MaterializeResult(
            asset_key=INDEX_NODE_EXPERTS_KEY,
            metadata={
                ROW_COUNT: len(experts_frame),
                "judgement_matrices": len(experts_frame),
                "nodes_with_expert_panels": len(panel_nodes.drop_duplicates()),
                "weights_versions": ", ".join(
                    f"{code} v{version}" for code, version in version_of.items()
                ),
                "max_expert_consistency_ratio": float(worst_expert["consistency_ratio"]),
                "max_expert_consistency_ratio_node": (
                    f"{worst_expert['system_code']}.{worst_expert['node_code']}"
                    + (f" ({worst_expert['expert_name']})" if worst_expert["expert_name"] else "")
                ),
            },
        ),
        MaterializeResult(
            asset_key=PANEL_JUDGEMENTS_KEY, metadata={ROW_COUNT: len(judgements_frame)}
        ),
        MaterializeResult(asset_key=PANEL_WEIGHTS_KEY, metadata={ROW_COUNT: len(weights_frame)}),
        *(MaterializeResult(asset_key=key, metadata={ROW_COUNT: n}) for key, n in kept.items()),
    )
