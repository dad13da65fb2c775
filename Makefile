# Every target installs what it needs first; only python3 (3.11+) must exist.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STACK ?= dev

.PHONY: help venv test lint demo diagrams bench deploy preview destroy clean

help:
	@echo "make test     install the pinned dependencies into $(VENV) and run the tests (no AWS, no Pulumi CLI)"
	@echo "make lint     ruff and mypy"
	@echo "make demo     deploy into an in-memory AWS and run both workflows (no AWS account needed)"
	@echo "make bench    print the speed and size figures against their targets"
	@echo "make diagrams regenerate the Mermaid diagrams in README.md and docs/ from workflows/*.asl.json"
	@echo "make deploy   pulumi up on stack $(STACK) (needs the Pulumi CLI and AWS credentials)"
	@echo "make preview  pulumi preview on stack $(STACK)"
	@echo "make destroy  pulumi destroy on stack $(STACK): removes everything the stack created"

# The stamp file is rebuilt whenever a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

# Two workers on a two-core machine; every test builds its own program, so they share nothing.
test: venv
	$(PY) -m pytest -n auto

bench: venv
	$(PY) -m bench.run

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

diagrams: venv
	$(PY) -m workflows.diagram

demo: venv
	$(PY) -m rehearsal.demo $(STACK)

deploy: venv
	STACK=$(STACK) scripts/stack.sh up

preview: venv
	STACK=$(STACK) scripts/stack.sh preview

destroy: venv
	STACK=$(STACK) scripts/stack.sh destroy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
