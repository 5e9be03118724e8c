# Two entry points, each setting up what it needs on a fresh machine:
#   make plan   - the default Palmitas coverage plan, written to maps/palmitas/
#   make test   - the test suite (installs the system tools the tests use, when run as root)
# The Palmitas input data is read from $(COVERAGE_DATA_MIRROR), by default the mirror beside
# the checkout (../shared/data/palmitas).

PYTHON ?= python3
VENV ?= .venv
export COVERAGE_DATA_MIRROR ?= $(abspath ../shared/data/palmitas)
# System tools the tests drive: gdalinfo/ogrinfo (GDAL), Chromium (map test), pdftoppm (PDF test),
# PyQGIS for the system python3 (the QGIS styles test, tests/outputs/test_qgisstyle.py).
# Leaflet, which the offline map inlines, comes from the xstatic-leaflet wheel, not from here.
APT_PACKAGES = gdal-bin chromium poppler-utils
# PyQGIS without QGIS's recommended packages (the desktop): about 100 MB to download.
QGIS_APT_PACKAGES = python3-qgis qgis-providers

.PHONY: plan test venv system-tools lint

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	# coverage.py would shadow this package's import name `coverage`: keep it out.
	$(VENV)/bin/pip uninstall --yes --quiet coverage pytest-cov 2>/dev/null || true
	touch $@

venv: $(VENV)/.installed

system-tools:
	@missing=""; \
	for tool in gdalinfo chromium pdftoppm; do command -v $$tool >/dev/null || missing=yes; done; \
	/usr/bin/python3 -c 'import qgis.core' 2>/dev/null || missing=yes; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null \
	      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	        $(QGIS_APT_PACKAGES) >/dev/null; \
	  else \
	    echo "Install the Debian packages $(APT_PACKAGES) $(QGIS_APT_PACKAGES) (as root), then run make test again." >&2; exit 1; \
	  fi; \
	fi

# exit 3: every output was written, but the plan has warnings (shown first in every output)
plan: venv
	@$(VENV)/bin/coverage-plan run; rc=$$?; \
	if [ $$rc -eq 3 ]; then echo "make plan: written, with warnings: read them first"; \
	elif [ $$rc -ne 0 ]; then exit $$rc; fi

test: venv system-tools
	$(VENV)/bin/python -m pytest

# Public modules only: a path with a private part (coverage/_toml.py, radio/_kernels/) is not API.
PUBLIC_MODULES = $(shell git ls-files 'coverage/*.py' | grep -v '/_[a-z]')

lint: venv
	$(VENV)/bin/ruff check coverage tests
	$(VENV)/bin/ruff format --check coverage tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	@echo "numpydoc lint (public modules)" && $(VENV)/bin/numpydoc lint $(PUBLIC_MODULES)
