"""The review page: a small Flask app over any table, for one person on their own machine.

Flask because the local extra already carries it (moto's server is built on Flask and Werkzeug), so the page adds
no dependency, and the Lambdas do not import it. Served by Werkzeug's threaded server on 127.0.0.1 by default.

Safety: every POST needs the page's CSRF token in a header (a random token per server start, compared in constant
time), a JSON body and, when the browser sends one, an Origin of this server; requests for another Host are refused
(DNS rebinding); a strict Content-Security-Policy allows only this server's own script and style (no external assets:
the page works offline). Logs name the route and status only — never a receipt's text, merchant or filter values.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from collections.abc import Callable
from importlib import resources
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from flask import Flask, Response, abort, jsonify, request
from markupsafe import escape

from domain.labels import ALL_LABELS
from domain.model import ReceiptRef, ValidationStatus
from domain.review import REVIEW_STATUSES, ReviewError, receipt_view, review_queue, settle
from domain.store.repository import DynamoReceiptRepository

log = logging.getLogger("receipt_validator.review")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
STATIC = {"review.js": "text/javascript", "review.css": "text/css"}


def _asset(name: str) -> str:
    return resources.files("cli").joinpath("review_static", name).read_text(encoding="utf-8")


def create_app(
    store: DynamoReceiptRepository,
    *,
    reviewer: str,
    where: str,
    allowed_hosts: Callable[[], set[str]],
    csrf_token: str | None = None,
) -> Flask:
    """The app; `allowed_hosts()` gives the Host headers this server answers to (known once the port is bound)."""
    app = Flask(__name__, static_folder=None)
    token = csrf_token or secrets.token_urlsafe(32)
    app.config["CSRF_TOKEN"] = token

    _secure(app, token, allowed_hosts)

    @app.get("/")
    def page() -> Response:
        html = (
            _asset("review.html")
            .replace("{{csrf}}", token)
            .replace("{{reviewer}}", str(escape(reviewer)))
            .replace("{{where}}", str(escape(where)))
        )
        return Response(html, mimetype="text/html")

    @app.get("/static/<name>")
    def static_file(name: str) -> Response:
        if name not in STATIC:
            abort(404)
        return Response(_asset(name), mimetype=STATIC[name])

    @app.get("/api/queue")
    def queue() -> Any:
        statuses = request.args.getlist("status") or [ValidationStatus.NEEDS_REVIEW.value]
        try:
            wanted = [ValidationStatus(s) for s in statuses]
            entries = review_queue(
                store, wanted, label=request.args.get("label") or None, merchant=request.args.get("merchant") or None
            )
        except ValueError as exc:
            return jsonify(error=str(exc)), 400
        return jsonify(
            entries=[e.as_dict() for e in entries],
            statuses=[s.value for s in REVIEW_STATUSES],
            labels=list(ALL_LABELS),
            reviewer=reviewer,
        )

    @app.get("/api/receipt/<image_id>/<int:receipt_id>")
    def receipt(image_id: str, receipt_id: int) -> Any:
        context = store.load_receipt(ReceiptRef(image_id=image_id, receipt_id=receipt_id))
        if context is None:
            return jsonify(error="receipt not found"), 404
        return jsonify(receipt_view(context))

    @app.post("/api/settle")
    def settle_label() -> Any:
        body = request.get_json(silent=True) or {}
        try:
            ref = ReceiptRef.parse(str(body.get("receipt", "")))
            result = settle(
                store,
                ref,
                int(body["line_id"]),
                int(body["word_id"]),
                str(body["label"]),
                _decision(body.get("decision")),
                by=reviewer,
                seen=body.get("seen") if isinstance(body.get("seen"), dict) else {},
                new_label=body.get("new_label") or None,
                note=body.get("note") or None,
            )
        except (KeyError, TypeError, ValueError) as exc:  # ReviewError is a ValueError
            return jsonify(error=str(exc) if isinstance(exc, ReviewError) else f"bad request: {exc}"), 400
        if result.stale:
            return jsonify(error=result.message, stale=True), 409
        return jsonify(ok=True, message=result.message)

    @app.errorhandler(ClientError)
    @app.errorhandler(BotoCoreError)
    def aws_failed(exc: Exception) -> Any:
        code = exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError) else type(exc).__name__
        log.warning("DynamoDB call failed: %s", code)
        return jsonify(error=f"DynamoDB at {where} failed ({code}); nothing was written"), 502

    return app


def _secure(app: Flask, token: str, allowed_hosts: Callable[[], set[str]]) -> None:
    """Every request: this server's Host only; a POST needs the CSRF token, JSON and (when sent) our Origin; every
    response carries the strict headers and one log line (route and status only)."""

    @app.before_request
    def guard() -> None:
        request.environ["review.started"] = time.perf_counter()
        if request.host not in allowed_hosts():
            abort(421)
        if request.method == "POST":
            origin = request.headers.get("Origin")
            if origin is not None and origin.split("://", 1)[-1] not in allowed_hosts():
                abort(403)
            sent = request.headers.get("X-CSRF-Token", "")
            if not hmac.compare_digest(sent.encode(), token.encode()) or not request.is_json:
                abort(403)

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        rule = request.url_rule.rule if request.url_rule is not None else "?"
        elapsed = time.perf_counter() - request.environ.get("review.started", time.perf_counter())
        log.info("%s %s %s %.0f ms", request.method, rule, response.status_code, elapsed * 1000)
        return response


def _decision(value: Any) -> Any:
    if value not in ("valid", "invalid", "relabel"):
        raise ReviewError("decision must be valid, invalid or relabel")
    return value
