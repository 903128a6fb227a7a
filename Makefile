# The verbs of the course. Every target that needs Python depends on `setup`,
# which builds .venv once and rebuilds it only when pyproject.toml changes.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEV_INSTALLED := $(VENV)/.installed-dev
# Generated student notebooks (make student) and the student's own copies (make lab).
STUDENT_DIR := build/student
WORK_DIR := work
# make release REPO=https://github.com/<owner>/<name>: where the release is published.
RELEASE_DIR := build/release
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

.PHONY: help setup dev lab lab-speaker test execute sync student release grade sandbox vendor slides site browser hub-proxy colab-env release-wheels bench mutate lint clean check-platforms test-py313

help: ## list the targets (the default)
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	rm -f $(DEV_INSTALLED)
	touch $@

# The maintainer's and instructor's tools (the `dev` extra): only what needs them waits for them.
$(DEV_INSTALLED): $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(INSTALLED) ## create .venv with what a student needs, pinned (again only when pyproject.toml changes)

dev: $(DEV_INSTALLED) ## add the maintainer's tools (tests, grader, JupyterHub) to .venv

# A student works in work/ (git ignores it): each lesson is copied there once
# from build/student/, and never written again; a newer version of a lesson is
# announced, and NEW=NN_topic puts it beside the student's own copy.
lab: setup ## copy new lessons into work/ (never over your own), then start JupyterLab there (127.0.0.1; open the URL with its token)
	$(BIN)/python -m tools.export student $(NOTEBOOKS)
	$(BIN)/python -m softmax_course.workspace $(STUDENT_DIR) $(WORK_DIR) $(if $(NEW),--beside $(NEW))
	$(BIN)/jupyter lab --ServerApp.root_dir=$(WORK_DIR) --ServerApp.ip=127.0.0.1 $(ALLOW_ROOT)

lab-speaker: setup ## start JupyterLab on the full lessons with solutions in notebooks/ (the speaker's)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks --ServerApp.ip=127.0.0.1 $(ALLOW_ROOT)

# make test runs Python behind a network guard (tests/offline/sitecustomize.py):
# any connection that would leave the machine fails and is logged here.
NETWORK_LOG := $(CURDIR)/build/network-attempts.log
GUARD := PYTHONPATH=$(CURDIR)/tests/offline SOFTMAX_COURSE_NETWORK_LOG=$(NETWORK_LOG)

test: dev vendor browser sandbox hub-proxy colab-env release-wheels ## ruff; unit, export, wheel, browser, twin-sync, grading, release and hub tests; nbval over every lesson, natively and under other arithmetic paths
	rm -f $(NETWORK_LOG)
	$(BIN)/ruff check .
	$(GUARD) $(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder tests
	$(if $(NOTEBOOKS),$(GUARD) $(BIN)/pytest --nbval -n 2 --dist loadfile $(NOTEBOOKS),@echo "no lessons yet: nothing for nbval")
	$(if $(NOTEBOOKS),$(GUARD) $(BIN)/python -m tools.arithmetic_paths -q -n 2 --dist loadfile $(NOTEBOOKS))
	@if [ -s $(NETWORK_LOG) ]; then echo "network access was attempted:"; cat $(NETWORK_LOG); exit 1; fi

execute: sync ## re-run every lesson and store its outputs in the .ipynb (none written if one fails)
	$(BIN)/python -m tools.execute $(NOTEBOOKS)

sync: dev ## write each lesson's .ipynb cells from its .py source (outputs kept), then normalise the .py
	$(if $(LESSONS),$(BIN)/jupytext --quiet --update --to ipynb $(LESSONS))
	$(if $(NOTEBOOKS),$(BIN)/jupytext --quiet --to py:percent $(NOTEBOOKS))

student: setup ## write build/student/NN_topic.ipynb from the lessons (no solution, no speaker note; rewritten whole)
	$(BIN)/python -m tools.export student $(NOTEBOOKS)

release: dev ## write the student distribution as a git repository in build/release/ (REPO=https://github.com/<owner>/<name>, where it will be published)
	@test -n "$(REPO)" || { echo "usage: make release REPO=https://github.com/<owner>/<name> (the repository students will get the release from)"; exit 2; }
	$(BIN)/python -m tools.release --repo $(REPO) --out $(RELEASE_DIR) $(if $(BRANCH),--branch $(BRANCH)) $(NOTEBOOKS)

grade: dev ## grade SUBMISSIONS=dir (<student>/*.ipynb), each notebook in a bubblewrap sandbox: build/grades/grades.csv and feedback/<student>.md
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=dir (a folder of <student>/*.ipynb)"; exit 2; }
	$(BIN)/python -m tools.grade $(SUBMISSIONS) --out build/grades $(if $(TRUST_NOTEBOOKS),--trust-notebooks) $(if $(CPU_SECONDS),--cpu-seconds $(CPU_SECONDS))

# $(call apt_install,COMMAND,PACKAGE,WHAT FAILS WITHOUT IT): install Debian's PACKAGE when
# COMMAND is missing, as root with apt-get; anywhere else, say how.
define apt_install
	@if command -v $(1) >/dev/null; then echo "$(1): $$(command -v $(1))"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; } \
		|| echo "Installing $(2) failed; $(3) (sudo apt-get install -y $(2))"; \
	else echo "$(2) is missing and cannot be installed here; $(3)."; \
		echo "Install it with: sudo apt-get install -y $(2)"; fi
endef

sandbox: ## install bubblewrap (bwrap), the grader's sandbox, when it is missing (needs root and apt-get)
	$(call apt_install,bwrap,bubblewrap,the grading tests will FAIL)

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

vendor: $(VENDOR_STAMP) ## fetch reveal.js and what the decks load from the npm registry into build/slides/vendor

slides: dev $(VENDOR_STAMP) ## write build/slides/NN_topic.slides.html from the stored outputs (works offline)
	$(BIN)/python -m tools.export slides $(NOTEBOOKS)

site: dev ## write build/site/NN_topic.md seminar pages (Jekyll, the seminar's format) with their figures
	$(BIN)/python -m tools.export site $(NOTEBOOKS)

browser: ## install Debian's Chromium for the browser tests (slides, lab) when it is missing (needs root and apt-get)
	$(call apt_install,chromium,chromium,the browser tests will be SKIPPED (and FAIL under .ci/run))

# The JupyterHub class test (tests/test_hub.py) needs the hub's proxy, from npm.
HUB_PROXY := configurable-http-proxy@5.3.0
HUB_NPM := build/hub-npm
HUB_STAMP := $(HUB_NPM)/.installed-$(shell echo '$(HUB_PROXY)' | md5sum | cut -c1-12)

$(HUB_STAMP):
	npm install --prefix $(HUB_NPM) --no-save --no-audit --no-fund --loglevel=error $(HUB_PROXY)
	touch $@

hub-proxy: $(HUB_STAMP) ## install configurable-http-proxy (npm) for the JupyterHub class test

# The lab test (tests/colab_env.py) installs the release's helper package into
# an environment with another torch than the pin, as Colab has, and runs every
# lesson there: this one
# is torch $(COLAB_TORCH) from PyPI (a CUDA build, run on the CPU) with what Colab
# ships besides (pinned, so that every run builds the same). Built once (about 5 GB;
# make clean keeps it), reused by every make test.
COLAB_TORCH := 2.14.1
COLAB_VENV := .venv-colab
COLAB_PACKAGES := torch==$(COLAB_TORCH) numpy==2.4.6 matplotlib==3.11.2 scikit-learn==1.9.1 ipykernel==7.4.0 nbclient==0.11.0 nbformat==5.11.1 hatchling==1.33.0
COLAB_STAMP := $(COLAB_VENV)/.installed-$(shell echo '$(COLAB_PACKAGES)' | md5sum | cut -c1-12)

$(COLAB_STAMP):
	rm -rf $(COLAB_VENV) && $(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --quiet $(COLAB_PACKAGES)
	touch $@

# The release test (tests/test_release.py) builds a fresh environment from the
# release's own requirements.txt, offline: from these wheels, downloaded once,
# and installed once here to fill uv's cache (build/uv-cache), which makes the
# test's install take seconds.
WHEELHOUSE := build/wheelhouse
WHEELHOUSE_STAMP := $(WHEELHOUSE)/.downloaded

$(WHEELHOUSE_STAMP): pyproject.toml tools/release.py | $(DEV_INSTALLED)
	mkdir -p $(WHEELHOUSE)
	$(BIN)/python -m tools.release --requirements > $(WHEELHOUSE)/requirements.txt
	$(BIN)/python -m pip download --quiet --dest $(WHEELHOUSE) -r $(WHEELHOUSE)/requirements.txt hatchling==1.33.0 editables==0.6
	rm -rf $(WHEELHOUSE)/venv && $(BIN)/uv venv --quiet --python $(PYTHON) $(WHEELHOUSE)/venv
	UV_CACHE_DIR=build/uv-cache $(BIN)/uv pip install --quiet --python $(WHEELHOUSE)/venv/bin/python --offline --no-index --find-links $(WHEELHOUSE) -r $(WHEELHOUSE)/requirements.txt hatchling==1.33.0 editables==0.6
	rm -rf $(WHEELHOUSE)/venv
	touch $@

release-wheels: $(WHEELHOUSE_STAMP) ## download the release's pinned wheels for its offline install test

colab-env: $(COLAB_STAMP) ## build the Colab-like environment (another torch than the pin) for the Colab test

bench: dev ## time nbval against plain scripts, grading against one run, each step of make test against its nbval step; write build/bench.json (PARTS_ONLY=1: make test's steps only; REPEAT=n)
	$(BIN)/python -m tools.bench $(if $(REPEAT),--repeat $(REPEAT)) $(if $(PARTS_ONLY),--parts-only) $(NOTEBOOKS)

# mutmut, pinned in pyproject.toml's mutate extra, is installed on first use (not by make setup).
MUTATE_INSTALLED := $(VENV)/.installed-mutate
MUTATE_JOBS ?= 1

$(MUTATE_INSTALLED): $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[dev,mutate]'
	touch $@

mutate: dev $(MUTATE_INSTALLED) ## mutation testing of src/softmax_course (the checkers included), tools/export.py and tools/grade.py with mutmut (outside make test; MUTATE_JOBS=n workers, default 1); lists the surviving mutants
	MPLBACKEND=Agg $(BIN)/mutmut run --max-children $(MUTATE_JOBS)
	$(BIN)/mutmut results

lint: dev ## ruff check (make lint FIX=1 also fixes what it can); actionlint on the CI workflow
	$(BIN)/ruff check $(if $(FIX),--fix) .
	$(BIN)/actionlint .github/workflows/*.yml

check-platforms: dev ## check on the registry that the pins have wheels for every supported Python and platform
	$(BIN)/python -m tools.check_platforms

# The trixie root is kept outside the repository and reused (TRIXIE_ROOT=... to move it).
test-py313: ## make test on Python 3.13 in a Debian trixie root (needs root and debootstrap)
	tools/test_py313.sh

clean: ## remove build/ and caches (keeps .venv; rm -rf .venv to rebuild it)
	rm -rf build .pytest_cache .ruff_cache mutants
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +
