"""A subset of the CJK font shipped beside the page, so it reads the same on any machine offline.

Why embed rather than rely on the system font: the page is an artefact people open on
machines without Noto CJK (Windows, a CI artefact viewer), and a browser that falls back to
whatever font it has may draw tofu. A subset to the characters the page uses is ~100–300 kB
per weight instead of ~20 MB. Noto CJK is under the SIL Open Font License, which allows
subsetting and redistribution with documents, and declares no Reserved Font Name.
"""

from __future__ import annotations

import io
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from suanli.report.fonts import CjkFont, FontFace, cmap_of

FONT_DIR = "fonts"


@dataclass(frozen=True)
class WebFont:
    path: Path
    weight: int


class GlyphsMissing(ValueError):
    """The page uses characters the font cannot draw."""


def page_characters(text: str) -> set[str]:
    """Characters that need a glyph: every printable one of the text (the space included: a
    subset without it sends every space to a fallback font), plus printable ASCII."""
    return {c for c in text + string.printable if c.isprintable()}


def missing_characters(face: FontFace, characters: set[str]) -> list[str]:
    cmap = cmap_of(face)
    return sorted(c for c in characters if ord(c) not in cmap)


@lru_cache(maxsize=8)
def _subset_bytes(
    path: Path, face_index: int, modified_ns: int, characters: frozenset[str]
) -> bytes:
    """Subsetting a 20 MB collection takes seconds: a process building the report again for
    the same text (a long-lived Dagster process, the tests) reuses the result."""
    from fontTools import subset

    del modified_ns  # part of the cache key only: an updated font file is read again
    options = subset.Options()
    options.flavor = "woff"  # zlib: browsers read it everywhere; WOFF2 would need brotli
    options.font_number = face_index
    options.recalc_timestamp = False  # keep the source's timestamp: same input, same bytes
    font = subset.load_font(str(path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in characters))
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    return buffer.getvalue()


def _subset(face: FontFace, characters: set[str], target: Path) -> None:
    modified = face.path.stat().st_mtime_ns
    data = _subset_bytes(face.path, face.face_index, modified, frozenset(characters))
    target.write_bytes(data)


def write_web_fonts(font: CjkFont, text: str, out_dir: Path) -> list[WebFont]:
    """Subsets of the regular (and bold, when installed) face covering `text`.

    Raises GlyphsMissing naming the characters the font lacks: the page would show tofu.
    """
    characters = page_characters(text)
    missing = missing_characters(font.regular, characters)
    if missing:
        raise GlyphsMissing(f"{font.family} has no glyph for {''.join(missing)!r}")
    directory = out_dir / FONT_DIR
    directory.mkdir(parents=True, exist_ok=True)
    fonts: list[WebFont] = []
    for weight, face in ((400, font.regular), (700, font.bold)):
        if face is None:
            continue  # the browser emboldens the regular face
        target = directory / f"{font.family.replace(' ', '')}-{weight}-subset.woff"
        _subset(face, characters, target)
        fonts.append(WebFont(target, weight))
    return fonts


def font_face_css(family: str, fonts: list[WebFont], relative_to: Path) -> str:
    rules = []
    for web_font in fonts:
        url = web_font.path.relative_to(relative_to).as_posix()
        rules.append(
            "@font-face {"
            f' font-family: "{family}"; src: url("{url}") format("woff");'
            f" font-weight: {web_font.weight}; font-style: normal; font-display: block; }}"
        )
    return "\n".join(rules)
