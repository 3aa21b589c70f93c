# Everything runs from a project-local virtual environment, created on demand.
# Each target installs only what it needs, with one stamp file per set of
# extras: the demo the runtime and the plot extra, the checks the dev tools,
# the documentation site the docs toolchain.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP     := $(VENV)/.installed-dev
DOCS_STAMP    := $(VENV)/.installed-docs
OUT    ?= micrograd-out

.PHONY: help install graphviz test lint typecheck unit demo bench docs docs-serve notebooks docs-images clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# A distribution named `micrograd` in the venv (Karpathy's package, or this
# project before it was renamed micrograd-plus) would claim the same import
# name: it is removed first.
$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	if ls $(VENV)/lib/python*/site-packages/micrograd-*.dist-info >/dev/null 2>&1; then \
	  $(BIN)/python -m pip uninstall --quiet --yes micrograd; fi
	$(BIN)/python -m pip install --quiet -e ".[plot]"
	touch $@

$(DEV_STAMP): $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e ".[plot,dev]"
	touch $@

$(DOCS_STAMP): $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e ".[plot,docs]"
	touch $@

install: $(DEV_STAMP) $(DOCS_STAMP)  ## create .venv and install micrograd with its dev and docs tools

graphviz:  ## make sure Graphviz's dot program is installed (installs it as root on Debian)
	@sh scripts/ensure-graphviz.sh

lint: $(DEV_STAMP)  ## ruff, and import-linter: each module imports only the layers below it
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache --no-logo

typecheck: $(DEV_STAMP)  ## mypy --strict
	$(BIN)/mypy --strict micrograd

unit: $(DEV_STAMP) $(DOCS_STAMP) graphviz  ## pytest only (the docs' tests build pages and run notebooks)
	$(BIN)/pytest -q -n auto

test: lint typecheck unit  ## ruff, mypy --strict and the whole test suite

demo: $(RUNTIME_STAMP) graphviz  ## train the tutorial's network; pictures go to $(OUT)/
	$(BIN)/micrograd demo --out $(OUT)

bench: $(RUNTIME_STAMP)  ## the benchmark suite; writes benchmarks/results.md
	$(BIN)/python benchmarks/run.py

docs: $(DOCS_STAMP) graphviz  ## build the documentation site into site/ with --strict
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

docs-serve: $(DOCS_STAMP) graphviz  ## serve the documentation at http://127.0.0.1:8000/, rebuilt on change
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

notebooks: $(DOCS_STAMP)  ## the tutorial chapters (English and Korean) as notebooks in notebooks/
	$(BIN)/python docs/hooks/notebooks.py docs/tutorial notebooks

docs-images: $(RUNTIME_STAMP) graphviz  ## regenerate the pictures committed under docs/
	$(BIN)/micrograd graph --model two-layer -o docs/images/network.png
	$(BIN)/micrograd graph --model two-layer -o docs/images/network.svg
	$(BIN)/python scripts/architecture_picture.py docs/images/architecture.svg

clean:  ## remove build and run outputs (keeps .venv)
	rm -rf build dist site notebooks $(OUT) .pytest_cache .mypy_cache .ruff_cache
