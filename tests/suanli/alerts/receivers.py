"""Real receivers on 127.0.0.1 for the alert tests: an HTTP webhook endpoint and an SMTP server."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# What the fake robot answers on these paths (anything else: 200 {"errcode": 0}).
REFUSING_PATH = "/refuse"  # 200 with a 企业微信-style error code
FAILING_PATH = "/fail"  # HTTP 500


@dataclass
class Webhook:
    base_url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"{self.base_url}/hook?key=robot-secret-key"


@dataclass
class Inbox:
    port: int
    envelopes: list[Any] = field(default_factory=list)

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[misc]
            for envelope in self.envelopes
        ]

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


def _handler(webhook: Webhook) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.path.startswith(FAILING_PATH):
                self.send_response(500)
                self.end_headers()
                return
            webhook.received.append(json.loads(body.decode("utf-8")))
            webhook.headers.append(dict(self.headers))
            answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            ok = not self.path.startswith(REFUSING_PATH)
            self.wfile.write(json.dumps({"errcode": 0, "errmsg": "ok"} if ok else answer).encode())

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving_webhook() -> Iterator[Webhook]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    receiver = Webhook(f"http://127.0.0.1:{server.server_port}")
    server.RequestHandlerClass = _handler(receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serving_smtp() -> Iterator[Inbox]:
    from aiosmtpd.controller import Controller

    receiver = Inbox(free_port())
    controller = Controller(receiver, hostname="127.0.0.1", port=receiver.port)
    controller.start()
    try:
        yield receiver
    finally:
        controller.stop()
