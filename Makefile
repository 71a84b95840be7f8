# The two commands of the README: `make run` (install, then start the app) and
# `make test` (install, then run every test). Everything else is a step of those.
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test test-fast lint bench lock install install-dev assets browser data-sources

# serve.py is `streamlit run app.py` with the data loaded before the server starts.
run: install assets
	$(PY) serve.py

# Lint first (so CI fails on a ruff or mypy error too), then every test; PostgreSQL for the scenario
# store's tests: a throwaway server on 127.0.0.1, stopped after.
test: install-dev assets browser lint
	eval "$$(bash tests/pg_server.sh start)" && $(PY) -m pytest; status=$$?; bash tests/pg_server.sh stop; exit $$status

# The edit-test loop: everything but the browser tests and the slow ones (marked `slow`: the
# command-line tools run as processes, the whole DREES workbook, huge or hostile files), on two
# processes (pytest-xdist; a test file stays on one, so its fixtures load once): ~60 s of CPU, 45 s
# on two cores (71 s on one) with the load average at 3. Two, not one per core: each process holds
# every commune of France (~1.7 GB). No lint here: `make lint` when wanted (mypy's first run ~30 s).
test-fast: install-dev
	$(PY) -m pytest -m "not browser and not slow" -q -n 2 --dist loadfile

# ruff (pyproject.toml [tool.ruff]) and mypy ([tool.mypy]: which files, which stubs and why).
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: install-dev assets browser
	$(PY) -m bench

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev data-sources

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements.txt
	$(PIP) install -q --disable-pip-version-check --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt
	python3 -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements-dev.txt
	$(PIP) install -q --disable-pip-version-check --no-deps -e .
	touch $(VENV)/.installed $@

# The pinned locks that `make` installs, regenerated from pyproject.toml (never edited by
# hand): uv keeps the versions already locked unless asked to upgrade them.
lock: install-dev
	$(VENV)/bin/uv pip compile -q pyproject.toml -o requirements.txt
	$(VENV)/bin/uv pip compile -q pyproject.toml --extra dev -o requirements-dev.txt

# Leaflet and its plugins, served by Streamlit from static/ so the map needs no CDN.
assets: static/node_modules/.installed
static/node_modules/.installed: static/package.json static/package-lock.json
	npm ci --prefix static --no-audit --no-fund --loglevel=error
	touch $@

# The populations légales of every vintage (npm @etalab/decoupage-administratif, one alias per
# version), read by data/build_communes.py and by the tests; the app reads only data/'s
# derived files, so `make run` does not need them.
data-sources: data/npm/node_modules/.installed
data/npm/node_modules/.installed: data/npm/package.json data/npm/package-lock.json
	npm ci --prefix data/npm --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium for the browser tests (Playwright drives it; it cannot download its own).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }
