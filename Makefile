# `make demo`: set everything up and run the seed guide's quickstart.
# `make test`: set up what the tests need (incl. the TF.js oracle in tests/js) and run them all.
# Both are idempotent: stamps skip the set-up steps that are already done.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# torch 2.13.0 as a CPU build: a plain `torch` would pull several GB of CUDA packages.
TORCH_SPEC ?= torch==2.13.0
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu

.PHONY: demo test setup oracle clean

demo: $(VENV)/.stamp-package
	$(PY) examples/quickstart.py

test: $(VENV)/.stamp-test tests/js/node_modules/.stamp-oracle
	$(PY) -m pytest -q

setup: $(VENV)/.stamp-package

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-torch: $(VENV)/bin/python
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet "$(TORCH_SPEC)" || $(PIP) install --quiet "$(TORCH_SPEC)" --index-url $(TORCH_INDEX)
	touch $@

$(VENV)/.stamp-package: $(VENV)/.stamp-torch pyproject.toml
	$(PIP) install --quiet numpy h5py
	$(PIP) install --quiet --no-deps --no-build-isolation -e . || $(PIP) install --quiet --no-deps -e .
	touch $@

$(VENV)/.stamp-test: $(VENV)/.stamp-package
	$(PIP) install --quiet pytest fsspec
	touch $@

oracle: tests/js/node_modules/.stamp-oracle

tests/js/node_modules/.stamp-oracle: tests/js/package.json tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf $(VENV) tests/js/node_modules
