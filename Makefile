# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
APP_STAMP = $(VENV)/.app-installed
# pip's own chatter (and setuptools' note on editable installs) is not for a newcomer.
PIP     = PYTHONWARNINGS=ignore $(BIN)/python -m pip --quiet --disable-pip-version-check

.PHONY: run test test-stress lint typecheck unit bench package package-deb package-windows \
	test-windows clean

# `make run` needs only the app's own dependencies: `.venv/.app-installed`.
$(APP_STAMP): pyproject.toml setup.py
	@if [ -x $(BIN)/python ]; then \
	    echo "pyproject.toml or setup.py changed: updating the app in $(VENV)…"; \
	else \
	    echo "First run: creating $(VENV) and installing the app's dependencies (about a minute)…"; \
	fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade pip
	@$(PIP) install -e .
	@touch $(APP_STAMP)

# Everything else (lint, types, tests, packaging) also needs the test tools: `.venv/.installed`.
$(STAMP): $(APP_STAMP)
	@echo "Installing the test tools (pytest, ruff, mypy…) into $(VENV)…"
	@$(PIP) install -e '.[test]'
	@touch $(STAMP)

run: $(APP_STAMP)
	$(BIN)/sciatica-timer $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck unit

# The whole suite with both cores kept busy, three times in a row (RUNS=1 for once).
test-stress: $(STAMP)
	RUNS=$(or $(RUNS),3) PY=$(BIN)/python bash tools/stress.sh

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/run.py $(BENCH_ARGS)

package: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[package]'
	$(BIN)/python packaging/build.py $(PACKAGE_ARGS)

# The one-folder app, then dist/sciatica-timer_VERSION_ARCH.deb (Debian and Ubuntu);
# `bash packaging/deb-smoke.sh` installs, runs and removes it (as root).
package-deb: package
	$(BIN)/python packaging/deb.py

# Windows, on Debian under wine (packaging/windows/README.md): the app, its installer and the
# installer's smoke test; the unit suite under the Windows Python. Cached in
# ~/.cache/sciatica-timer-wine; needs the packages wine wine64 nsis mingw-w64 (installed if missing).
package-windows:
	bash packaging/windows/build.sh $(PACKAGE_ARGS)

test-windows:
	bash packaging/windows/test.sh $(PYTEST_ARGS)

clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
