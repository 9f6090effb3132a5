# The two commands of the README: `make run` and `make test`.
# They need only Python 3.12+ and make; the virtual environment lives in .venv.

PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin

# An interpreter that really runs as 3.12+: $(PYTHON) if given, else the first
# candidate on PATH, else pyenv's installed versions (newest first). pyenv shims
# for versions that are not selected exist but fail, so each candidate is run.
PYTHON ?= $(shell for c in python3.14 python3.13 python3.12 python3 python \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/*/bin/python3 2>/dev/null | sort -rV); do \
	  if command -v "$$c" >/dev/null 2>&1 && "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; \
	  then echo "$$c"; break; fi; done)

.PHONY: run test lint format messages clean

run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --base-url http://127.0.0.1:$(PORT)
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Needs GNU gettext (msgfmt/xgettext); the compiled .mo files are committed so
# that `make run` works without it.
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages -l da --no-location --no-obsolete --ignore '.venv/*' --ignore 'static/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

$(VENV)/bin/python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "No Python 3.12 or newer found (tried PATH and pyenv). Install one, or run: make PYTHON=/path/to/python3.12 ..." >&2; \
	  exit 1; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

clean:
	rm -rf $(VENV) data/ .pytest_cache
