"""A subset of the CJK font shipped beside the page, so it reads the same on any machine offline.

Why embed rather than rely on the system font: the page is an artefact people open on
machines without Noto CJK (Windows, a CI artefact viewer), and a browser that falls back to
whatever font it has may draw tofu. A subset to the characters the page uses is ~100–300 kB
per weight instead of ~20 MB. Noto CJK is under the SIL Open Font License, which allows
subsetting and redistribution with documents, and declares no Reserved Font Name.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import string
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from suanli.report.fonts import CjkFont, FontFace, cmap_of, face_identity
from suanli.settings import cache_dir

FONT_DIR = "fonts"
# Subsets outlive the process in `<cache_dir>/webfonts`, one file per (font file, face, set
# of characters, fontTools version, recipe): rebuilding the report for the same text takes
# no subsetting (seconds per face for a 20 MB collection).
CACHE_SUBDIR = "webfonts"
CACHE_ENTRIES = 64  # the most recently used are kept; a subset is ~100–300 kB
STALE_TEMPORARY_SECONDS = 3600  # a half-written entry older than this was left by a crash
# Part of the cache key: change it whenever the subsetting options in `_subset_bytes` change.
SUBSET_RECIPE = "woff/zlib; recalc_timestamp=False; fontTools defaults otherwise"
WOFF_SIGNATURE = b"wOFF"


@dataclass(frozen=True)
class WebFont:
    path: Path
    weight: int


class GlyphsMissing(ValueError):
    """The page uses characters the font cannot draw."""


# Whitespace the browser never draws a glyph for (line breaks, tabs, form feeds).
LAYOUT_WHITESPACE = frozenset("\t\n\r\x0b\x0c")


def page_characters(text: str) -> set[str]:
    """Characters that need a glyph: every printable one of the text, and every space it draws
    (the ASCII space, and e.g. the ideographic space U+3000 that indents the weight tables: a
    subset without it sends that text to a fallback font), plus printable ASCII."""
    return {
        c
        for c in text + string.printable
        if c.isprintable() or (c.isspace() and c not in LAYOUT_WHITESPACE)
    }


def missing_characters(face: FontFace, characters: set[str]) -> list[str]:
    cmap = cmap_of(face)
    return sorted(c for c in characters if ord(c) not in cmap)


def webfont_cache_dir() -> Path:
    return cache_dir() / CACHE_SUBDIR


def subset_key(face: FontFace, characters: set[str]) -> str:
    """SHA-256 naming the subset of `face` for exactly `characters`, as this code makes it."""
    import fontTools

    description = {
        "font": face_identity(face),
        "characters": "".join(sorted(characters)),
        "fonttools": fontTools.version,
        "recipe": SUBSET_RECIPE,
    }
    encoded = json.dumps(description, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def _subset_bytes(face: FontFace, characters: set[str]) -> bytes:
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"  # zlib: browsers read it everywhere; WOFF2 would need brotli
    options.font_number = face.face_index
    options.recalc_timestamp = False  # keep the source's timestamp: same input, same bytes
    font = subset.load_font(str(face.path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in characters))
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    return buffer.getvalue()


def _is_whole_woff(data: bytes) -> bool:
    """The WOFF header records the file's length: a truncated file is not used."""
    return (
        len(data) >= 12
        and data.startswith(WOFF_SIGNATURE)
        and struct.unpack(">I", data[8:12])[0] == len(data)
    )


def read_cached(cache: Path, key: str) -> bytes | None:
    """The cached subset, or None; a hit is marked as recently used (kept longest)."""
    entry = cache / f"{key}.woff"
    try:
        data = entry.read_bytes()
    except OSError:
        return None
    if not _is_whole_woff(data):
        return None
    with contextlib.suppress(OSError):  # a read-only cache still serves
        os.utime(entry)
    return data


def write_cached(cache: Path, key: str, data: bytes) -> None:
    """Atomically (a temporary file renamed over the entry): a reader, or a concurrent
    build, sees the whole subset or none. A cache that cannot be written costs only time."""
    temporary: str | None = None
    try:
        cache.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=cache, prefix=f".{key}.", suffix=".tmp")
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the cache from other users
        os.replace(temporary, cache / f"{key}.woff")
        temporary = None
        prune_cache(cache)
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def prune_cache(cache: Path, keep: int = CACHE_ENTRIES) -> None:
    """Drop all but the `keep` most recently used subsets, and crashed writes' leftovers."""

    def modified(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except OSError:  # removed meanwhile by a concurrent prune
            return 0.0

    entries = sorted(cache.glob("*.woff"), key=modified, reverse=True)
    stale = time.time() - STALE_TEMPORARY_SECONDS
    leftovers = [path for path in cache.glob(".*.tmp") if modified(path) < stale]
    for path in [*entries[keep:], *leftovers]:
        path.unlink(missing_ok=True)


def write_web_fonts(
    font: CjkFont, text: str, out_dir: Path, cache: Path | None = None
) -> list[WebFont]:
    """Subsets of the regular (and bold, when installed) face covering `text`, from the
    cache (default `webfont_cache_dir()`) when it has them.

    Raises GlyphsMissing naming the characters the font lacks: the page would show tofu.
    """
    characters = page_characters(text)
    cache = webfont_cache_dir() if cache is None else cache
    faces = [(weight, face) for weight, face in ((400, font.regular), (700, font.bold)) if face]
    keys = {weight: subset_key(face, characters) for weight, face in faces}
    cached = {weight: read_cached(cache, keys[weight]) for weight, _ in faces}
    # A cached regular subset was only written once this check had passed for the same
    # font file and characters: reading the face's whole cmap again would change nothing.
    if cached[400] is None:
        missing = missing_characters(font.regular, characters)
        if missing:
            raise GlyphsMissing(f"{font.family} has no glyph for {''.join(missing)!r}")
    directory = out_dir / FONT_DIR
    directory.mkdir(parents=True, exist_ok=True)
    fonts: list[WebFont] = []
    for weight, face in faces:  # without a bold face the browser emboldens the regular one
        data = cached[weight]
        if data is None:
            data = _subset_bytes(face, characters)
            write_cached(cache, keys[weight], data)
        target = directory / f"{font.family.replace(' ', '')}-{weight}-subset.woff"
        target.write_bytes(data)
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
