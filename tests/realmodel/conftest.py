"""The real-model tier: SmolLM2-135M-Instruct run by llama.cpp behind the Ollama protocol (ollama_llama_server.mjs).

`make realmodel` (a prerequisite of `make test`) installs node-llama-cpp and the GGUF under .local/llm. Without them
these tests skip, except under REQUIRE_REAL_MODEL=1 (set by `make test`), where a missing install fails the run.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
LLM_DIR = ROOT / ".local" / "llm"
GGUF = LLM_DIR / "SmolLM2-135M-Instruct.Q4_1.gguf"
SERVER = Path(__file__).with_name("ollama_llama_server.mjs")
MODEL_NAME = "smollm2:135m"
START_TIMEOUT_S = 120


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node"
    if not (LLM_DIR / "node_modules" / "node-llama-cpp" / "package.json").exists():
        return f"{LLM_DIR}/node_modules/node-llama-cpp (make realmodel)"
    if not GGUF.exists():
        return f"{GGUF} (make realmodel)"
    return None


class RealOllama:
    """The running server: its URL, the model's name, and the requests it recorded."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.model = MODEL_NAME

    def records(self) -> list[dict[str, Any]]:
        with urllib.request.urlopen(f"{self.url}/_records", timeout=10) as response:
            return json.loads(response.read())


@pytest.fixture(scope="session")
def real_ollama() -> Iterator[RealOllama]:
    missing = _missing()
    if missing is not None:
        if os.environ.get("REQUIRE_REAL_MODEL") == "1":
            pytest.fail(f"the real-model tier is required but {missing} is missing")
        pytest.skip(f"real model not installed: {missing} is missing")
    script = LLM_DIR / SERVER.name  # beside node_modules, so that Node resolves node-llama-cpp from there
    shutil.copyfile(SERVER, script)
    log = (LLM_DIR / "server.log").open("w")
    proc = subprocess.Popen(
        ["node", str(script), "--model", str(GGUF), "--name", MODEL_NAME, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()  # type: ignore[union-attr]
    try:
        try:
            first = lines.get(timeout=START_TIMEOUT_S)
        except queue.Empty:
            first = ""
        if not first.startswith("listening "):
            proc.kill()
            err = (LLM_DIR / "server.log").read_text()[-2000:]
            pytest.fail(f"the real-model server did not start: {first!r} {err}")
        yield RealOllama(first.split()[1].strip())
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
