"""A fake OpenAI-compatible chat-completions server on 127.0.0.1 with scripted replies.

    >>> with FakeLLM(replies) as server:   # replies: turn text fragment -> list of Reply
    ...     server.url                       # http://127.0.0.1:PORT/v1
    ...     server.requests                  # every request body received, in order

Each request's turn (the text between ``Turn to code:\\n<<<\\n`` and ``\\n>>>``) picks the
first entry of ``replies`` whose key it contains; that entry's replies are used one per
request, the last one repeating.  A turn no key matches gets ``{"codes": []}``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Reply:
    content: str | None = None   # the answer's text (None: an HTTP error without a body)
    status: int = 200
    delay: float = 0.0           # seconds to wait before answering (a timeout, when long)
    usage: tuple[int, int] | None = (100, 10)


def answer(*codes: tuple[str, str, str]) -> Reply:
    """A valid answer giving each ``(code, quote, rationale)``."""
    return Reply(json.dumps({"codes": [{"code": c, "quote": q, "rationale": r} for c, q, r in codes]}))


def turn_of(body: dict) -> str:
    user = [m["content"] for m in body["messages"] if m["role"] == "user"][0]
    return re.search(r"Turn to code:\n<<<\n(.*)\n>>>", user, re.S).group(1)


class FakeLLM:
    def __init__(self, replies: dict[str, list[Reply]] | None = None, refuse_formats: tuple[str, ...] = (),
                 model: str = "fake-model"):
        self.replies = dict(replies or {})
        self.refuse_formats = refuse_formats  # response_format types answered with HTTP 400
        self.model = model
        self.requests: list[dict] = []
        self.bodies: list[bytes] = []
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> "FakeLLM":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _reply(self, body: dict) -> Reply:
        fmt = (body.get("response_format") or {}).get("type")
        if fmt in self.refuse_formats:
            return Reply(json.dumps({"error": f"response_format {fmt} is not supported"}), status=400)
        turn = turn_of(body)
        key = next((k for k in self.replies if k in turn), None)
        if key is None:
            return answer()
        with self._lock:
            n = self._served.get(key, 0)
            self._served[key] = n + 1
        script = self.replies[key]
        return script[min(n, len(script) - 1)]

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                body = json.loads(raw)
                with fake._lock:
                    fake.bodies.append(raw)
                    fake.requests.append(body)
                if self.path != "/v1/chat/completions":
                    return self._send(404, b'{"error": "not found"}')
                reply = fake._reply(body)
                time.sleep(reply.delay)
                if reply.status != 200:
                    return self._send(reply.status, (reply.content or "").encode())
                payload = {"id": "x", "object": "chat.completion", "model": fake.model,
                           "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.content},
                                        "finish_reason": "stop"}]}
                if reply.usage:
                    payload["usage"] = {"prompt_tokens": reply.usage[0], "completion_tokens": reply.usage[1]}
                self._send(200, json.dumps(payload).encode())

            def _send(self, status: int, data: bytes):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
                    pass

        return Handler
