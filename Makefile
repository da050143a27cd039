# One command surface for people and CI: `make book` builds the site, `make test` runs every test.
# Both create the virtual environment from requirements.txt on first use and reuse it after.

PYTHON   ?= python3
# requirements.txt needs Python >= 3.11.5: soupsieve 4.1.2 declares Requires-Python >=3.11.5 (the
# highest floor of all pinned packages; the others need 3.11 or less). Debian 12's 3.11.2 is too old.
PYTHON_MIN ?= 3.11.5
VENV     := .venv
PY       := $(VENV)/bin/python
SCENARIO ?= base
# The stamp is rebuilt when the pinned requirements or the package metadata change.
STAMP    := $(VENV)/.installed

# Values from the command line reach the shell as one single-quoted word each: `make book
# 'SCENARIO=x;touch y'` passes the scenario name "x;touch y" (refused as unknown), it runs nothing.
quote = '$(subst ','\'',$(1))'
# The build runs on this checkout, whatever REPORT_ROOT the calling shell may have exported.
DRIVER = REPORT_ROOT=$(call quote,$(CURDIR)) $(call quote,$(PY)) -m alibaba_report.pipeline
# Make itself exits 2 on any failed recipe; the driver's own code (2 data, 3 notebook, 4 render,
# 5 environment, 6 busy, 70 internal) is printed by the driver and repeated here.
report = || { code=$$?; echo "make: the build exited with code $$code (python -m alibaba_report.pipeline exits with it)" >&2; exit $$code; }

A ?= base
B ?= bear

.PHONY: book page test test-fast check refresh bench pdf audit browser-deps clean help compare lint source accept edition chapter

help:
	@echo "make book [SCENARIO=base|bull|bear]  build the site into _build/html (or _build/scenarios/<name>/html)"
	@echo "make book FRESH=1                    the same, executing every notebook (ignore _build/cache)"
	@echo "make test                            run every test (unit, data, nbval, build, browser), on all cores"
	@echo "make test-fast                       unit, data, contract and stale-notebook tests, in process: no kernel, no build, no subprocess"
	@echo "make check                           validate data/ and seeds/ only"
	@echo "make refresh [NB=retail_war]         re-execute book notebooks in place (commit their outputs)"
	@echo "make lint                            ruff over the package and the tests"
	@echo "make page NB=retail_war SET='shrink_pct=25'  one notebook re-run with your values, as a page of the book"
	@echo "make compare [A=base B=mine]         key figures and assumptions of two built scenarios, side by side"
	@echo "make source FILE=… PUBLISHER='…' DATE=YYYY-MM-DD [TITLE='…' KIND='…']  register a new source, propose its claims"
	@echo "make accept [SEED=005]               move the candidates marked accept=yes into the ledger"
	@echo "make edition NAME=january-2026       record this edition in editions/<NAME>.json"
	@echo "make chapter NAME=supply_chain TITLE='Supply chains'  scaffold a new chapter that builds (CONTRIBUTING)"
	@echo "make bench                           time builds and notebooks, weigh pages"
	@echo "make pdf                             print the whole book to _build/pdf/book.pdf (offline)"
	@echo "make audit                           pip-audit the pinned requirements (needs the PyPI registry)"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(call quote,$(PY)) || { \
	  found=$$($(call quote,$(PYTHON)) -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null) || { \
	    echo "make: no Python at PYTHON=$(call quote,$(PYTHON)); install Python >= "$(call quote,$(PYTHON_MIN))" or run make PYTHON=/path/to/python3" >&2; exit 1; }; \
	  $(call quote,$(PYTHON)) -c 'import sys; need = tuple(int(x) for x in sys.argv[1].split(".")); sys.exit(0 if sys.version_info[:3] >= need else 1)' $(call quote,$(PYTHON_MIN)) || { \
	    echo "make: requirements.txt needs Python >= "$(call quote,$(PYTHON_MIN))" (soupsieve 4.1.2 requires it); found Python $$found at PYTHON=$(call quote,$(PYTHON)). Install a newer Python and run make PYTHON=/path/to/python3.12 (for example)" >&2; exit 1; }; \
	  echo "creating .venv with Python $$found ("$(call quote,$(PYTHON))")"; \
	  $(call quote,$(PYTHON)) -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	# --no-deps: requirements.txt is the one install source; no build isolation: nothing to fetch
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# A notebook is executed again only when its code, parameters or the files it read changed
# (alibaba_report/pipeline/cache.py); FRESH=1 executes every notebook and refreshes the cache.
book: $(STAMP)
	REPORT_FRESH=$(call quote,$(FRESH)) $(DRIVER) book --scenario $(call quote,$(SCENARIO)) $(report)

# When new evidence arrives (README): register the source, accept its figures, record an edition.
# Each value reaches the command as one quoted word; a bad one is refused by name (exit 2).
source: $(STAMP)
	REPORT_ROOT=$(call quote,$(CURDIR)) $(call quote,$(PY)) -m alibaba_report.evidence.intake source --file $(call quote,$(FILE)) --publisher $(call quote,$(PUBLISHER)) --date $(call quote,$(DATE)) --title $(call quote,$(TITLE)) --kind $(call quote,$(KIND))

accept: $(STAMP)
	REPORT_ROOT=$(call quote,$(CURDIR)) $(call quote,$(PY)) -m alibaba_report.evidence.intake accept --seed $(call quote,$(SEED))

edition: $(STAMP)
	REPORT_ROOT=$(call quote,$(CURDIR)) $(call quote,$(PY)) -m alibaba_report.synthesis.editions $(call quote,$(NAME))

# A new chapter in every file a chapter touches (package, notebook, parameters, base values, registry,
# _toc.yml, test), then its notebook and the pages that show every chapter (summary, scenarios, methods)
# executed, so they are committed with their outputs. A bad NAME or TITLE is refused by name (exit 2)
# before anything is written.
chapter: $(STAMP)
	REPORT_ROOT=$(call quote,$(CURDIR)) $(call quote,$(PY)) -m alibaba_report.chapters.scaffold --name $(call quote,$(NAME)) --title $(call quote,$(TITLE))
	$(DRIVER) refresh $(call quote,$(NAME)) index scenarios methods $(report)

check: $(STAMP)
	$(DRIVER) check $(report)

refresh: $(STAMP)
	$(DRIVER) refresh $(foreach nb,$(NB),$(call quote,$(nb))) $(report)

# One notebook with your values (SET: name=value pairs separated by spaces), rendered as a page of a
# whole book in _build/page/<notebook>/html; the other pages come from the execution cache.
page: $(STAMP)
	$(DRIVER) page $(call quote,$(NB)) $(foreach s,$(SET),--set $(call quote,$(s))) $(report)

# Reads the key-figures.json of both built sites (make book SCENARIO=<name> builds one) and writes
# the comparison to _build/compare/.
compare: $(STAMP)
	REPORT_ROOT=$(call quote,$(CURDIR)) $(call quote,$(PY)) -m alibaba_report.synthesis.compare $(call quote,$(A)) $(call quote,$(B))

# Browser tests need Debian's chromium; install it when missing and we are root (CI, a fresh
# machine). Without root the browser tests report themselves skipped, except under CI.
browser-deps:
	@{ command -v chromium && command -v pdftotext; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium and poppler-utils (pdftotext) for the browser and PDF tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; \
	  else echo "chromium is missing and cannot be installed here (not root): browser tests will be skipped"; fi; }

# nbval compares each committed notebook's outputs with a fresh run; the sanitize file lists what
# legitimately varies. -p no:cacheprovider keeps pytest from writing into the tree.
# ruff, with the short rule set in pyproject.toml: errors that hide bugs (undefined names, unused
# imports and variables, mutable defaults). make test and make test-fast run it first.
lint: $(STAMP)
	$(VENV)/bin/ruff check alibaba_report tests

# pytest-xdist: one worker per core plus one, because a worker waiting on a kernel, a build or the
# browser leaves its core idle (a 2-core machine, December 2026: 2 workers 357 s, 3 workers 294 s,
# 4 workers 306 s; make test-fast, in process, is fastest at one per core). tests/conftest.py keeps the
# tests of the built site on one worker and each notebook's nbval cells together, and spreads the rest
# by module. nproc counts the cores this process may use.
WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1) + 1 )))
# Python's bytecode caches are written even where PYTHONDONTWRITEBYTECODE is set (some CI images set
# it): pytest keeps the test modules with their asserts rewritten there, which takes about 5 s of
# every run's collection otherwise. They land in __pycache__ folders, which git ignores.
PYTEST = env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest -p no:cacheprovider
test: $(STAMP) browser-deps lint
	$(PYTEST) -n $(call quote,$(WORKERS)) tests book --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg

# The inner loop: everything that needs no kernel, no build and no browser, on every core; it names
# each notebook whose committed figures no longer match the package (tests/test_committed_outputs.py).
test-fast: $(STAMP) lint
	$(PYTEST) -q -n auto -m "not build and not browser and not notebook and not properties and not integration" tests

bench: $(STAMP)
	$(PY) tests/bench.py

pdf: $(STAMP) browser-deps
	$(PY) -m alibaba_report.pipeline.pdf

audit: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check pip-audit==2.10.1
	# --strict: a package that could not be audited is a failure, not a silent pass
	$(VENV)/bin/pip-audit -r requirements.txt --strict --progress-spinner off

clean:
	rm -rf _build
