"""A reverse proxy in front of the loopback registry that answers chosen requests with a 5xx itself.

It forwards every request (chunked uploads included) with the client's Host header, so the registry's upload
`Location`s point back at the proxy. `fail(method, path_part, times, status, agent)` makes the next `times`
matching requests (from a User-Agent containing `agent`) fail; `failed` counts those that did.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UPSTREAM = ("localhost", 5000)
PORT = 5002  # an insecure registry in setup.sh's daemon.json: dockerd pushes there over plain http
_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


@dataclass
class FaultPlan:
    method: str = ""
    path_part: str = ""
    times: int = 0
    status: int = 500
    agent: str = ""
    failed: int = 0
    seen: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, method: str, path_part: str, times: int, status: int = 500, agent: str = "") -> None:
        with self.lock:
            self.method, self.path_part, self.times, self.status = method, path_part, times, status
            self.agent = agent

    def take(self, method: str, path: str, agent: str) -> int | None:
        """The status to answer with instead of forwarding, or None."""
        with self.lock:
            self.seen.append(f"{method} {path}")
            if self.times and method == self.method and self.path_part in path and self.agent in agent:
                self.times -= 1
                self.failed += 1
                return self.status
            return None


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))


def _handler(plan: FaultPlan) -> type[BaseHTTPRequestHandler]:
    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def handle_one_request(self) -> None:
            # Clients try TLS first, and fall back to plain http only on Go's "server gave HTTP response to
            # HTTPS client": answer a TLS hello the way Go's own server does.
            if self.rfile.peek(1)[:1] == b"\x16":  # type: ignore[attr-defined]
                self.wfile.write(
                    b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"
                )
                self.close_connection = True
                return
            super().handle_one_request()

        def _forward(self) -> None:
            body = _read_body(self)
            status = plan.take(self.command, self.path, self.headers.get("User-Agent", ""))
            if status is not None:
                payload = b'{"errors":[{"code":"UNKNOWN","message":"injected by the test proxy"}]}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
            upstream = http.client.HTTPConnection(*UPSTREAM, timeout=300)
            upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for key, value in self.headers.items():  # repeated headers (Accept) stay repeated
                if key.lower() not in _HOP and key.lower() != "content-length":
                    upstream.putheader(key, value)
            upstream.putheader("Content-Length", str(len(body)))
            upstream.endheaders(body)
            resp = upstream.getresponse()
            data = resp.read()
            self.send_response(resp.status)
            for key, value in resp.getheaders():
                if key.lower() not in _HOP and key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            upstream.close()

        do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = _forward

    return Proxy


@contextmanager
def fault_proxy() -> Iterator[tuple[str, FaultPlan]]:
    """(host:port of the proxy, its fault plan) while the block runs."""
    plan = FaultPlan()
    server = ThreadingHTTPServer(("127.0.0.1", PORT), _handler(plan))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"localhost:{PORT}", plan
    finally:
        server.shutdown()
        server.server_close()
