# tthc-extract — developer and user entry points. `make help` lists them.
# The two set-up commands of README.md are `make run` (install + extract samples/) and `make test`.

PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
OUT     ?= out
APT_PKGS := tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd libreoffice-writer-nogui poppler-utils chromium
STAMP   := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: help setup setup-dev system-deps run test test-min bench lint typecheck schemas check-schemas clean

help:            ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

system-deps:     ## install Tesseract (Vietnamese), LibreOffice and Chromium (the review-site test) from Debian if missing
	@if ! command -v tesseract >/dev/null || ! tesseract --list-langs 2>/dev/null | grep -qx vie \
	   || ! tesseract --list-langs 2>/dev/null | grep -qx osd \
	   || ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null || ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  echo "installing $(APT_PKGS)"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(APT_PKGS) >/dev/null; \
	fi

# Running the tool needs the package and its dependencies only; the dev tools (pytest, mypy, ruff,
# dask, duckdb, polars ...) come with the targets that use them.
$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	@touch $(STAMP)

$(DEVSTAMP): $(STAMP)
	$(BIN)/pip install -q -e ".[dev]"
	@touch $(DEVSTAMP)

setup: system-deps $(STAMP)   ## install what running needs (system packages, virtualenv, package)

setup-dev: setup $(DEVSTAMP)  ## add the development tools (tests, linters, type checker)

run: setup       ## set up, then extract samples/ into $(OUT)/
	$(BIN)/tthc-extract extract samples -o $(OUT)

test: setup-dev      ## set up, then check the layer contract and run the whole test suite
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -q -n 2 --dist loadfile

MINVENV ?= .venv-min
test-min: setup-dev  ## run the suite with the lowest versions pyproject.toml allows (checks the bounds)
	$(BIN)/pip install -q uv
	rm -rf $(MINVENV)
	$(BIN)/uv venv -q -p $(PY) $(MINVENV)
	$(BIN)/uv pip install -q --python $(MINVENV)/bin/python --resolution lowest-direct -e ".[dev]"
	$(MINVENV)/bin/pytest -q -n 2 --dist loadfile -p no:cacheprovider

bench: setup-dev     ## speed and memory benchmark (not part of the tests)
	$(BIN)/python bench/bench.py

lint: setup-dev      ## ruff
	$(BIN)/ruff check src tests bench

typecheck: setup-dev ## mypy on the package
	$(BIN)/mypy

schemas: setup   ## regenerate schemas/ from the models (after a deliberate contract change)
	$(BIN)/tthc-extract schema --out schemas

clean:           ## remove outputs and caches (keeps the virtualenv)
	rm -rf $(OUT) $(MINVENV) .pytest_cache .mypy_cache .ruff_cache bench/_work
