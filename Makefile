# Two commands on a fresh machine: `make run` and `make test`. Everything lives in .venv/.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced-stamp
FUZZ_PORT ?= 8181
FUZZ_EXAMPLES ?= 300
FUZZ_SERVICE ?= coupon
FUZZ_PREFIX := $(shell echo $(FUZZ_SERVICE) | tr a-z A-Z)

.PHONY: run test lint fuzz fmt setup clean docs docs-serve bench profile rule-number lock pg-up pg-down pg-status

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Re-sync whenever the lock or the project metadata changes. --compile-bytecode: uv installs no .pyc files
# by default, so with PYTHONDONTWRITEBYTECODE set every `contractkit` run recompiled typer, pydantic and PyYAML
# (0.15 s of each command's start-up). The project's own sources are installed editable, so uv compiles none of
# them: `compileall` writes their .pyc (another 60 ms of start-up); `make bench` refreshes the ones that changed.
$(STAMP): requirements.lock pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m compileall -q src
	@touch $@

setup: $(STAMP)

## lock: re-pin requirements.lock after a change to pyproject.toml (versions and hashes only; existing pins kept)
lock: | $(BIN)/uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --no-header --python-version 3.11 \
	  -o requirements.lock

## run: serve every registered service on SQLite, each on its own port of 127.0.0.1, with demo data; prints a
## token and curl lines to try (`dataservices services` lists the services and their ports)
run: $(STAMP)
	$(BIN)/dataservices serve all --demo --host 127.0.0.1

## pg-up: a local PostgreSQL 15 primary + streaming replica in var/postgres, a database per service; prints the
## variables to export (`eval "$(make -s pg-up)"` sets them). `make run` stays on SQLite.
pg-up: $(STAMP)
	@$(BIN)/dataservices pg up

## pg-status: whether the local pair runs, and how far the replica is behind (exit 1 unless both run)
pg-status: $(STAMP)
	@$(BIN)/dataservices pg status

## pg-down: stop the local pair and delete var/postgres
pg-down: $(STAMP)
	@$(BIN)/dataservices pg down

## lint: contracts valid and following the guidelines, code formatted, typed, layered
# --root .: the contracts' files may come from this checkout, also when it is a copy without .git.
lint: $(STAMP)
	$(BIN)/contractkit validate contracts/ --root .
	$(BIN)/contractkit lint contracts/ --fail-on warning --root .
	$(BIN)/ruff check src tests bench lint
	$(BIN)/ruff format --check src tests bench lint
	$(BIN)/mypy
	$(BIN)/lint-imports

## test: lint, the strict docs build, then every test suite
test: lint docs
	$(BIN)/pytest

## docs: the documentation site in site/, built with --strict (any warning fails); fetches Mermaid once
docs: $(STAMP)
	$(BIN)/ruff check docs/hooks
	$(BIN)/ruff format --check docs/hooks
	$(BIN)/mypy --strict docs/hooks
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

## docs-serve: the documentation site on http://127.0.0.1:8000, rebuilt on every change
docs-serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

## fuzz: a long Schemathesis run (all checks, all phases) against a live service (FUZZ_SERVICE, coupon by default)
fuzz: $(STAMP)
	@set -e; dir=$$(mktemp -d); \
	DATASERVICES_$(FUZZ_PREFIX)_DATABASE_URL="sqlite:///$$dir/$(FUZZ_SERVICE).db" \
	  $(BIN)/dataservices serve $(FUZZ_SERVICE) --port $(FUZZ_PORT) > $$dir/server.log 2>&1 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null || true' EXIT; \
	for i in $$(seq 1 100); do curl -sf http://127.0.0.1:$(FUZZ_PORT)/health/ready >/dev/null && break; sleep 0.2; done; \
	$(BIN)/contractkit verify contracts/$(FUZZ_SERVICE)/openapi.yaml --base-url http://127.0.0.1:$(FUZZ_PORT) \
	  --token "$$($(BIN)/dataservices token --service $(FUZZ_SERVICE))" \
	  --max-examples $(FUZZ_EXAMPLES) --junit-xml reports/fuzz-$(FUZZ_SERVICE).xml

# The service benchmark's load generator: Debian's wrk (C, scripted in Lua), installed when missing.
WRK := /usr/bin/wrk
$(WRK):
	command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk </dev/null; }

## bench: lint and diff speed and memory against Redocly, Spectral and api-smart-diff (inputs cached in bench/.cache/),
## then the coupon service over HTTP against its database's own driver, on SQLite and on a PostgreSQL primary with a
## streaming replica (at most 15 minutes), then read routing under a mixed load and the failover times on PostgreSQL
## (docs/performance.md, docs/architecture/data.md)
bench: $(STAMP) $(WRK)
	$(BIN)/python -m compileall -q src
	$(BIN)/python -m bench.lint_bench
	$(BIN)/python -m bench.diff_bench
	$(BIN)/python -m bench.service_bench
	$(BIN)/python -m bench.replica_bench
	$(BIN)/python -m bench.failover_bench

## profile: where the served coupon service spends its time under load (py-spy; stacks in bench/.cache/)
profile: $(STAMP) $(WRK)
	$(BIN)/python -m bench.service_bench --profile-only

## rule-number: the next free guideline rule id of a group, e.g. make rule-number GROUP=3xx
rule-number: $(STAMP)
	$(BIN)/python -m contractkit.lint.registry next $(GROUP)

## fmt: format and autofix
fmt: $(STAMP)
	$(BIN)/ruff format src tests bench lint
	$(BIN)/ruff check --fix src tests bench lint

clean:
	rm -rf $(VENV) var reports site .cache/docs .mypy_cache .ruff_cache .pytest_cache .hypothesis
