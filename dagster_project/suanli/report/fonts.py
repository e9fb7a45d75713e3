"""Find a CJK font on this machine and make matplotlib use it, without leaking global state.

Chinese labels rendered with a Latin-only font become tofu (□). The report therefore insists on
a CJK font, prefers Noto Sans CJK SC (Debian/Ubuntu package `fonts-noto-cjk`), and turns
matplotlib's "Glyph … missing from font" warnings into errors while it draws.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from suanli.settings import cjk_font_file

if TYPE_CHECKING:  # fontTools and matplotlib are imported where fonts are read or registered
    from fontTools.ttLib import TTFont

PREFERRED_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
)
INSTALL_HINT = (
    "install Noto Sans CJK SC: `apt-get install fonts-noto-cjk` (Debian/Ubuntu), "
    "`dnf install google-noto-sans-cjk-fonts` (Fedora), "
    "`brew install --cask font-noto-sans-cjk-sc` (macOS); "
    "or point SUANLI_CJK_FONT at a .ttc/.otf/.ttf file holding Simplified Chinese glyphs"
)
# Where fontconfig and the usual platforms keep fonts, for machines without `fc-list`.
FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
    Path("/Library/Fonts"),
    Path("/System/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)
FONT_SUFFIXES = (".ttc", ".otc", ".otf", ".ttf")
# Characters every candidate must have: a font lacking these is not a Simplified Chinese font.
PROBE = "综合算力指数省份河北广东"
MISSING_GLYPH = r"Glyph .* missing from font"


class CjkFontNotFound(RuntimeError):
    """No usable CJK font: the message says what to install."""


@dataclass(frozen=True)
class FontFace:
    path: Path
    face_index: int


@dataclass(frozen=True)
class CjkFont:
    """A CJK family: its regular face and, when the family ships one, its bold face."""

    family: str
    regular: FontFace
    bold: FontFace | None = None


def face_identity(face: FontFace) -> dict[str, object]:
    """What identifies a face's file without reading it: path, size, modification time and
    the face's index in its collection (a reinstalled or updated font has another size or
    mtime)."""
    stat = face.path.stat()
    return {
        "path": str(face.path.resolve()),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "face_index": face.face_index,
    }


def _faces(path: Path) -> list[TTFont]:
    from fontTools.ttLib import TTCollection, TTFont

    if path.suffix.lower() in (".ttc", ".otc"):
        return list(TTCollection(str(path), lazy=True).fonts)
    return [TTFont(str(path), lazy=True)]


def _names(font: TTFont) -> tuple[str, str]:
    """(family, style), preferring the typographic names (IDs 16/17) that group weights."""
    table = font["name"]
    family = table.getDebugName(16) or table.getDebugName(1) or ""
    style = table.getDebugName(17) or table.getDebugName(2) or ""
    return family, style


def _covers_probe(font: TTFont) -> bool:
    cmap = font.getBestCmap() or {}
    return all(ord(character) in cmap for character in PROBE)


def _fontconfig_files() -> list[Path]:
    """Files fontconfig knows for the preferred families (empty without fontconfig)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    files: list[Path] = []
    for family in PREFERRED_FAMILIES:
        result = subprocess.run(
            [fc_list, f":family={family}", "file"],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        files += [Path(line.rstrip(": ")) for line in result.stdout.splitlines() if line.strip()]
    return files


def _directory_files(directories: tuple[Path, ...]) -> list[Path]:
    files: list[Path] = []
    for directory in directories:
        if directory.is_dir():
            files += [
                path
                for path in directory.rglob("*")
                if path.suffix.lower() in FONT_SUFFIXES
                and any(
                    key in path.name.lower() for key in ("cjk", "sourcehan", "notosanssc", "wqy")
                )
            ]
    return files


def _catalogue(files: list[Path]) -> dict[str, dict[str, FontFace]]:
    """family → style → face, over the CJK faces of the given files."""
    found: dict[str, dict[str, FontFace]] = {}
    for path in sorted(set(files)):
        try:
            faces = _faces(path)
        except Exception:  # an unreadable file is simply not a candidate
            continue
        for index, face in enumerate(faces):
            family, style = _names(face)
            if family in PREFERRED_FAMILIES and _covers_probe(face):
                found.setdefault(family, {}).setdefault(style, FontFace(path, index))
    return found


def find_cjk_font(directories: tuple[Path, ...] = FONT_DIRS) -> CjkFont:
    """The first of PREFERRED_FAMILIES installed here, or SUANLI_CJK_FONT when set."""
    configured = cjk_font_file()
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise CjkFontNotFound(f"SUANLI_CJK_FONT={configured} is not a file; {INSTALL_HINT}")
        for index, face in enumerate(_faces(path)):
            if _covers_probe(face):
                return CjkFont(_names(face)[0], FontFace(path, index))
        raise CjkFontNotFound(f"{path} has no Simplified Chinese glyphs; {INSTALL_HINT}")
    catalogue = _catalogue(_fontconfig_files()) or _catalogue(_directory_files(directories))
    for family in PREFERRED_FAMILIES:
        styles = catalogue.get(family)
        if styles and "Regular" in styles:
            return CjkFont(family, styles["Regular"], styles.get("Bold"))
    raise CjkFontNotFound(f"no CJK font found; {INSTALL_HINT}")


def cmap_of(face: FontFace) -> set[int]:
    """Code points the face has glyphs for."""
    return set((_faces(face.path)[face.face_index].getBestCmap() or {}).keys())


def _register(font: CjkFont) -> None:
    """Make the family known to matplotlib once per process (its cache predates the install)."""
    from matplotlib import font_manager

    known = {Path(entry.fname) for entry in font_manager.fontManager.ttflist}
    for face in (font.regular, font.bold):
        if face is not None and face.path not in known:
            # addfont registers every face of a collection, so the SC face of a .ttc is found
            font_manager.fontManager.addfont(face.path)
            known.add(face.path)


@contextmanager
def cjk_style(font: CjkFont) -> Iterator[None]:
    """Within the block, figures draw with the CJK family and a missing glyph is an error.

    Figures must be saved inside the block: fonts are resolved when the figure is drawn.
    """
    import matplotlib

    _register(font)
    style = {
        "font.family": [font.family],
        "axes.unicode_minus": False,  # the ASCII hyphen is in every font
        "svg.hashsalt": "suanli",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titleweight": "bold",
        "axes.titlesize": 13,
        "savefig.dpi": 150,
    }
    with matplotlib.rc_context(style), warnings.catch_warnings():
        warnings.filterwarnings("error", message=MISSING_GLYPH)
        yield
