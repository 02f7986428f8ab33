# Two commands for a newcomer: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out/demo

.PHONY: setup demo test test-slow notebooks lint benchmark clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# The CPU wheel of torch must be installed before sentence-transformers asks for torch.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/matcher score --jobs data/sample/jobs.csv --resumes data/sample/resumes --out $(OUT)

test: setup
	$(BIN)/python -m pytest

test-slow: setup
	$(BIN)/python -m pytest -m slow -s

notebooks: setup
	$(BIN)/python -m pytest --nbmake notebooks -m "" -p no:cacheprovider

lint: setup
	$(BIN)/ruff check src pipelines tests benchmarks scripts
	$(BIN)/ruff format --check src pipelines tests benchmarks scripts
	$(BIN)/mypy

benchmark: setup
	$(BIN)/python benchmarks/bench_embedding_cache.py
	$(BIN)/python benchmarks/bench_text_linearity.py

clean:
	rm -rf out .matcher models/index
