# Two commands on a fresh machine:  make demo   and   make test
# Everything lives in .venv; system packages (Pango and fonts for PDFs, Chromium for the
# browser tests) come from apt when missing. .ci/run adds PostgreSQL for its second run.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_DIR ?= var
TEST_DATA_DIR ?= var/test

# Pango and a font with Cyrillic for PDFs; Chromium for the browser tests.
RUNTIME_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
TEST_PACKAGES := chromium

.PHONY: install messages system-packages test-system-packages demo serve test test-postgres clean

install: system-packages $(STAMP) messages

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Installs what is missing when run as root on Debian; otherwise says what to install.
define ensure_packages
	@missing=$$(for package in $(1); do dpkg -s $$package >/dev/null 2>&1 || echo $$package; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
		else \
			echo "Please install these system packages: $$missing"; \
		fi; \
	fi
endef

system-packages:
	$(call ensure_packages,$(RUNTIME_PACKAGES))

test-system-packages:
	$(call ensure_packages,$(TEST_PACKAGES))

# Translations are kept as .po text; the binary .mo files are built here, never committed.
messages: $(STAMP)
	@for catalogue in $$(find src/paydesk -path '*/LC_MESSAGES/django.po'); do \
		$(BIN)/pybabel compile -i $$catalogue -o $${catalogue%.po}.mo || exit 1; \
	done

demo: install
	PAYDESK_DATA_DIR=$(DATA_DIR) $(BIN)/paydesk demo --host 127.0.0.1 --port 8000

serve: install
	PAYDESK_DATA_DIR=$(DATA_DIR) $(BIN)/paydesk serve

test: install test-system-packages
	mkdir -p $(TEST_DATA_DIR)
	PAYDESK_DATA_DIR=$(TEST_DATA_DIR) $(BIN)/python -m pytest $(PYTEST_ARGS)

# Needs PAYDESK_DATABASE_URL; .ci/run starts a PostgreSQL on loopback and sets it.
test-postgres: install test-system-packages
	@test -n "$$PAYDESK_DATABASE_URL" || { echo "set PAYDESK_DATABASE_URL=postgres://..."; exit 1; }
	mkdir -p $(TEST_DATA_DIR)-postgres
	PAYDESK_DATA_DIR=$(TEST_DATA_DIR)-postgres $(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var build src/*.egg-info .pytest_cache .hypothesis
