"""A local Lambda endpoint speaking the real Invoke API, so moto's Step Functions interpreter runs real handler code.

moto executes state machine definitions (Pass, Choice, Map, Task with Retry/Catch) but runs Lambda code only in
docker. Its interpreter calls Lambda with a plain boto3 client, which honours AWS_ENDPOINT_URL_LAMBDA and is not
intercepted for a local URL: pointing that variable here makes every `lambda:invoke` Task call a Python function of
the test (the real sweeper `handle`). Implements `POST /2015-03-31/functions/{name}/invocations` (RequestResponse).
Faults: `throttle(n)` answers the next n invocations with HTTP 429 TooManyRequestsException, the error Lambda gives
when a function is at its reserved concurrency; a handler that raises gives an Unhandled function error.
"""

from __future__ import annotations

import json
import re
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

Handler = Callable[[Any], Any]
_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")


@dataclass
class LambdaServer:
    """Functions by name (an ARN's last part also matches); records every invocation and the peak concurrency."""

    functions: dict[str, Handler]
    invocations: list[tuple[str, Any]] = field(default_factory=list)
    throttled: int = 0
    active: int = 0
    peak: int = 0
    _throttle_next: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    endpoint: str = ""

    def throttle(self, n: int) -> None:
        with self._lock:
            self._throttle_next += n

    def _take_throttle(self) -> bool:
        with self._lock:
            if self._throttle_next > 0:
                self._throttle_next -= 1
                self.throttled += 1
                return True
            return False

    def invoke(self, name: str, event: Any) -> tuple[int, dict[str, str], bytes]:
        short = name.rsplit(":", 1)[-1] if name.startswith("arn:") else name
        handler = self.functions.get(short)
        if handler is None:
            body = {"Type": "User", "message": f"Function not found: {name}"}
            return 404, {"x-amzn-ErrorType": "ResourceNotFoundException"}, json.dumps(body).encode()
        if self._take_throttle():
            body = {"Type": "User", "message": "Rate Exceeded."}
            return 429, {"x-amzn-ErrorType": "TooManyRequestsException"}, json.dumps(body).encode()
        with self._lock:
            self.invocations.append((short, event))
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            result = handler(event)
        except Exception as exc:  # the function's own failure: Lambda's "Unhandled" function error
            body = {"errorMessage": str(exc), "errorType": type(exc).__name__, "stackTrace": traceback.format_exc()}
            return 200, {"X-Amz-Function-Error": "Unhandled"}, json.dumps(body).encode()
        finally:
            with self._lock:
                self.active -= 1
        return 200, {}, json.dumps(result).encode()


def _request_handler(server: LambdaServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            return

        def do_POST(self) -> None:
            match = _PATH.match(self.path.split("?", 1)[0])
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if not match:
                self._reply(404, {"x-amzn-ErrorType": "UnknownOperationException"}, b"{}")
                return
            event = json.loads(raw) if raw else None
            status, headers, body = server.invoke(unquote(match["name"]), event)
            self._reply(status, headers, body)

        def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("x-amzn-RequestId", "local-request")
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def lambda_server(functions: dict[str, Handler]) -> Iterator[LambdaServer]:
    """Serves `functions` on 127.0.0.1 (a free port) until the block ends."""
    server = LambdaServer(functions)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _request_handler(server))
    httpd.daemon_threads = True
    server.endpoint = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, name="fake-lambda", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
