"""Stamps: a derived output folder (the report, the exports) is rebuilt only when its inputs
changed.

What a folder is made from is described by a JSON document (the published marts' content, the
SHA-256 of the code that writes it, library versions, parameters…) whose SHA-256 is its
fingerprint. The folder keeps a stamp, `<out_dir>/.inputs.json`: the fingerprint of the build
that wrote it, the SHA-256 of every file that build wrote, and details (JSON) a skipped build
reports again. A build removes the stamp first and writes it last, atomically, once every file
is in place: a stamp written last names a complete output. A later build with the same
fingerprint that finds every file with the bytes the stamp recorded has nothing to do.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from importlib import metadata
from pathlib import Path

import duckdb

STAMP = ".inputs.json"
STAMP_VERSION = 1
# Code files are named relative to the `suanli` package.
SUANLI_DIR = Path(__file__).resolve().parents[1]


def document_fingerprint(document: Mapping[str, object]) -> str:
    """SHA-256 of a JSON document describing a build's inputs (and of the stamp version).
    Equal documents give equal fingerprints whatever the order of their mappings' keys."""
    encoded = json.dumps(
        {"stamp_version": STAMP_VERSION, **document},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def code_digests(files: Iterable[Path]) -> dict[str, str]:
    """Each file's SHA-256 by its path relative to the `suanli` package (stable across
    checkouts: the same code in another directory is the same code)."""
    digests: dict[str, str] = {}
    for path in files:
        resolved = Path(path).resolve()
        inside = resolved.is_relative_to(SUANLI_DIR)
        name = resolved.relative_to(SUANLI_DIR) if inside else resolved
        digests[Path(name).as_posix()] = file_sha256(resolved)
    return digests


def library_versions(names: Iterable[str]) -> dict[str, str]:
    """The installed version of each distribution ("not installed" when it is not)."""
    versions: dict[str, str] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def marts_content(connection: duckdb.DuckDBPyConnection) -> str:
    """What identifies the marts' content: the `content_sha256` their publication recorded,
    else (a file published before it was recorded, or marts never published) the same
    fingerprint computed from the rows."""
    # here, not above: suanli.publish.marts imports Dagster, which the outputs themselves do
    # not need
    from suanli.publish.marts import PUBLICATION_TABLE, SCHEMA, marts_fingerprint

    try:
        cursor = connection.execute(f"select * from {SCHEMA}.{PUBLICATION_TABLE}")
    except duckdb.CatalogException:
        row = None
    else:
        names = [column[0] for column in cursor.description]
        values = cursor.fetchone()
        row = dict(zip(names, values, strict=True)) if values else None
    if row and row.get("content_sha256"):
        return f"published:{row['content_sha256']}"
    return f"computed:{marts_fingerprint(connection, [])}"


def read_stamp(out_dir: Path) -> dict | None:
    return read_json(Path(out_dir) / STAMP)


def read_json(path: Path) -> dict | None:
    """The JSON object at `path`; None when it is missing, unreadable or not an object."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def current_stamp(out_dir: Path, fingerprint: str) -> dict | None:
    """The stamp of out_dir when it was written for `fingerprint` and every file it lists is
    there with the bytes it had: the output need not be built again. Else None."""
    stamp = read_stamp(out_dir)
    if (
        stamp is None
        or stamp.get("stamp_version") != STAMP_VERSION
        or stamp.get("fingerprint") != fingerprint
        or not isinstance(stamp.get("files"), dict)
        or not stamp["files"]
        or not isinstance(stamp.get("details"), dict)
    ):
        return None
    for name, digest in stamp["files"].items():
        path = Path(out_dir) / name
        try:
            if file_sha256(path) != digest:
                return None
        except OSError:  # deleted, or replaced by a folder
            return None
    return stamp


def remove_stamp(out_dir: Path) -> None:
    """Before building: a build that fails halfway must not leave a stamp behind."""
    (Path(out_dir) / STAMP).unlink(missing_ok=True)


def write_stamp(
    out_dir: Path, fingerprint: str, files: Iterable[Path], details: Mapping[str, object]
) -> Path:
    """Record the build (call it last): its fingerprint, each file's SHA-256 and `details`
    (JSON) a skipped build reports again. Atomic: a temporary file renamed over the stamp."""
    out_dir = Path(out_dir)
    stamp = {
        "stamp_version": STAMP_VERSION,
        "fingerprint": fingerprint,
        "files": {
            Path(path).relative_to(out_dir).as_posix(): file_sha256(Path(path))
            for path in sorted(files)
        },
        "details": dict(details),
    }
    return write_json(out_dir / STAMP, stamp)


def write_json(target: Path, document: object) -> Path:
    """`document` as JSON at `target`, atomically: a temporary file beside it, synced and
    renamed over it (readable by all, as other files are), or removed when writing fails."""
    descriptor, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f"{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(document, file, ensure_ascii=False, indent=1, sort_keys=True)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return target


def build_unless_current(
    out_dir: Path,
    fingerprint: str,
    build: Callable[[], tuple[Iterable[Path], Mapping[str, object]]],
) -> tuple[Mapping[str, object], bool]:
    """The folder's details and whether it was left as it is: when its stamp is current for
    `fingerprint`, nothing is built; otherwise the stamp goes, `build()` writes the files and
    returns them with their details, and a new stamp is written last."""
    stamp = current_stamp(out_dir, fingerprint)
    if stamp is not None:
        return stamp["details"], True
    remove_stamp(out_dir)
    files, details = build()
    write_stamp(out_dir, fingerprint, files, details)
    return details, False
