"""A fake Ollama server speaking the real HTTP protocol, so the real ChatOllama client runs in tests.

Implements POST /api/chat (streamed NDJSON or one JSON body), GET /api/version, GET /api/tags and POST /api/show
(404 for a model it does not serve). Each chat request is recorded with its options (`num_ctx`). Behaviour is scripted:
a responder maps each chat request to the structured answer; counters record calls, prompts and peak concurrency;
fault modes return 429 or 500, sleep past the client's timeout, or reply with malformed JSON.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pydantic import BaseModel

from domain.labels import LABEL_DESCRIPTIONS

FAULTS = ("timeout", "429", "500", "malformed", "off_schema", "stream_error")


@dataclass
class ChatRequest:
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.body.get("messages") or []

    @property
    def system(self) -> str:
        return "\n".join(m.get("content", "") for m in self.messages if m.get("role") == "system")

    @property
    def prompt(self) -> str:
        """The last user message: what the model is asked."""
        users = [m.get("content", "") for m in self.messages if m.get("role") == "user"]
        return users[-1] if users else ""

    @property
    def schema(self) -> dict[str, Any] | None:
        fmt = self.body.get("format")
        return fmt if isinstance(fmt, dict) else None

    @property
    def options(self) -> dict[str, Any]:
        return self.body.get("options") or {}

    @property
    def num_ctx(self) -> int | None:
        return self.options.get("num_ctx")

    @property
    def schema_title(self) -> str | None:
        return (self.schema or {}).get("title")


Responder = Callable[[ChatRequest], Any]


def _content(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    return json.dumps(value)


@dataclass
class FakeOllama:
    responder: Responder | None = None
    model: str = "fake-model"
    fault: str | None = None
    fault_times: int | None = None  # how many requests the fault hits; None = all
    sleep_s: float = 1.0  # how long "timeout" sleeps
    latency_s: float = 0.0  # every answer takes this long (to observe concurrency)
    requests: list[ChatRequest] = field(default_factory=list)
    probes: list[str] = field(default_factory=list)  # the non-chat requests, e.g. "GET /api/version"
    max_in_flight: int = 0
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------------------
    def start(self) -> FakeOllama:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                fake.probes.append(f"GET {self.path}")
                if self.path.rstrip("/") == "/api/version":
                    self._json(200, {"version": "0.12.0-fake"})
                elif self.path.rstrip("/") == "/api/tags":
                    self._json(200, {"models": [{"name": fake.model, "model": fake.model, "size": 1}]})
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                path = self.path.rstrip("/")
                if path == "/api/show":
                    fake.probes.append(f"POST {path}")
                    if json.loads(raw or b"{}").get("model") != fake.model:
                        self._json(404, {"error": "model not found"})
                        return
                    self._json(
                        200,
                        {
                            "modelfile": "",
                            "parameters": "",
                            "template": "",
                            "details": {},
                            "model_info": {},
                            "capabilities": ["completion"],
                        },
                    )
                elif path == "/api/chat":
                    fake._chat(self, json.loads(raw or b"{}"))
                else:
                    self._json(404, {"error": "not found"})

            def _json(self, status: int, payload: Any) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-ollama", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeOllama:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- observation ------------------------------------------------------------------------------------------
    @property
    def calls(self) -> int:
        return len(self.requests)

    @property
    def prompts(self) -> list[str]:
        return [r.prompt for r in self.requests]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.probes.clear()
            self.max_in_flight = 0

    # -- the protocol -----------------------------------------------------------------------------------------
    def _take_fault(self) -> str | None:
        with self._lock:
            if self.fault is None:
                return None
            if self.fault_times is not None:
                if self.fault_times <= 0:
                    return None
                self.fault_times -= 1
            return self.fault

    def _chat(self, h: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        req = ChatRequest(body=body, headers={k.lower(): v for k, v in h.headers.items()})
        with self._lock:
            self.requests.append(req)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            self._reply(h, req)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout); nothing to send
        finally:
            with self._lock:
                self._in_flight -= 1

    def _reply(self, h: Any, req: ChatRequest) -> None:
        fault = self._take_fault()
        if self.latency_s:
            self._stop.wait(self.latency_s)
        if fault == "timeout":
            self._stop.wait(self.sleep_s)
        if fault == "429":
            return h._json(429, {"error": "too many requests"})
        if fault == "500":
            return h._json(500, {"error": "internal server error"})
        if fault == "malformed":
            content = '{"answers": [ {"word": "1/1", "role": '
        elif fault == "off_schema":
            content = json.dumps({"something": "else"})
        else:
            content = _content(self.responder(req)) if self.responder else "{}"
        if req.body.get("stream", True):
            h.send_response(200)
            h.send_header("Content-Type", "application/x-ndjson")
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            for line in self._stream_lines(req, content, error=fault == "stream_error"):
                data = (json.dumps(line) + "\n").encode()
                h.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                h.wfile.flush()
            h.wfile.write(b"0\r\n\r\n")
        else:
            h._json(200, self._final(req, content))

    def _base(self, req: ChatRequest) -> dict[str, Any]:
        return {
            "model": req.body.get("model", self.model),
            "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }

    def _final(self, req: ChatRequest, content: str) -> dict[str, Any]:
        return {
            **self._base(req),
            "message": {"role": "assistant", "content": content},
            "done": True,
            "done_reason": "stop",
            "total_duration": 1000,
            "load_duration": 10,
            "prompt_eval_count": 10,
            "prompt_eval_duration": 100,
            "eval_count": 10,
            "eval_duration": 100,
        }

    def _stream_lines(self, req: ChatRequest, content: str, *, error: bool) -> Iterator[dict[str, Any]]:
        half = len(content) // 2
        yield {**self._base(req), "message": {"role": "assistant", "content": content[:half]}, "done": False}
        if error:
            yield {"error": "model runner stopped"}
            return
        yield {**self._base(req), "message": {"role": "assistant", "content": content[half:]}, "done": False}
        yield {**self._final(req, ""), "message": {"role": "assistant", "content": ""}}


# -- reading the validator's prompts (the fake model's "understanding") ---------------------------------------

_WORDS_BLOCK = re.compile(r"<words>\n(.*?)\n</words>", re.S)
_QUESTIONS_BLOCK = re.compile(r"<questions>\n(.*?)\n</questions>", re.S)
_BLOCKS = re.compile(r"<(receipt|choices)>\n.*?\n</\1>", re.S)
_MEANING_TO_LABEL = {desc.rstrip("."): name for name, desc in LABEL_DESCRIPTIONS.items()}

WordKey = tuple[int, int]


def asked_words(prompt: str) -> list[WordKey]:
    m = _WORDS_BLOCK.search(prompt)
    if not m:
        return []
    out = []
    for row in m.group(1).splitlines():
        ref = re.match(r"\[(\d+)/(\d+)\]", row)
        if ref:
            out.append((int(ref.group(1)), int(ref.group(2))))
    return out


def asked_meanings(prompt: str) -> dict[str, str]:
    """question id -> the label whose meaning the question asks for."""
    m = _QUESTIONS_BLOCK.search(prompt)
    if not m:
        return {}
    out = {}
    for row in m.group(1).splitlines():
        q = re.match(r"(q\d+): Which words on this receipt are: (.*)\?$", row)
        if q:
            out[q.group(1)] = _MEANING_TO_LABEL.get(q.group(2), "?")
    return out


def outside_data_blocks(prompt: str) -> str:
    """The prompt without its <receipt> (OCR data) and <choices> (the fixed label list) blocks."""
    return _BLOCKS.sub("", prompt)


def truth_responder(
    truth: dict[WordKey, str],
    *,
    confidence: float = 0.95,
    role_override: Callable[[WordKey, str], str] | None = None,
) -> Responder:
    """A fake model that knows the receipt's true labels and answers the open questions from them."""

    def respond(req: ChatRequest) -> dict[str, Any]:
        if req.schema_title == "RoleAnswers":
            answers = []
            for key in asked_words(req.prompt):
                role = truth.get(key, "OTHER")
                if role_override is not None:
                    role = role_override(key, role)
                answers.append({"word": f"{key[0]}/{key[1]}", "role": role, "confidence": confidence})
            return {"answers": answers}
        if req.schema_title == "LocateAnswers":
            answers = []
            for qid, label in asked_meanings(req.prompt).items():
                words = [f"{k[0]}/{k[1]}" for k, v in sorted(truth.items()) if v == label]
                answers.append({"question": qid, "words": words, "confidence": confidence})
            return {"answers": answers}
        if req.schema_title == "PlanQuestions":
            return {"questions": []}  # this fake plans nothing for labels outside the taxonomy
        return {"answers": []}

    return respond


def wait_until(predicate: Callable[[], bool], timeout_s: float = 2.0) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()
