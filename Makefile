# The verbs of the course. Every target that needs Python depends on `setup`,
# which builds .venv once and rebuilds it only when pyproject.toml changes.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
LESSONS := $(sort $(wildcard notebooks/[0-9][0-9]_*.py))
NOTEBOOKS := $(LESSONS:.py=.ipynb)
# One OpenMP thread per process: the two nbval workers of make test then share two
# cores without competing for them, and float reductions always run in one order.
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
# Use the new platformdirs paths and silence the debugger's frozen-modules warning.
export JUPYTER_PLATFORM_DIRS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# Root (these machines and CI) must say so to start JupyterLab; a laptop need not.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: help setup lab lab-speaker test execute sync student grade sandbox slides site browser bench lint clean check-platforms test-py313

help: ## list the targets (the default)
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(INSTALLED) ## create .venv with the pinned dependencies (again only when pyproject.toml changes)

# A student works in student/ (the exercises without solutions); a notebook deleted
# there comes back fresh, and one with the student's work is never touched.
lab: setup ## start JupyterLab on the student notebooks in student/ (127.0.0.1; open the URL with its token)
	$(BIN)/python -m tools.export student --missing-only $(NOTEBOOKS)
	$(BIN)/jupyter lab --ServerApp.root_dir=student --ServerApp.ip=127.0.0.1 $(ALLOW_ROOT)

lab-speaker: setup ## start JupyterLab on the full lessons with solutions in notebooks/ (the speaker's)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks --ServerApp.ip=127.0.0.1 $(ALLOW_ROOT)

# make test runs Python behind a network guard (tests/offline/sitecustomize.py):
# any connection that would leave the machine fails and is logged here.
NETWORK_LOG := $(CURDIR)/build/network-attempts.log
GUARD := PYTHONPATH=$(CURDIR)/tests/offline SOFTMAX_COURSE_NETWORK_LOG=$(NETWORK_LOG)

test: setup slides browser sandbox ## ruff; unit, export, wheel, browser, twin-sync and reliability tests; nbval over every lesson, natively and under other arithmetic paths
	rm -f $(NETWORK_LOG)
	$(BIN)/ruff check .
	$(GUARD) $(BIN)/pytest -n 2 --dist loadfile tests
	$(if $(NOTEBOOKS),$(GUARD) $(BIN)/pytest --nbval -n 2 --dist loadfile $(NOTEBOOKS),@echo "no lessons yet: nothing for nbval")
	$(if $(NOTEBOOKS),$(GUARD) $(BIN)/python -m tools.arithmetic_paths -q -n 2 --dist loadfile $(NOTEBOOKS))
	@if [ -s $(NETWORK_LOG) ]; then echo "network access was attempted:"; cat $(NETWORK_LOG); exit 1; fi

execute: sync ## re-run every lesson and store its outputs in the .ipynb (none written if one fails)
	$(BIN)/python -m tools.execute $(NOTEBOOKS)

sync: setup ## write each lesson's .ipynb cells from its .py source (outputs kept), then normalise the .py
	$(if $(LESSONS),$(BIN)/jupytext --quiet --update --to ipynb $(LESSONS))
	$(if $(NOTEBOOKS),$(BIN)/jupytext --quiet --to py:percent $(NOTEBOOKS))

student: setup ## write student/NN_topic.ipynb from the lessons; refuses over a student's edits (FRESH=NN_topic backs one up and replaces it)
	$(BIN)/python -m tools.export student $(NOTEBOOKS) $(if $(FRESH),--fresh $(FRESH))

grade: setup ## grade SUBMISSIONS=dir (<student>/*.ipynb), each notebook in a bubblewrap sandbox: build/grades/grades.csv and feedback/<student>.md
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=dir (a folder of <student>/*.ipynb)"; exit 2; }
	$(BIN)/python -m tools.grade $(SUBMISSIONS) --out build/grades $(if $(TRUST_NOTEBOOKS),--trust-notebooks) $(if $(CPU_SECONDS),--cpu-seconds $(CPU_SECONDS))

sandbox: ## install bubblewrap (bwrap), the grader's sandbox, when it is missing (needs root and apt-get)
	@if command -v bwrap >/dev/null; then echo "bwrap: $$(command -v bwrap)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; } \
		|| echo "Installing bubblewrap failed; the grading tests will FAIL (sudo apt-get install -y bubblewrap)"; \
	else echo "bubblewrap is missing and cannot be installed here; the grading tests will FAIL."; \
		echo "Install it with: sudo apt-get install -y bubblewrap"; fi

# reveal.js at the major version nbconvert's template expects (4), and what the
# deck loads besides, from the npm registry; copied next to the slides.
NPM_PACKAGES := reveal.js@4.6.1 requirejs@2.3.7 jquery@3.7.1 mathjax@2.7.9
VENDOR := build/slides/vendor
NODE_MODULES := build/npm/node_modules
# The stamp is named after the package list: a new pin reinstalls, other Makefile edits do not.
VENDOR_STAMP := $(VENDOR)/.installed-$(shell echo '$(NPM_PACKAGES)' | md5sum | cut -c1-12)

$(VENDOR_STAMP):
	npm install --prefix build/npm --no-save --no-audit --no-fund --loglevel=error $(NPM_PACKAGES)
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/reveal.js $(VENDOR)/mathjax/jax/output $(VENDOR)/mathjax/fonts/HTML-CSS/TeX $(VENDOR)/mathjax/localization
	cp -r $(NODE_MODULES)/reveal.js/dist $(NODE_MODULES)/reveal.js/plugin $(NODE_MODULES)/reveal.js/LICENSE $(VENDOR)/reveal.js/
	cp $(NODE_MODULES)/requirejs/require.js $(NODE_MODULES)/jquery/dist/jquery.min.js $(VENDOR)/
	cd $(NODE_MODULES)/mathjax && cp -r MathJax.js LICENSE config extensions ../../../../$(VENDOR)/mathjax/ \
		&& cp -r jax/input jax/element ../../../../$(VENDOR)/mathjax/jax/ \
		&& cp -r jax/output/CommonHTML ../../../../$(VENDOR)/mathjax/jax/output/ \
		&& cp -r fonts/HTML-CSS/TeX/woff ../../../../$(VENDOR)/mathjax/fonts/HTML-CSS/TeX/ \
		&& cp -r localization/en ../../../../$(VENDOR)/mathjax/localization/
	touch $@

slides: setup $(VENDOR_STAMP) ## write build/slides/NN_topic.slides.html from the stored outputs (works offline)
	$(BIN)/python -m tools.export slides $(NOTEBOOKS)

site: setup ## write build/site/NN_topic.md seminar pages (Jekyll, the seminar's format) with their figures
	$(BIN)/python -m tools.export site $(NOTEBOOKS)

browser: ## install Debian's Chromium for the browser tests (slides, lab) when it is missing (needs root and apt-get)
	@if command -v chromium >/dev/null; then echo "chromium: $$(command -v chromium)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
		|| echo "Installing chromium failed; the browser tests will be SKIPPED, and FAIL under .ci/run (sudo apt-get install -y chromium)"; \
	else echo "Chromium is missing and cannot be installed here; the browser tests will be SKIPPED, and FAIL under .ci/run."; \
		echo "Install it with: sudo apt-get install -y chromium"; fi

bench: setup ## time lessons, helpers and each step of make test as ratios; write build/bench.json (PARTS_ONLY=1: make test's steps only; SETUP=1, LAB=1: also a fresh install, the lab test)
	$(BIN)/python -m tools.bench $(if $(SETUP),--setup) $(if $(LAB),--lab) $(if $(REPEAT),--repeat $(REPEAT)) $(if $(PARTS_ONLY),--parts-only)

lint: setup ## ruff check (make lint FIX=1 also fixes what it can); actionlint on the CI workflow
	$(BIN)/ruff check $(if $(FIX),--fix) .
	$(BIN)/actionlint .github/workflows/*.yml

check-platforms: setup ## check on the registry that the pins have wheels for every supported Python and platform
	$(BIN)/python -m tools.check_platforms

# The trixie root is kept outside the repository and reused (TRIXIE_ROOT=... to move it).
test-py313: ## make test on Python 3.13 in a Debian trixie root (needs root and debootstrap)
	tools/test_py313.sh

clean: ## remove build/ and caches (keeps .venv; rm -rf .venv to rebuild it)
	rm -rf build .pytest_cache .ruff_cache
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +
