"""Web font subsets are cached across processes: the same font file and characters are
subset once; another font file, version of it or text is subset again; a cache entry is
whole or absent. DejaVu Sans (shipped with matplotlib) stands in for the CJK font: it
subsets in a fraction of a second."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import matplotlib
import pytest

from suanli.report import webfont
from suanli.report.fonts import CjkFont, FontFace
from suanli.report.webfont import (
    GlyphsMissing,
    prune_cache,
    read_cached,
    subset_key,
    webfont_cache_dir,
    write_cached,
    write_web_fonts,
)
from suanli.settings import REPO_ROOT, cache_dir

DEJAVU = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
TEXT = "Suanli report 2025: Top 10"


@pytest.fixture
def font(tmp_path: Path) -> CjkFont:
    """Copies, so a test may touch them."""
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    regular = shutil.copy(DEJAVU / "DejaVuSans.ttf", fonts)
    bold = shutil.copy(DEJAVU / "DejaVuSans-Bold.ttf", fonts)
    return CjkFont("DejaVu Sans", FontFace(Path(regular), 0), FontFace(Path(bold), 0))


def _fail(*args: object) -> None:
    raise AssertionError("the cache should have answered")


def test_the_same_text_is_subset_once(
    font: CjkFont, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = write_web_fonts(font, TEXT, tmp_path / "first", cache=cache)
    assert [web_font.weight for web_font in first] == [400, 700]
    assert len(list(cache.glob("*.woff"))) == 2
    monkeypatch.setattr(webfont, "_subset_bytes", _fail)
    # a cached regular subset was only written once the glyph check had passed
    monkeypatch.setattr(webfont, "missing_characters", _fail)
    again = write_web_fonts(font, TEXT, tmp_path / "again", cache=cache)
    for one, other in zip(first, again, strict=True):
        assert one.path.read_bytes() == other.path.read_bytes()
        assert one.path.read_bytes()[:4] == b"wOFF"


def test_another_text_or_font_file_is_another_entry(font: CjkFont) -> None:
    characters = webfont.page_characters(TEXT)
    key = subset_key(font.regular, characters)
    assert subset_key(font.regular, set(characters)) == key
    assert subset_key(font.regular, webfont.page_characters(TEXT + "é")) != key
    assert subset_key(font.bold, characters) != key
    assert subset_key(FontFace(font.regular.path, 1), characters) != key
    stat = font.regular.path.stat()
    os.utime(font.regular.path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert subset_key(font.regular, characters) != key  # an updated font file


def test_a_missing_glyph_is_still_refused(font: CjkFont, tmp_path: Path) -> None:
    with pytest.raises(GlyphsMissing, match="算"):
        write_web_fonts(font, "算力", tmp_path / "out", cache=tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("*.woff"))


def test_an_entry_is_whole_or_absent(tmp_path: Path, font: CjkFont) -> None:
    cache = tmp_path / "cache"
    [web_font, _] = write_web_fonts(font, TEXT, tmp_path / "out", cache=cache)
    data = web_font.path.read_bytes()
    write_cached(cache, "k", data)
    assert read_cached(cache, "k") == data
    assert not list(cache.glob(".*.tmp"))  # written aside, then renamed
    (cache / "k.woff").write_bytes(data[: len(data) // 2])  # e.g. a disk that filled up
    assert read_cached(cache, "k") is None
    (cache / "k.woff").write_bytes(b"not a font")
    assert read_cached(cache, "k") is None


def test_an_unwritable_cache_costs_only_time(tmp_path: Path, font: CjkFont) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be")
    fonts = write_web_fonts(font, TEXT, tmp_path / "out", cache=blocked / "webfonts")
    assert all(web_font.path.read_bytes()[:4] == b"wOFF" for web_font in fonts)


def test_the_least_recently_used_entries_are_pruned(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    for age, name in enumerate(["newest", "newer", "older", "oldest"]):
        entry = cache / f"{name}.woff"
        entry.write_bytes(b"wOFF")
        os.utime(entry, (1_000_000 - age, 1_000_000 - age))
    crashed = cache / ".x.woff.tmp"  # left by a killed writer long ago
    crashed.write_bytes(b"wOF")
    os.utime(crashed, (0, 0))
    prune_cache(cache, keep=2)
    assert sorted(path.name for path in cache.iterdir()) == ["newer.woff", "newest.woff"]


def test_the_cache_folder_is_configurable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUANLI_CACHE_DIR", raising=False)
    assert cache_dir() == REPO_ROOT / ".cache" / "suanli"  # git-ignored
    monkeypatch.setenv("SUANLI_CACHE_DIR", str(tmp_path))
    assert webfont_cache_dir() == tmp_path / "webfonts"


def test_every_space_the_page_draws_gets_a_glyph() -> None:
    """The weight tables indent with the ideographic space: without its glyph in the subset,
    Chromium draws those cells with a system font."""
    characters = webfont.page_characters("算力\u3000存力 a\u00a0b\n\t")
    assert {"\u3000", "\u00a0", " ", "算"} <= characters
    assert not characters & {"\n", "\t", "\r"}
