"""A package index that needs a password: a PEP 503 simple index and direct wheel URLs behind basic auth.

It serves made-up wheels (`dockyard-sec-probe`, `dockyard-sec-direct`) that exist nowhere else, so a build
that installs them has provably sent the credentials, wherever dockyard put them (env, netrc, secret).
Listens on the docker0 bridge address, which both build containers and the host reach.
"""

from __future__ import annotations

import base64
import hashlib
import io
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BRIDGE = "172.17.0.1"


def wheel(name: str, version: str, body: str) -> tuple[str, bytes]:
    """(file name, bytes) of a pure-Python wheel with one module holding `body`."""
    module = name.replace("-", "_")
    dist = f"{module}-{version}.dist-info"
    files = {
        f"{module}/__init__.py": body.encode(),
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }

    def record(data: bytes) -> str:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        return f"sha256={digest},{len(data)}"

    lines = [f"{path},{record(data)}" for path, data in files.items()] + [f"{dist}/RECORD,,"]
    files[f"{dist}/RECORD"] = ("\n".join(lines) + "\n").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for path, data in files.items():
            zf.writestr(path, data)
    return f"{module}-{version}-py3-none-any.whl", out.getvalue()


@dataclass
class ProbeIndex:
    user: str
    password: str
    port: int = 0
    wheels: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # project → (file, bytes)
    authorized: list[str] = field(default_factory=list)  # paths served to a request with the password
    refused: list[str] = field(default_factory=list)

    def url(self, path: str = "", *, credentials: bool = True) -> str:
        auth = f"{self.user}:{self.password}@" if credentials else ""
        return f"http://{auth}{BRIDGE}:{self.port}/{path}"


def _handler(index: ProbeIndex) -> type[BaseHTTPRequestHandler]:
    expected = "Basic " + base64.b64encode(f"{index.user}:{index.password}".encode()).decode()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self.respond(with_body=False)

        def do_GET(self) -> None:
            self.respond(with_body=True)

        def respond(self, *, with_body: bool) -> None:
            if self.headers.get("Authorization") != expected:
                index.refused.append(self.path)
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="probe"')
                self.end_headers()
                return
            index.authorized.append(self.path)
            parts = [p for p in self.path.split("?")[0].split("/") if p]
            body, kind = b"", "text/html"
            if parts[:1] == ["simple"] and len(parts) == 2 and parts[1] in index.wheels:
                name, data = index.wheels[parts[1]]
                sha = hashlib.sha256(data).hexdigest()
                body = f'<html><body><a href="/files/{name}#sha256={sha}">{name}</a></body></html>'.encode()
            elif parts[:1] == ["files"] and len(parts) == 2:
                found = [data for name, data in index.wheels.values() if name == parts[1]]
                body, kind = (found[0], "application/octet-stream") if found else (b"", "")
            if not body:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)

    return Handler


@contextmanager
def serve(index: ProbeIndex) -> Iterator[ProbeIndex]:
    server = ThreadingHTTPServer((BRIDGE, 0), _handler(index))
    index.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield index
    finally:
        server.shutdown()
        server.server_close()
