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

# The example parameters (examples/parameters/, each marked as an example in its source) unless
# LUOHU_PARAMETERS_DIR names the department's own; `--demo` takes one family through once ready.
run: $(INSTALLED)
	LUOHU_PARAMETERS_DIR="$${LUOHU_PARAMETERS_DIR:-examples/parameters}" $(BIN)/luohu run --demo

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
	LUOHU_BUS=kafka LUOHU_PARAMETERS_DIR="$${LUOHU_PARAMETERS_DIR:-examples/parameters}" \
	  $(BIN)/luohu run --demo --postgres "$$(scripts/postgres.sh url)"

stop-engines:
	-scripts/kafka.sh stop
	-scripts/postgres.sh stop

unit contract api e2e: $(INSTALLED)
	scripts/test.sh tests/$@

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
