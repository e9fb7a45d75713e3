"""Code versions for the Python assets: a digest of the source files that compute them.

Dagster compares an asset's code version with the one its latest materialisation recorded and
marks the asset "code changed" in the UI when they differ; a digest of the code (rather than a
hand-kept number) changes exactly when the code does.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def _files_digest(parts: tuple[str, ...]) -> bytes:
    digest = hashlib.sha256()
    for part in parts:
        root = PACKAGE_DIR / part
        for path in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.digest()


def code_version(*parts: str, extra: str = "") -> str:
    """The digest of the modules or packages `parts` (paths under `suanli/`, e.g. "intake" or
    "report/assets.py") and of `extra` (e.g. a source's contract), 12 hex digits."""
    return hashlib.sha256(_files_digest(parts) + extra.encode()).hexdigest()[:12]
