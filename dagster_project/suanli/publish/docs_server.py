"""One local docs server for everything the pipeline documents: the report under `/report/`,
dbt docs under `/dbt/`, GX Data Docs under `/data-docs/`, the exports under `/exports/`, and an
index page linking them (`make docs`; `python -m suanli.publish.docs_server --port 8080`).

Static files only (stdlib `http.server`); a section's folder is read from its setting at start.
"""

from __future__ import annotations

import argparse
import html
import posixpath
import signal
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from suanli.publish.docs_site import SECTIONS


def index_page(sections: dict[str, Path]) -> bytes:
    items = []
    for section in SECTIONS:
        folder = sections[section.path]
        ready = (folder / section.start).exists() if section.start else folder.is_dir()
        link = f'<a href="/{section.path}/{section.start}">{html.escape(section.title)}</a>'
        note = "" if ready else " <em>(not built yet)</em>"
        items.append(f"<li>{link}{note}</li>")
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>suanli docs · 算力指数文档</title></head><body>"
        "<h1>suanli docs · 算力指数文档</h1><ul>" + "".join(items) + "</ul></body></html>"
    ).encode()


class DocsHandler(SimpleHTTPRequestHandler):
    """Serves `/<section>/…` from the section's folder and `/` as the index page."""

    def __init__(self, *args: object, sections: dict[str, Path], **kwargs: object) -> None:
        self.sections = sections
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def do_GET(self) -> None:
        if urlsplit(self.path).path in ("", "/", "/index.html"):
            body = index_page(self.sections)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def translate_path(self, path: str) -> str:
        """The file for a URL path; a path outside every section maps to nothing (404)."""
        parts = [p for p in unquote(urlsplit(path).path).split("/") if p not in ("", ".", "..")]
        if not parts or parts[0] not in self.sections:
            return str(Path("/nonexistent-suanli-docs") / "missing")
        target = self.sections[parts[0]].joinpath(*parts[1:])
        # keep a trailing slash: http.server looks for index.html in a folder asked for so
        trailing = "/" if path.split("?")[0].endswith("/") else ""
        return posixpath.normpath(str(target)) + trailing

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: a browser asks for many files


def folders() -> dict[str, Path]:
    """Each section's folder, from the settings now."""
    return {section.path: section.folder() for section in SECTIONS}


def serve(host: str, port: int, sections: dict[str, Path]) -> ThreadingHTTPServer:
    """A server bound to (host, port) (port 0: a free one), not yet serving."""
    return ThreadingHTTPServer((host, port), partial(DocsHandler, sections=sections))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0: any free port")
    args = parser.parse_args(argv)
    # Stopped by SIGTERM whatever the parent ignored: an ignored signal is inherited across
    # exec (a pytest worker had SIGTERM ignored, and the server it started outlived the test).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    sections = folders()
    server = serve(args.host, args.port, sections)
    host, port = server.server_address[:2]
    for path, folder in sections.items():
        print(f"  /{path}/  {folder}")
    # last, and flushed: a caller waiting for the server reads its address from this line
    print(f"docs at http://{host}:{port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
