# Quick start: `make demo` and `make test`. Both create ./.venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint browser bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { echo "python3 -m venv failed: on Debian run 'apt-get install python3-venv'"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/dateline demo

# pytest exits 5 when it collected no tests: a failure, never a pass.
test: $(VENV)/.installed-test browser lint
	$(BIN)/python -m pytest; code=$$?; \
	if [ $$code -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; exit $$code

# The linter and the formatter (settings in pyproject.toml); `ruff format src tests bench` fixes the layout.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

# tests/test_browser.py drives Debian's Chromium (Playwright cannot download its own browser here):
# installed when missing and running as root; otherwise that test skips and says why.
browser:
	@[ -x /usr/bin/chromium ] || { [ "$$(id -u)" = 0 ] && apt-get update -q && apt-get install -y -q chromium; } || true

# Benchmarks on ../shared/data. tilse scores timelines with the Perl ROUGE-1.5.5, which needs two
# Debian Perl packages (installed when missing and running as root).
bench: $(VENV)/.installed-test browser
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m pip install --quiet --no-deps tilse==0.2.1
	@perl -MXML::Parser -e1 2>/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q libxml-parser-perl libwww-perl; } || true
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/dates.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/dedup.py
	$(BIN)/python bench/stories.py
	$(BIN)/python bench/timex.py
	$(BIN)/python bench/quotes.py
	$(BIN)/python bench/tls.py
	$(BIN)/python bench/latency.py
	$(BIN)/python bench/page.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
