"""GX Data Docs: every validation rendered to static HTML by GX's own site builder, readable
offline (its views draw from our templates first: `data_docs_views`).

The ephemeral GX context gets a filesystem site and a filesystem validation-results store,
both under one directory (`SUANLI_GX_DOCS`, default `data/gx_docs`). Results are kept on disk
so that the site's index lists every run, not only those of the current process (GX removes
pages whose result is missing from the store when it rebuilds the index).

Each result is stamped with its data asset (the validated relation, e.g. `marts.fct_index_scores`)
and its run (the Dagster run and check step): GX's pages otherwise say "Data asset: None" and
"Run Name: __none__", since an ephemeral context's results carry neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from suanli.quality.suites import gx_context

SITE_NAME = "suanli"
RESULTS_STORE = "suanli_validation_results"
RESULTS_SUBDIR = "validation_results"
# The index page lists this many of the newest validations.
INDEX_LIMIT = 500
# Imported by GX when it builds the site (the module imports GX: never at our import time).
VIEWS_MODULE = "suanli.quality.data_docs_views"


def site_config(directory: Path) -> dict[str, Any]:
    return {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(directory),
        },
        "site_index_builder": {
            "class_name": "DefaultSiteIndexBuilder",
            "validation_results_limit": INDEX_LIMIT,
            "view": {"module_name": VIEWS_MODULE, "class_name": "OfflineIndexPageView"},
        },
        # Suites live in expectations/*.json, not in a GX store: render validations only.
        "site_section_builders": {
            "expectations": "None",
            "profiling": "None",
            "validations": {
                "class_name": "DefaultSiteSectionBuilder",
                "source_store_name": RESULTS_STORE,
                "renderer": {"class_name": "ValidationResultsPageRenderer"},
                "view": {"module_name": VIEWS_MODULE, "class_name": "OfflinePageView"},
            },
        },
    }


def _configure(context: Any, directory: Path) -> None:
    """Point the site and the results store at `directory` (it may change between calls)."""
    context.add_store(
        RESULTS_STORE,
        {
            "class_name": "ValidationResultsStore",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(directory / RESULTS_SUBDIR),
            },
        },
    )
    if SITE_NAME in context.list_data_docs_sites():
        context.update_data_docs_site(SITE_NAME, site_config(directory))
    else:
        context.add_data_docs_site(SITE_NAME, site_config(directory))


def publish_all(
    results: Sequence[tuple[Any, str, str]], *, run_name: str, directory: Path
) -> list[Path]:
    """Store validation results (result, suite, batch), render their pages and the index once;
    return each page's path, in order. `batch` names the data asset too."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    if not results:
        return []
    context = gx_context()
    _configure(context, directory)
    run_id = RunIdentifier(run_name=run_name, run_time=datetime.now(UTC))
    identifiers = []
    for result, suite, batch in results:
        identifier = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite),
            run_id=run_id,
            batch_identifier=batch,
        )
        _stamp(result, run_id, asset=batch)
        context.stores[RESULTS_STORE].set(identifier, result)
        identifiers.append(identifier)
    context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=identifiers)
    pages = []
    for identifier in identifiers:
        (site,) = context.get_docs_sites_urls(
            resource_identifier=identifier, site_names=[SITE_NAME]
        )
        pages.append(Path(url2pathname(urlparse(site["site_url"]).path)))
    return pages


def _stamp(result: Any, run_id: Any, *, asset: str) -> None:
    """Name the run and the data asset where GX's renderers look for them (`meta`)."""
    result.meta["run_id"] = run_id
    result.meta["batch_spec"] = {**(result.meta.get("batch_spec") or {}), "data_asset_name": asset}
