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
def _file_digest(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


def code_version(*parts: str, extra: str = "") -> str:
    """The digest of the modules or packages `parts` (paths under `suanli/`, e.g. "intake" or
    "report/assets.py") and of `extra` (e.g. a source's contract), 12 hex digits."""
    digest = hashlib.sha256(extra.encode())
    for part in parts:
        root = PACKAGE_DIR / part
        files = sorted(root.rglob("*.py")) if root.is_dir() else [root]
        for path in files:
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
            digest.update(_file_digest(path))
    return digest.hexdigest()[:12]
