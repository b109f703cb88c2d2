# Luohu: `make run` starts the platform on the embedded default; `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run run-kafka stop-engines test lint typecheck unit contract api e2e clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(INSTALLED)
	$(BIN)/luohu run

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy

test: lint typecheck
	scripts/test.sh

run-kafka: $(INSTALLED)
	scripts/kafka.sh start
	scripts/postgres.sh start
	LUOHU_BUS=kafka $(BIN)/luohu run --postgres "$$(scripts/postgres.sh url)"

stop-engines:
	-scripts/kafka.sh stop
	-scripts/postgres.sh stop

unit contract api e2e: $(INSTALLED)
	scripts/test.sh tests/$@

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
