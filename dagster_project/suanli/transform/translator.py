"""How dbt's nodes appear in Dagster: keys and groups by warehouse layer, the yml description
(never dagster-dbt's dump of the raw SQL), owners from the folder's `meta.owner`
(dbt_project.yml), and a description on every test's asset check."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from dagster import AssetCheckSpec, AssetKey, AssetSpec
from dagster_dbt import DagsterDbtTranslator, DbtProject

# `ref('provinces')`, `source('raw', 'compute_centres')`: the relation a test points to
_RELATION = re.compile(r"""(?:ref|source)\((?:\s*['"][^'"]*['"]\s*,)?\s*['"]([^'"]+)['"]\s*\)""")


def _meta(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """A node's meta: folder-level `+meta` lands in its config, a yml `meta:` in both."""
    return {**(props.get("meta") or {}), **((props.get("config") or {}).get("meta") or {})}


def _values(values: Sequence[Any]) -> str:
    return ", ".join(str(value) for value in values)


def describe_test(test: Mapping[str, Any], subject: str) -> str:
    """A test's own yml description, else a sentence saying what it asserts of `subject`."""
    if description := (test.get("description") or "").strip():
        return description
    generic = test.get("test_metadata") or {}
    kwargs = generic.get("kwargs") or {}
    column = kwargs.get("column_name") or test.get("column_name")
    sentences = {
        "not_null": f"`{column}` of {subject} is never null.",
        "unique": f"No two rows of {subject} share a `{column}`.",
        "unique_combination": f"No two rows of {subject} share "
        f"({_values(kwargs.get('columns') or [])}).",
        "accepted_values": f"`{column}` of {subject} is one of: "
        f"{_values(kwargs.get('values') or [])}.",
        "relationships": f"Every `{column}` of {subject} is a `{kwargs.get('field')}` of "
        + (
            match.group(1)
            if (match := _RELATION.search(str(kwargs.get("to", ""))))
            else str(kwargs.get("to"))
        )
        + ".",
    }
    name = generic.get("name")
    sentence = sentences.get(name) or (
        f"dbt test `{name or test['name']}` on {subject}"
        + (f" (column `{column}`)" if column else "")
        + " returns no row."
    )
    severity = ((test.get("config") or {}).get("severity") or "error").lower()
    return sentence + (" Warns only." if severity == "warn" else "")


class SuanliDbtTranslator(DagsterDbtTranslator):
    """Keys and groups by warehouse layer: raw/…, definitions/…, reference/…, staging/…, marts/…"""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return AssetKey([dbt_resource_props["config"]["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return dbt_resource_props["source_name"]
        return dbt_resource_props["config"]["schema"]

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        # The SQL is a click away in the code reference and dbt docs; a page-long dump of it
        # buried the sentence saying what the table holds.
        return (dbt_resource_props.get("description") or "").strip() or (
            f"dbt {dbt_resource_props['resource_type']} {dbt_resource_props['name']}"
        )

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        owner = _meta(dbt_resource_props).get("owner")
        if owner:
            return [owner] if isinstance(owner, str) else list(owner)
        return super().get_owners(dbt_resource_props)

    def get_asset_check_spec(
        self,
        asset_spec: AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        test = manifest["nodes"][unique_id]
        return spec._replace(description=describe_test(test, asset_spec.key.to_user_string()))
