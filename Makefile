# One command surface for people and CI: `make book` builds the site, `make test` runs every test.
# Both create the virtual environment from requirements.txt on first use and reuse it after.

PYTHON   ?= python3
VENV     := .venv
PY       := $(VENV)/bin/python
SCENARIO ?= base
# The stamp is rebuilt when the pinned requirements or the package metadata change.
STAMP    := $(VENV)/.installed

.PHONY: book test test-fast check refresh bench pdf audit browser-deps clean help

help:
	@echo "make book [SCENARIO=base|bull|bear]  build the site into _build/html (or _build/scenarios/<name>/html)"
	@echo "make book FRESH=1                    the same, executing every notebook (ignore _build/cache)"
	@echo "make test                            run every test (unit, data, nbval, build, browser), on all cores"
	@echo "make test-fast                       unit, data and contract tests only: no kernel, no build (seconds)"
	@echo "make check                           validate data/ and seeds/ only"
	@echo "make refresh [NB=retail_war]         re-execute book notebooks in place (commit their outputs)"
	@echo "make bench                           time builds and notebooks, weigh pages"
	@echo "make pdf                             print the whole book to _build/pdf/book.pdf (offline)"
	@echo "make audit                           pip-audit the pinned requirements (needs the PyPI registry)"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	# --no-deps: requirements.txt is the one install source; no build isolation: nothing to fetch
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# A notebook is executed again only when its code, parameters or the files it read changed
# (alibaba_report/build/cache.py); FRESH=1 executes every notebook and refreshes the cache.
book: $(STAMP)
	REPORT_FRESH=$(FRESH) $(PY) -m alibaba_report.build book --scenario $(SCENARIO)

check: $(STAMP)
	$(PY) -m alibaba_report.build check

refresh: $(STAMP)
	$(PY) -m alibaba_report.build refresh $(NB)

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
# -n auto (pytest-xdist): one worker per core; tests/conftest.py keeps the tests of the built site on
# one worker and each notebook's nbval cells together, and spreads the rest by module.
test: $(STAMP) browser-deps
	$(PY) -m pytest -p no:cacheprovider -n auto tests book --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg

# The inner loop: everything that needs no kernel, no build and no browser (under 20 s).
test-fast: $(STAMP)
	$(PY) -m pytest -p no:cacheprovider -q -m "not build and not browser and not notebook" tests

bench: $(STAMP)
	$(PY) tests/bench.py

pdf: $(STAMP) browser-deps
	$(PY) -m alibaba_report.build.pdf

audit: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check pip-audit==2.10.1
	# --strict: a package that could not be audited is a failure, not a silent pass
	$(VENV)/bin/pip-audit -r requirements.txt --strict --progress-spinner off

clean:
	rm -rf _build
