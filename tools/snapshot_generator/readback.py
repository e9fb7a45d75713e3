"""Read a written snapshot back as the warehouse would: every province cell is resolved by the
product's own resolver (`suanli.intake.regions`), mixed spellings and all."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from suanli.intake.regions import RegionLookup


@cache
def province_lookup(reference_dir: Path) -> RegionLookup:
    # Province names only, as intake resolves province cells (a bare 吉林 is the province).
    return RegionLookup.from_seeds(reference_dir)


def province_code(lookup: RegionLookup, delivered: str) -> str:
    """The one province the text names; anything else is an error in the snapshot."""
    codes = lookup.resolve(delivered)
    if len(codes) != 1 or codes[0] not in lookup.provinces:
        raise ValueError(f"not one province: {delivered!r} ({codes})")
    return codes[0]


def read_delivered(path: Path, reference_dir: Path, column: str = "province") -> pd.DataFrame:
    """A delivered CSV as text, with the province code of `column` in `code`."""
    lookup = province_lookup(reference_dir)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    try:
        # Resolve each distinct spelling once: registries repeat a few dozen over many rows.
        codes = {text: province_code(lookup, text) for text in df[column].unique()}
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from error
    df["code"] = df[column].map(codes)
    return df
