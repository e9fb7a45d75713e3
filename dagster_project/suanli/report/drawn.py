"""The charts a report folder already holds: a chart is drawn again only when what it is drawn
from has changed.

A chart's key is the SHA-256 of the drawing context (the report package's code, the font
faces, the drawing libraries' versions: `inputs.drawing_fingerprint`) and of its figure
factory as pickled for a worker: the chart function, by name, and every argument (its data,
title, axis limits). The same key draws the same pixels. `charts/.drawn.json` records, for
each chart of the folder's last build, its key and the SHA-256 of its PNG; a PNG is kept when
both match, so a file changed or cut short since is drawn again.

A corrected delivery usually moves a few charts: a 2025 registry with one centre's racks in
use changed, the data of 14 of the 42 charts of the bundled snapshot's report.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from pathlib import Path

from suanli.publish.stamps import file_sha256, read_json, write_json

RECORD = ".drawn.json"


class DrawnCharts:
    """The PNGs under `directory` (a report's charts folder) and the keys they were drawn
    from: `keep` says whether a chart of this build is already in place, `save` records the
    build once every chart is written."""

    def __init__(self, directory: Path, context: str) -> None:
        self.directory = directory
        self.context = context
        self.earlier: dict[str, dict[str, str]] = read_json(directory / RECORD) or {}
        self.keys: dict[str, str] = {}  # this build's charts, name → key
        self.kept: dict[str, str] = {}  # its charts already in place, name → PNG's SHA-256

    def key(self, figure: Callable[[], object]) -> str:
        return hashlib.sha256(self.context.encode() + pickle.dumps(figure)).hexdigest()

    def keep(self, name: str, figure: Callable[[], object]) -> bool:
        """Whether the PNG of chart `name`, drawn by `figure`, is already in place."""
        key = self.keys[name] = self.key(figure)
        earlier = self.earlier.get(name) or {}
        path = self.directory / f"{name}.png"
        if earlier.get("key") != key or not path.is_file():
            return False
        if (digest := file_sha256(path)) != earlier.get("sha256"):
            return False
        self.kept[name] = digest
        return True

    @property
    def drawn(self) -> list[str]:
        return [name for name in self.keys if name not in self.kept]

    def save(self) -> None:
        """Once every chart of the build is written: no PNG of an earlier build that this one
        does not show (e.g. a scatter from a year GDP was delivered), and the record."""
        for png in self.directory.glob("*.png"):
            if png.stem not in self.keys:
                png.unlink()
        record = {
            name: {
                "key": key,
                "sha256": self.kept.get(name) or file_sha256(self.directory / f"{name}.png"),
            }
            for name, key in self.keys.items()
        }
        write_json(self.directory / RECORD, record)
