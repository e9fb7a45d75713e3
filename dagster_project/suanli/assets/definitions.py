"""Index systems (seeds/index_systems/*.yml) weighed with AHP into `definitions.*` tables."""

from dataclasses import asdict

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from suanli.index.definition import load_systems, weigh
from suanli.paths import INDEX_SYSTEMS_DIR
from suanli.resources.warehouse import WarehouseResource

INDEX_SYSTEMS_KEY = AssetKey(["definitions", "index_systems"])
INDEX_NODES_KEY = AssetKey(["definitions", "index_nodes"])


@multi_asset(
    specs=[
        AssetSpec(
            INDEX_SYSTEMS_KEY,
            description="Index systems defined under seeds/index_systems/.",
            group_name="definitions",
        ),
        AssetSpec(
            INDEX_NODES_KEY,
            description="Every node of every index system with its AHP local weight and the "
            "consistency (λmax, CI, RI, CR) of its own pairwise matrix.",
            group_name="definitions",
        ),
    ],
    pool="warehouse",
)
def index_definitions(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> tuple[MaterializeResult, MaterializeResult]:
    """Stops the run, naming system, node and CR, when a matrix is inconsistent (CR ≥ 0.10)."""
    systems = load_systems(INDEX_SYSTEMS_DIR)
    nodes_frame = pd.DataFrame([asdict(row) for system in systems for row in weigh(system)])
    systems_frame = pd.DataFrame(
        [
            {
                "system_code": system.system_code,
                "name_zh": system.name_zh,
                "name_en": system.name_en,
                "report": system.report,
                "unit_level": system.unit_level,
                "first_year": min(system.years),
                "last_year": max(system.years),
                "standardisation": system.standardisation,
                "constant_column_score": system.constant_column_score,
                "random_index_table": system.random_index,
                "source_file": system.source_file,
            }
            for system in systems
        ]
    )
    with warehouse.connect() as connection:
        connection.execute("create schema if not exists definitions")
        connection.register("systems_frame", systems_frame)
        connection.register("nodes_frame", nodes_frame)
        connection.execute("begin transaction")
        connection.execute(
            "create or replace table definitions.index_systems as select * from systems_frame"
        )
        connection.execute(
            "create or replace table definitions.index_nodes as select * from nodes_frame"
        )
        connection.execute("commit")
    worst = nodes_frame.loc[nodes_frame["consistency_ratio"].idxmax()]
    context.log.info(f"weighed {len(nodes_frame)} nodes of {len(systems)} systems")
    return (
        MaterializeResult(
            asset_key=INDEX_SYSTEMS_KEY,
            metadata={"systems": ", ".join(s.system_code for s in systems)},
        ),
        MaterializeResult(
            asset_key=INDEX_NODES_KEY,
            metadata={
                "nodes": len(nodes_frame),
                "max_consistency_ratio": float(worst["consistency_ratio"]),
                "max_consistency_ratio_node": f"{worst['system_code']}.{worst['node_code']}",
            },
        ),
    )
