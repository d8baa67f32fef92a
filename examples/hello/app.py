"""Serve one page on loopback inside the container, then fetch it with requests (PyPI) and curl (apt)."""

from __future__ import annotations

import http.server
import subprocess
import threading

import requests


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"hello from dockyard\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep the demo's output to the results
        pass


def main() -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    via_requests = requests.get(url, timeout=10).text.strip()
    curl = subprocess.run(["curl", "-fsS", url], capture_output=True, text=True, check=True)
    curl_version = subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split()[1]
    print(f"requests {requests.__version__}: {via_requests}")
    print(f"curl {curl_version}: {curl.stdout.strip()}")
    server.shutdown()


if __name__ == "__main__":
    main()
