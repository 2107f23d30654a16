# Copyright 2026 Traccia Proxy authors
# SPDX-License-Identifier: Apache-2.0
"""A local OpenAI-compatible chat completions endpoint with a fixed answer, for the peer scripts.

It listens on 127.0.0.1 on a free port, answers POST /v1/chat/completions with one completion and
provider usage (18 prompt, 5 completion, 23 total tokens), and 404 to anything else.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PROMPT_TOKENS = 18
COMPLETION_TOKENS = 5
COMPLETION_TEXT = "Hello!"


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (the name http.server dispatches to)
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length) or b"{}")
        if self.path.rstrip("/") != "/v1/chat/completions":
            self.send_error(404, "only /v1/chat/completions is served here")
            return
        body = json.dumps(
            {
                "id": "chatcmpl-stub-1",
                "object": "chat.completion",
                "created": 1750000000,
                "model": request.get("model", "gpt-4o-mini"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": COMPLETION_TEXT},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": PROMPT_TOKENS,
                    "completion_tokens": COMPLETION_TOKENS,
                    "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS,
                },
            }
        ).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 (signature fixed by http.server)
        pass


def start():
    """Starts the server on a daemon thread; returns (server, base_url ending in /v1)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, name="stub-openai", daemon=True).start()
    return server, "http://127.0.0.1:%d/v1" % server.server_address[1]
