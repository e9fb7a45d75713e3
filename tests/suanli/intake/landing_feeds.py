"""A real publisher on 127.0.0.1 for the landing tests: one HTTP server, one behaviour per path.

Every request is counted per path (`Feed.hits`) and its headers kept (`Feed.seen`), so tests can
tell how many attempts were made and what was sent. Unknown paths answer 404.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BODY = "province,year,value\n北京市,2024,1.5\n河北省,2024,2.5\n".encode()
SHA256 = hashlib.sha256(BODY).hexdigest()
WRONG_SHA256 = hashlib.sha256(b"something else").hexdigest()
TOKEN = "tok-SECRET-4711-bearer"
USER = "feeduser"
PASSWORD = "pw-SECRET-0815-basic"
SLOW_SECONDS = 1.0  # how long the slow paths keep the client waiting (tests use timeouts < it)


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


@dataclass
class Feed:
    base_url: str
    hits: Counter[str] = field(default_factory=Counter)
    seen: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base_url + path

    def record(self, path: str, headers: dict[str, str]) -> int:
        """Count the request; returns how many requests this path had, this one included."""
        with self.lock:
            self.hits[path] += 1
            self.seen.setdefault(path, []).append(headers)
            return self.hits[path]

    def reset(self) -> None:
        with self.lock:
            self.hits.clear()
            self.seen.clear()


Reply = Callable[[BaseHTTPRequestHandler, int], None]


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    length: int | None = None,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Length", str(len(body) if length is None else length))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def ok(headers: dict[str, str] | None = None) -> Reply:
    return lambda handler, count: send(handler, 200, BODY, headers)


def text(content: str) -> Reply:
    return lambda handler, count: send(handler, 200, content.encode())


def status(code: int, headers: dict[str, str] | None = None) -> Reply:
    return lambda handler, count: send(handler, code, b"error\n", headers)


def slow(times: int | None) -> Reply:
    """Keeps the client waiting on the first `times` requests (None: on every one)."""

    def reply(handler: BaseHTTPRequestHandler, count: int) -> None:
        if times is None or count <= times:
            time.sleep(SLOW_SECONDS)
        send(handler, 200, BODY)

    return reply


def failing(code: int, times: int, headers: dict[str, str] | None = None) -> Reply:
    """`code` on the first `times` requests, then the good file."""

    def reply(handler: BaseHTTPRequestHandler, count: int) -> None:
        if count <= times:
            send(handler, code, b"busy\n", headers)
        else:
            send(handler, 200, BODY)

    return reply


def truncated(handler: BaseHTTPRequestHandler, count: int) -> None:
    """Announces more bytes than it sends, then hangs up (a transfer cut short)."""
    send(handler, 200, BODY, length=len(BODY) + 100)
    handler.close_connection = True


def requires(expected: str) -> Reply:
    """The good file to a request whose Authorization is exactly `expected`, else 401."""

    def reply(handler: BaseHTTPRequestHandler, count: int) -> None:
        if handler.headers.get("Authorization") == expected:
            send(handler, 200, BODY)
        else:
            send(handler, 401, b"unauthorised\n", {"WWW-Authenticate": 'Bearer realm="feed"'})

    return reply


def redirect(location: str) -> Reply:
    return lambda handler, count: send(handler, 302, b"", {"Location": location})


BASIC = "Basic " + b64(f"{USER}:{PASSWORD}".encode())
MD5 = b64(hashlib.md5(BODY).digest())
SHA256_B64 = b64(hashlib.sha256(BODY).digest())


def routes(feed: Feed, other: Feed | None = None) -> dict[str, Reply]:
    table: dict[str, Reply] = {
        "/good/data.csv": ok(),
        "/signed/data.csv": ok(),
        "/signed/data.csv.sha256": text(f"{SHA256}  data.csv\n"),
        "/bare/data.csv": ok(),
        "/bare/data.csv.sha256": text(SHA256),
        "/sums/data.csv": ok(),
        "/sums/data.csv.sha256": text(f"{WRONG_SHA256}  other.csv\n{SHA256} *data.csv\n"),
        "/corrupt/data.csv": ok(),
        "/corrupt/data.csv.sha256": text(f"{WRONG_SHA256}  data.csv\n"),
        "/repr-digest/data.csv": ok({"Repr-Digest": f"sha-256=:{SHA256_B64}:"}),
        "/digest/data.csv": ok({"Digest": f"SHA-256={SHA256_B64}"}),
        "/bad-digest/data.csv": ok({"Digest": f"sha-256={b64(bytes.fromhex(WRONG_SHA256))}"}),
        "/md5/data.csv": ok({"Content-MD5": MD5}),
        "/bad-md5/data.csv": ok({"Content-MD5": b64(hashlib.md5(b"x").digest())}),
        "/truncated/data.csv": truncated,
        "/slow-once/data.csv": slow(times=1),
        "/slow/data.csv": slow(times=None),
        "/flaky/data.csv": failing(503, times=2),
        "/busy/data.csv": failing(429, times=1, headers={"Retry-After": "1"}),
        "/very-busy/data.csv": failing(429, times=1, headers={"Retry-After": "3600"}),
        "/broken/data.csv": status(500),
        "/forbidden/data.csv": status(403),
        "/sidecar-broken/data.csv": ok(),
        "/sidecar-broken/data.csv.sha256": status(500),
        "/private/data.csv": requires(f"Bearer {TOKEN}"),
        "/private-broken/data.csv": status(500),
        "/basic/data.csv": requires(BASIC),
        "/hop/data.csv": redirect("/private/data.csv"),
        "/listed/MANIFEST": text("data.csv\nnotes.txt\n"),
        "/listed/data.csv": ok(),
        "/broken-listing/MANIFEST": status(500),
    }
    if other is not None:
        table["/away/data.csv"] = redirect(other.url("/good/data.csv"))
    return table


def _handler(feed: Feed, table: dict[str, Reply]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            count = feed.record(path, dict(self.headers))
            table.get(path, status(404))(self, count)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The client gave up on a slow reply and closed the socket: expected here.
        pass


@contextmanager
def serving(other: Feed | None = None) -> Iterator[Feed]:
    server = _QuietServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    feed = Feed(f"http://127.0.0.1:{server.server_port}")
    server.RequestHandlerClass = _handler(feed, routes(feed, other))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield feed
    finally:
        server.shutdown()
        server.server_close()
