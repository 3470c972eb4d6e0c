# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: run test test-stress lint typecheck unit bench package package-windows test-windows clean

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
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
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/run.py

package: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[package]'
	$(BIN)/python packaging/build.py $(PACKAGE_ARGS)

# Windows, on Debian under wine (packaging/windows/README.md): the app, its installer and the
# installer's smoke test; the unit suite under the Windows Python. Cached in
# ~/.cache/sciatica-timer-wine; needs the packages wine wine64 nsis mingw-w64 (installed if missing).
package-windows:
	bash packaging/windows/build.sh $(PACKAGE_ARGS)

test-windows:
	bash packaging/windows/test.sh $(PYTEST_ARGS)

clean:
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
