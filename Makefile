# Everything runs from a project-local virtual environment, created on demand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= micrograd-out

.PHONY: help install graphviz test lint typecheck unit demo bench docs docs-images clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,docs]"
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install micrograd with its dev tools

graphviz:  ## make sure Graphviz's dot program is installed (installs it as root on Debian)
	@sh scripts/ensure-graphviz.sh

lint: $(STAMP)  ## ruff, and import-linter: each module imports only the layers below it
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache --no-logo

typecheck: $(STAMP)  ## mypy --strict
	$(BIN)/mypy --strict micrograd

unit: $(STAMP) graphviz  ## pytest only
	$(BIN)/pytest -q

test: lint typecheck unit  ## ruff, mypy --strict and the whole test suite

demo: $(STAMP) graphviz  ## train the tutorial's network; pictures go to $(OUT)/
	$(BIN)/micrograd demo --out $(OUT)

bench: $(STAMP)  ## the benchmark suite; writes benchmarks/results.md
	$(BIN)/python benchmarks/run.py

docs: $(STAMP) graphviz  ## build the documentation site with --strict
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

docs-images: $(STAMP) graphviz  ## regenerate the pictures committed under docs/
	$(BIN)/micrograd graph --model two-layer -o docs/images/network.png
	$(BIN)/micrograd graph --model two-layer -o docs/images/network.svg
	$(BIN)/python scripts/architecture_picture.py docs/images/architecture.svg

clean:  ## remove build and run outputs (keeps .venv)
	rm -rf build dist site $(OUT) .pytest_cache .mypy_cache .ruff_cache
