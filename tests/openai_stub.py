"""OpenAI-compatible chat servers on 127.0.0.1 for tests: real HTTP, scripted behaviour."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAILURES = {
    "reject-key": (401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}),
    "no-model": (404, {"error": {"message": "The model does not exist", "type": "invalid_request_error"}}),
}


class QuietHandler(BaseHTTPRequestHandler):
    def read_request(self) -> dict:
        return json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")

    def send_json(self, status: int, body: dict) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def serve_on_loopback(handler: type[BaseHTTPRequestHandler]) -> tuple[str, ThreadingHTTPServer]:
    """Returns (base URL ending in /v1, server); call server.shutdown() when done."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/v1", server


def start_scripted_server(reply: str, seconds_per_piece: float = 0.15) -> tuple[str, ThreadingHTTPServer]:
    """Answers every chat request with `reply`, streamed word by word (slow on purpose)."""

    class Scripted(QuietHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            request = self.read_request()
            if not request.get("stream"):
                self.send_json(200, {
                    "id": "x", "object": "chat.completion", "created": 0, "model": request["model"],
                    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": reply}}],
                })
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            words = reply.split(" ")
            for number, word in enumerate(words):
                piece = word if number == len(words) - 1 else word + " "
                chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": request["model"],
                         "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()
                time.sleep(seconds_per_piece)
            self.wfile.write(b"data: [DONE]\n\n")

    return serve_on_loopback(Scripted)


def start_failing_server(behaviour: str) -> tuple[str, ThreadingHTTPServer]:
    """`reject-key` (401), `no-model` (404) or `hang` (answers nothing for 3 s)."""

    class Failing(QuietHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            self.read_request()
            if behaviour == "hang":
                time.sleep(3)
                return
            self.send_json(*FAILURES[behaviour])

    return serve_on_loopback(Failing)
