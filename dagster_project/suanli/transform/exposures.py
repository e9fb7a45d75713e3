"""dbt exposures (dbt_project/models/marts/_exposures.yml) as Dagster assets.

dagster-dbt loads models, seeds and snapshots only; an exposure says who reads the marts. Each
becomes an asset that nothing materialises (it is the readers, not data), keyed
`exposures/<name>`, downstream of the marts it lists and of the Dagster assets that deliver it
(`meta.delivered_by`: the report, the published file, the exports), with its owners.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetKey, AssetSpec

from suanli.transform.translator import SuanliDbtTranslator

GROUP = "exposures"


def _delivered_by(exposure: Mapping[str, Any]) -> list[AssetKey]:
    named = (exposure.get("meta") or {}).get("delivered_by") or []
    return [
        AssetKey.from_user_string(key) for key in ([named] if isinstance(named, str) else named)
    ]


def exposure_specs(manifest: Mapping[str, Any], translator: SuanliDbtTranslator) -> list[AssetSpec]:
    specs = []
    for exposure in manifest.get("exposures", {}).values():
        marts = [
            translator.get_asset_key(manifest["nodes"][unique_id])
            for unique_id in exposure["depends_on"]["nodes"]
            if unique_id in manifest["nodes"]
        ]
        label = exposure.get("label") or exposure["name"]
        specs.append(
            AssetSpec(
                AssetKey([GROUP, exposure["name"]]),
                description=f"{label}: {exposure.get('description') or ''}".strip(),
                deps=[*marts, *_delivered_by(exposure)],
                group_name=GROUP,
                owners=translator.get_owners(exposure),
                kinds={"dbt", exposure.get("type") or "exposure"},
                metadata={
                    "dbt_unique_id": exposure["unique_id"],
                    "maturity": exposure.get("maturity") or "",
                    "url": exposure.get("url") or "",
                },
            )
        )
    return specs
