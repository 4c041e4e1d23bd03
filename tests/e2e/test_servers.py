"""The browser tests' server check: another server on the port never passes for ours."""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from tests.e2e.conftest import _started

TOKEN = "https://atlas-e2e-0123456789abcdef.invalid"


class _Stranger(http.server.BaseHTTPRequestHandler):
    """A healthy Streamlit look-alike that was not started with our token."""

    def do_GET(self):
        body = (
            b"ok"
            if self.path.endswith("/health")
            else json.dumps({"allowedOrigins": ["https://someone-else.invalid"]}).encode()
        )
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


class _Running:
    """Stands for the server process: alive."""

    returncode = None

    def poll(self):
        return None


def test_a_healthy_server_without_our_token_is_refused(tmp_path):
    stranger = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Stranger)
    threading.Thread(target=stranger.serve_forever, daemon=True).start()
    try:
        log = tmp_path / "server.log"
        log.write_bytes(f"  URL: http://127.0.0.1:{stranger.server_port}\n".encode())
        with pytest.raises(RuntimeError, match="it is not the server started here"):
            _started(_Running(), log, TOKEN)
    finally:
        stranger.shutdown()
        stranger.server_close()
