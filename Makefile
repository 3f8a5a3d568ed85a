# The two commands: `make run` and `make test`. Both do all set-up on a fresh Debian 12 machine as root.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export KIOSK_DATA_DIR ?= $(CURDIR)/var
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test bench venv system-run system-test clean screenshots

system-run:
	@bash scripts/setup-system.sh run

system-test:
	@bash scripts/setup-system.sh test

$(BIN)/kiosk: pyproject.toml tests/sample_plugin/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]' -e tests/sample_plugin
	@touch $@

venv: $(BIN)/kiosk

## make run: install, migrate, load the Huaxin demo data, start the web host and the kiosk.
run: system-run venv
	@bash scripts/run-demo.sh

## make test: every test, on SQLite and PostgreSQL, the touch UI under Xvfb.
test: system-test venv
	@bash scripts/run-tests.sh

## make bench: performance figures (not part of CI).
bench: system-test venv
	@bash scripts/run-bench.sh

screenshots: system-run venv
	@bash scripts/screenshots.sh

clean:
	rm -rf $(VENV) var .pytest_cache
