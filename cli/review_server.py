"""Serves the review app with Werkzeug's threaded server, quietly (no request lines: they would carry filters)."""

from __future__ import annotations

import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from cli.review_app import create_app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: Any = "-", size: Any = "-") -> None:  # the app logs route and status itself
        pass


class ReviewServer:
    """The review page on host:port (0 = a free port); `url` once bound."""

    def __init__(self, store: Any, *, host: str, port: int, reviewer: str, where: str):
        self._hosts: set[str] = set()
        app = create_app(store, reviewer=reviewer, where=where, allowed_hosts=lambda: self._hosts)
        self.server: BaseWSGIServer = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
        bound = self.server.server_port
        self._hosts |= {f"{host}:{bound}", f"127.0.0.1:{bound}", f"localhost:{bound}"}
        self.url = f"http://{host}:{bound}/"
        self._thread: threading.Thread | None = None

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def start(self) -> ReviewServer:
        self._thread = threading.Thread(target=self.server.serve_forever, name="review-page", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(5)
