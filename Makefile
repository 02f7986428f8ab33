# Two commands for a newcomer: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out/demo

.PHONY: setup demo server server-stop test test-slow notebooks lint bench benchmark clean

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

# The project's Prefect server (API and UI on http://127.0.0.1:4200) in the background.
server: setup
	$(BIN)/matcher server start

server-stop: setup
	$(BIN)/matcher server stop

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

# Every benchmarks/bench_*.py in turn; each prints its table with the machine's core count.
bench: setup
	@set -e; for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script; done

benchmark: bench

clean:
	@# Stop the project's Prefect server first: its database is under .matcher.
	[ ! -x $(BIN)/matcher ] || $(BIN)/matcher server stop
	rm -rf out .matcher models/index
