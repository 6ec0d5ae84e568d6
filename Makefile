# Two commands matter: `make up` (set up and run the suite) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: setup up demo test lint unit integration bench services tools clean stack

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

up: setup
	$(BIN)/gravity up

demo: setup
	$(BIN)/gravity demo

# The broker's management API is what nameko's test fixtures use to make a vhost per test.
services:
	@deploy/ensure-local-services.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# pdftoppm, pdftotext and zbarimg, which the honours documents' tests read PDFs with; chromium
# and a CJK font, which the web console's tests (tests/browser) drive and screenshot.
tools:
	@deploy/ensure-test-tools.sh

test: setup services tools lint
	$(BIN)/pytest -m "not stack"

# The operator's docker compose stack, built without a registry and tested for real. Needs root:
# installs docker.io, docker-compose and debootstrap when missing and starts dockerd (vfs).
stack: setup
	deploy/ci/stack-stage.sh

# Every page's screenshot from the browser tests (var/screenshots/, CI's artifacts), and the
# dashboard's copied to the image the README and docs/console.md show, so the two stay in step.
.PHONY: screenshots
screenshots: setup services tools
	$(BIN)/pytest tests/browser -q
	cp var/screenshots/dashboard.png docs/images/console-dashboard.png

unit: setup tools
	$(BIN)/pytest tests/unit

bench: setup services
	$(BIN)/python bench/registrations.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
