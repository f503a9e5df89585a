"""Server-to-client requests answered late never surface as "Error in server" to the user.

A real VS Code showed "Error in server: CANCELLED: <Future ...>" while typing: a newer edit
cancelled the task awaiting the client's answer to ``workspace/codeLens/refresh``, which cancelled
pygls's future for that request, and the answer arriving afterwards made pygls report an error.
This client answers every server request after a delay, as a busy editor does, while edits keep
changing the diagnostics (so every analysis asks for a code lens refresh).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "shop"


class RawClient:
    """JSON-RPC over the server's stdio, answering server requests after ``delay`` seconds."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.received: list[dict[str, Any]] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "spoc_lsp", "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        with self._lock:
            self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.process.stdin.flush()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while line := stream.readline():
            if not line.lower().startswith(b"content-length"):
                continue
            length = int(line.split(b":")[1])
            while stream.readline().strip():
                pass
            message = json.loads(stream.read(length))
            self.received.append(message)
            if "method" in message and "id" in message:  # a request of the server's
                answer = {"id": message["id"], "result": None}
                threading.Timer(self.delay, self.send, args=(answer,)).start()

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


def test_late_answers_to_refresh_requests_are_not_reported_as_errors() -> None:
    client = RawClient(delay=0.4)
    try:
        capabilities = {"workspace": {"codeLens": {"refreshSupport": True}}}
        client.send(
            {
                "id": 1,
                "method": "initialize",
                "params": {
                    "processId": None,
                    "rootUri": EXAMPLE.as_uri(),
                    "capabilities": capabilities,
                },
            }
        )
        client.send({"method": "initialized", "params": {}})
        config = EXAMPLE / "config" / "spoc.toml"
        text = config.read_text()
        uri = config.as_uri()
        document = {"uri": uri, "languageId": "toml", "version": 1, "text": text}
        client.send({"method": "textDocument/didOpen", "params": {"textDocument": document}})
        for version in range(2, 22):
            # Every other text misspells a package: each analysis changes the diagnostics.
            changed = text.replace("core.", "cxre.", version % 2)
            client.send(
                {
                    "method": "textDocument/didChange",
                    "params": {
                        "textDocument": {"uri": uri, "version": version},
                        "contentChanges": [{"text": changed}],
                    },
                }
            )
            time.sleep(0.05 + 0.1 * (version % 4))
        time.sleep(1.5)
    finally:
        client.close()
    refreshes = [m for m in client.received if m.get("method") == "workspace/codeLens/refresh"]
    errors = [
        m["params"]["message"]
        for m in client.received
        if m.get("method") == "window/showMessage" and m["params"]["type"] == 1
    ]
    assert len(refreshes) >= 5  # the scenario really happened
    assert errors == []
