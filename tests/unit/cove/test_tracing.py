"""LangSmith tracing of the CoVe graph against a fake LangSmith HTTP endpoint (LANGSMITH_ENDPOINT on loopback).

langsmith caches what it reads from the environment, so each case runs the verifier in a fresh Python process; the
fake Ollama server and the fake LangSmith endpoint run here and record what reaches them.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from domain.cove.tracing import configure_tracing
from tests.conftest import ROOT
from tests.fakes.ollama_server import FakeOllama, truth_responder
from tests.fakes.receipts import GROCERY_TRUTH

RUN = """
from domain.service import validate_receipt
from domain.cove.verifier import build_verifier
from tests.fakes.checks import StubChecks
from tests.fakes.receipts import grocery
from tests.fakes.store import FakeReceiptRepository
checks = StubChecks()
verifier = build_verifier(evaluate=checks.evaluate, rules_decision=checks.rules_decision)
report = validate_receipt(FakeReceiptRepository(grocery()), grocery().ref, verifier=verifier)
assert report.llm_calls > 0 and report.errors == 0, report
print("traced" if verifier.traced else "untraced")
"""


@dataclass
class FakeLangSmith:
    """Accepts whatever langsmith sends (run batches, multipart uploads) and keeps it."""

    posts: list[tuple[str, bytes]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def __enter__(self) -> FakeLangSmith:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: bytes = b"{}") -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._reply(200, b'{"version": "fake", "batch_ingest_config": {}}' if "/info" in self.path else b"{}")

            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip":
                    data = gzip.decompress(data)
                fake.posts.append((self.path, data))
                self._reply(202)

            do_PATCH = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def run_posts(self) -> list[tuple[str, bytes]]:
        return [(p, d) for p, d in self.posts if "/runs" in p]


@pytest.fixture
def ollama() -> Iterator[FakeOllama]:
    with FakeOllama(responder=truth_responder(GROCERY_TRUTH)) as fake:
        yield fake


def run_verifier(ollama: FakeOllama, extra_env: dict[str, str]) -> str:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("LANGSMITH_", "LANGCHAIN_", "OLLAMA_", "VALIDATOR_"))
    }
    env.update(
        {"VALIDATOR_LLM": "ollama", "OLLAMA_HOST": ollama.url, "OLLAMA_MODEL": ollama.model, "PYTHONPATH": str(ROOT)}
    )
    env.update(extra_env)
    done = subprocess.run(
        [sys.executable, "-c", RUN], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


@pytest.mark.slow  # a fresh Python process per case (langsmith caches its environment)
def test_spans_are_sent_when_tracing_is_on(ollama: FakeOllama) -> None:
    with FakeLangSmith() as langsmith:
        env = {"LANGSMITH_TRACING": "true", "LANGSMITH_ENDPOINT": langsmith.url, "LANGSMITH_API_KEY": "lsv2-test"}
        assert run_verifier(ollama, env) == "traced"
        posts = langsmith.run_posts()
    assert posts, "no run reached the LangSmith endpoint"
    sent = b"".join(d for _, d in posts)
    assert b'"cove"' in sent or b"cove" in sent  # the graph's run, by name
    assert b"BANANAS" in sent  # inputs are sent unless hidden: receipt text is in the prompts


@pytest.mark.slow  # a fresh Python process per case (langsmith caches its environment)
def test_hidden_inputs_and_outputs_keep_receipt_text_out_of_the_spans(ollama: FakeOllama) -> None:
    with FakeLangSmith() as langsmith:
        env = {
            "LANGSMITH_TRACING": "true",
            "LANGSMITH_ENDPOINT": langsmith.url,
            "LANGSMITH_API_KEY": "lsv2-test",
            "LANGSMITH_HIDE_INPUTS": "true",
            "LANGSMITH_HIDE_OUTPUTS": "true",
        }
        assert run_verifier(ollama, env) == "traced"
        posts = langsmith.run_posts()
    assert posts
    assert b"BANANAS" not in b"".join(d for _, d in posts)


@pytest.mark.slow  # a fresh Python process per case (langsmith caches its environment)
def test_nothing_is_sent_when_tracing_is_off(ollama: FakeOllama) -> None:
    with FakeLangSmith() as langsmith:
        assert run_verifier(ollama, {"LANGSMITH_ENDPOINT": langsmith.url, "LANGSMITH_API_KEY": "lsv2-test"}) == (
            "untraced"
        )
        assert langsmith.posts == []


def test_tracing_without_a_key_turns_itself_off() -> None:
    env = {"LANGSMITH_TRACING": "true"}
    assert configure_tracing(env) is False
    assert env["LANGSMITH_TRACING"] == "false"


def test_the_key_comes_from_the_named_ssm_parameter() -> None:
    from moto import mock_aws

    with mock_aws():
        import boto3

        boto3.client("ssm", region_name="us-east-1").put_parameter(
            Name="/rv/langsmith", Value="lsv2-from-ssm", Type="SecureString"
        )
        env = {"LANGSMITH_TRACING": "true", "LANGSMITH_API_KEY_PARAM": "/rv/langsmith"}
        assert configure_tracing(env) is True
        assert env["LANGSMITH_API_KEY"] == "lsv2-from-ssm"
