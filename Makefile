# Two commands on a fresh machine:  make demo   and   make test
# Everything lives in .venv; system packages (PostgreSQL, Chromium) come from apt when missing.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_DIR ?= var
TEST_DATA_DIR ?= var/test

.PHONY: install messages demo serve test test-postgres clean

install: $(STAMP) messages

# Translations are kept as .po text; the binary .mo files are built here, never committed.
messages: $(STAMP)
	@for directory in $$(find src/paydesk -type d -name locale); do \
		$(BIN)/pybabel compile -d $$directory -D django || exit 1; \
	done

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: install
	PAYDESK_DATA_DIR=$(DATA_DIR) $(BIN)/paydesk demo --host 127.0.0.1 --port 8000

serve: install
	PAYDESK_DATA_DIR=$(DATA_DIR) $(BIN)/paydesk serve

test: install
	mkdir -p $(TEST_DATA_DIR)
	PAYDESK_DATA_DIR=$(TEST_DATA_DIR) $(BIN)/python -m pytest $(PYTEST_ARGS)

# Needs PAYDESK_DATABASE_URL; .ci/run starts a PostgreSQL on loopback and sets it.
test-postgres: install
	@test -n "$$PAYDESK_DATABASE_URL" || { echo "set PAYDESK_DATABASE_URL=postgres://..."; exit 1; }
	mkdir -p $(TEST_DATA_DIR)-postgres
	PAYDESK_DATA_DIR=$(TEST_DATA_DIR)-postgres $(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var build src/*.egg-info .pytest_cache .hypothesis
