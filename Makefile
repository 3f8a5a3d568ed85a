# The two commands: `make run` and `make test`. Both do all set-up on a fresh Debian 12 machine as root.
# The interpreter a fresh Debian 12 has (3.11.2), not whatever newer Python is first on PATH: the venv is
# built from it, so tests run on what a center's kiosk PC runs. PYTHON=... still overrides it.
PYTHON ?= $(if $(wildcard /usr/bin/python3),/usr/bin/python3,python3)
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
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]' -e tests/sample_plugin
	@touch $@

# A venv built from another interpreter (say a newer one found first on PATH) is rebuilt from $(PYTHON).
# (A second make decides whether to build: this one may have cached that the old venv exists.)
venv:
	@bash scripts/check-venv-python.sh "$(PYTHON)" "$(VENV)"
	@$(MAKE) --no-print-directory $(BIN)/kiosk

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
