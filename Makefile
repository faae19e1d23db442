# Two entry points for a fresh machine: `make report` and `make test`.
# Everything installs from this repository's files: Debian packages with apt-get (when missing),
# Python packages pinned in requirements.lock into .venv.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORES ?= 2
DATASET ?=
# FORMAT=html: a draft, everything but the PDF
FORMAT ?=
CONFIG_ARGS := $(strip $(if $(DATASET),dataset=$(DATASET)) $(if $(FORMAT),format=$(FORMAT)))
SNAKEMAKE_ARGS ?=

# Debian packages: pango for WeasyPrint (PDF), fonts, poppler (PDF checks in tests).
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils
APT_TEST_PACKAGES := chromium

.PHONY: setup system-deps test-system-deps report reports test lint format bench clean

system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

test-system-deps: system-deps
	@missing=$$(for p in $(APT_TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:" $$missing; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

setup: system-deps $(STAMP)

report: setup
	$(BIN)/snakemake --cores $(CORES) $(if $(CONFIG_ARGS),--config $(CONFIG_ARGS)) $(SNAKEMAKE_ARGS)

reports: setup
	$(BIN)/snakemake --cores $(CORES) all_reports $(SNAKEMAKE_ARGS)

test: test-system-deps $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check Snakefile rules/
	$(BIN)/snakemake --lint

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/snakefmt Snakefile rules/

# Benchmark-only peers (benchmarks/requirements.txt) go into .venv constrained by requirements.lock,
# so no pinned package moves. make bench BENCH_ARGS="--quick --peers ours,lme4"
BENCH_STAMP := $(VENV)/.bench-installed
BENCH_ARGS ?=

$(BENCH_STAMP): $(STAMP) benchmarks/requirements.txt
	$(BIN)/pip install -q -r benchmarks/requirements.txt -c requirements.lock
	touch $(BENCH_STAMP)

bench: setup $(BENCH_STAMP)
	$(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)

clean:
	rm -rf results reports/*/ .snakemake
