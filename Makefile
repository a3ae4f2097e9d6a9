# Kabuto: two commands do everything on a fresh machine.
#   make demo   set up if needed, then run the whole lifecycle on a local chain
#   make test   set up if needed, then run the whole test suite
# Only the PyPI, npm and Debian registries are used. A second run reinstalls nothing.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SOLC_VERSION := 0.8.30
# The EVM target (one setting). `make test EVM_VERSION=berlin` builds and tests for berlin.
EVM_VERSION ?= cancun
PRIVNET_PORT ?= 8546

export KABUTO_EVM_VERSION := $(EVM_VERSION)
export SOLCX_BINARY_PATH := $(CURDIR)/.cache/solcx
export PATH := $(CURDIR)/tools:$(CURDIR)/node_modules/.bin:$(PATH)

SETUP_STAMPS := $(VENV)/.kabuto-installed node_modules/.kabuto-installed .cache/solcx/solc-v$(SOLC_VERSION)
# The console's browser tests drive Debian's Chromium (tests/console, docs/console.md).
CHROMIUM ?= /usr/bin/chromium
export KABUTO_CHROMIUM := $(CHROMIUM)

.PHONY: properties bench-scale setup test demo bench privnet compile lint fmt clean prerequisites venue-demo venue-properties money-properties serve browser screenshots sizes differential prove

setup: $(SETUP_STAMPS) browser

prerequisites:
	@command -v $(PYTHON) >/dev/null || { echo "kabuto: $(PYTHON) not found: install Python 3.11 or 3.12 with venv (Debian: apt-get install python3 python3-venv)"; exit 1; }
	@$(PYTHON) -c 'import sys, venv; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 12) else 1)' 2>/dev/null || { echo "kabuto: Python 3.11 or 3.12 with the venv module is required (found: $$($(PYTHON) --version 2>&1)); install it (Debian: apt-get install python3 python3-venv)"; exit 1; }
	@command -v node >/dev/null || { echo "kabuto: node not found: install Node.js 18 or newer (Debian: apt-get install nodejs)"; exit 1; }
	@command -v npm >/dev/null || { echo "kabuto: npm not found: install npm (Debian: apt-get install npm)"; exit 1; }

# Headless Chromium and its driver from Debian (the console's browser tests; no browser
# download: Playwright drives the system browser). Installed with apt-get when missing and
# this is root on Debian; otherwise a clear message. A second run does nothing.
browser:
	@test -x $(CHROMIUM) && command -v chromedriver >/dev/null && test -d /usr/share/fonts/opentype/ipafont-gothic && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "kabuto: installing Debian's chromium, chromium-driver and a Japanese font (the console's browser tests)"; \
	  { apt-get install -y -q chromium chromium-driver fonts-ipafont-gothic >/dev/null 2>&1 || \
	    { apt-get update -q >/dev/null && apt-get install -y -q chromium chromium-driver fonts-ipafont-gothic >/dev/null; }; } \
	  || { echo "kabuto: apt-get install chromium chromium-driver fonts-ipafont-gothic failed"; exit 1; }; \
	else \
	  echo "kabuto: $(CHROMIUM) not found: install Debian's browser for the console tests (sudo apt-get install chromium chromium-driver fonts-ipafont-gothic), or set CHROMIUM=/path/to/chromium"; exit 1; \
	fi

$(VENV)/.kabuto-installed: requirements.lock pyproject.toml | prerequisites
	@echo "kabuto: installing the pinned Python toolchain into $(VENV) (about a minute on a cold cache)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	printf '%s\nimport kabuto.environment\n' "$(CURDIR)" > "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/kabuto-env.pth"
	touch $@

node_modules/.kabuto-installed: package.json package-lock.json | prerequisites
	@echo "kabuto: installing anvil, solc-js and OpenZeppelin from npm (package-lock.json)"
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# py-solc-x finds compilers as solc-vX.Y.Z files; ours is a link to the solc-js front end.
.cache/solcx/solc-v$(SOLC_VERSION): tools/solc
	mkdir -p .cache/solcx
	ln -sfn ../../tools/solc $@

compile: setup
	tools/ensure-build

# NAME BYTES MARGIN per deployable contract for the EVM target in KABUTO_EVM_VERSION (EVM_VERSION);
# fails when a contract is within 1,024 bytes of the 24,576-byte limit (kabuto/contract_sizes.py).
sizes: setup
	tools/ensure-build
	$(BIN)/python -m kabuto.contract_sizes

# The fast path against the rule engine alone, a long run (make test runs 40 steps); see
# docs/assurance.md. DIFF_SEED picks another random run.
DIFF_STEPS ?= 400
DIFF_SEED ?= 1603
differential: setup
	tools/ensure-build
	KABUTO_DIFF_STEPS=$(DIFF_STEPS) KABUTO_DIFF_SEED=$(DIFF_SEED) $(BIN)/ape test tests/unit/token/test_differential.py -s

# The halmos proof that the token's fast path agrees with the rule engine (docs/assurance.md):
# forge from npm (formal/package.json) and halmos + yices from PyPI (formal/requirements.lock)
# in their own folders, so `make setup` and the product build stay as they are.
PROVE_VENV := .venv-prove
PROVE_TIMEOUT ?= 1800
# check_transfer is proven (~10 min); check_move gave no verdict in 20 min: PROVE_ARGS= runs both.
PROVE_ARGS ?= --function check_transfer
$(PROVE_VENV)/.kabuto-installed: formal/requirements.lock | prerequisites
	test -x $(PROVE_VENV)/bin/python || $(PYTHON) -m venv $(PROVE_VENV)
	$(PROVE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r formal/requirements.lock
	touch $@

formal/node_modules/.kabuto-installed: formal/package.json formal/package-lock.json | prerequisites
	cd formal && npm ci --no-audit --no-fund --loglevel=error
	touch $@

prove: setup $(PROVE_VENV)/.kabuto-installed formal/node_modules/.kabuto-installed
	PATH=$(CURDIR)/formal/node_modules/.bin:$(PATH) FOUNDRY_CONFIG=formal/foundry.toml \
	  timeout $(PROVE_TIMEOUT) $(PROVE_VENV)/bin/halmos --root . --forge-build-out .cache/formal/out \
	  --contract FastPathEquivalence --solver yices --statistics $(PROVE_ARGS)

# Python: ruff (lint + format check, pinned in requirements.lock); Solidity: solhint (package.json,
# rules in .solhint.json). `make test` runs it first and stops on any finding.
PY_SOURCES := kabuto scripts tests
SOL_SOURCES := 'contracts/**/*.sol' 'interfaces/**/*.sol' 'formal/**/*.sol'

lint: setup
	$(BIN)/ruff check $(PY_SOURCES)
	$(BIN)/ruff format --check $(PY_SOURCES)
	solhint --max-warnings 0 $(SOL_SOURCES)

# Rewrites the Python sources the way `make lint` wants them.
fmt: setup
	$(BIN)/ruff check --fix $(PY_SOURCES)
	$(BIN)/ruff format $(PY_SOURCES)

test: setup lint
	bash tests/run_suite.sh

# The compiler's file list goes to .build/compile.log (shown only if compiling fails).
demo: setup
	@mkdir -p .build && tools/ensure-build > .build/compile.log 2>&1 || { cat .build/compile.log; exit 1; }
	@echo "kabuto: contracts compiled (.build/compile.log)"
	$(BIN)/ape run demo

bench: setup
	tools/ensure-build
	$(BIN)/ape run bench

# Issue 19's scale: 1,000 / 10,000 / 100,000 investors (10 transfers each), the register export
# and the operators' export script at 100,000 (5-6 min on a quiet 2-core machine; not in `make test` or CI).
bench-scale: setup
	tools/ensure-build
	$(BIN)/ape run bench_scale

# The Kabuto service (kabuto.service, docs/service.md): indexer + HTTP API. Without MANIFEST, on a
# local chain with the demo's state (service-demo/, reused); with MANIFEST=deployments/<id>.json
# SERVE_NETWORK=ethereum:privnet:node (or besu), on that chain. Prints the URL and, locally, the tokens.
SERVE_PORT ?= 8800
SERVE_NETWORK ?= ethereum:privnet:node
serve: setup
	tools/ensure-build
	$(if $(MANIFEST),$(BIN)/python -m kabuto.service serve --manifest $(MANIFEST) --network $(SERVE_NETWORK) --port $(SERVE_PORT),$(BIN)/python -m kabuto.service demo --port $(SERVE_PORT))

# The reference PTS (kabuto.venue, docs/venue.md): a trading day on the demo's securities.
venue-demo: setup
	tools/ensure-build
	$(BIN)/ape run venue

# The venue's property tests with many examples (make test runs a few dozen of each).
VENUE_EXAMPLES ?= 3000
venue-properties: setup
	KABUTO_VENUE_EXAMPLES=$(VENUE_EXAMPLES) $(BIN)/ape test tests/unit/venue/test_venue_properties.py

# The money paths' property run with many examples (make test runs a few; docs/assurance.md).
MONEY_EXAMPLES ?= 200
MONEY_STEPS ?= 50
# The platform's property state machine with many examples (make test runs 15 x 40).
PBT_EXAMPLES ?= 500
PBT_STEPS ?= 50
properties: setup
	tools/ensure-build
	KABUTO_PBT_EXAMPLES=$(PBT_EXAMPLES) KABUTO_PBT_STEPS=$(PBT_STEPS) \
	  $(BIN)/ape test tests/property/test_platform_state_machine.py

money-properties: setup
	tools/ensure-build
	KABUTO_MONEY_PBT_EXAMPLES=$(MONEY_EXAMPLES) KABUTO_MONEY_PBT_STEPS=$(MONEY_STEPS) \
	  $(BIN)/ape test tests/property/test_money_state_machine.py

# A gas-free private chain like Quorum/Besu with free gas: chain id 2017, gas price 0,
# unfunded senders can transact. Ape reaches it as `--network ethereum:privnet:node`.
privnet: setup
	anvil --chain-id 2017 --gas-price 0 --base-fee 0 --disable-min-priority-fee \
	  --port $(PRIVNET_PORT) --hardfork $(EVM_VERSION)

# The console's screenshots (docs/console.md): the browser tests write every page at 1366x768
# to out/console-screenshots/ (git-ignored); two of them are kept in docs/ for the README.
screenshots: setup
	tools/ensure-build
	$(BIN)/ape test tests/console/test_console.py -q
	cp out/console-screenshots/issuer-token-STBOND1.png docs/console-register.png
	cp out/console-screenshots/issuer-queues.png docs/console-queues.png

clean:
	rm -rf .build contracts/.cache .cache
