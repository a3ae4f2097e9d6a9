#!/usr/bin/env bash
# The whole test suite, as `make test` runs it (and so CI). Every phase must pass.
#  1. the default EVM target (cancun) on Ape's local anvil: every test, in two pytest-xdist
#     workers (each with its own anvil on a free port; a test file stays in one worker, so its
#     module-scoped chain state is never shared). One worker leaves a core idle while it waits
#     on its anvil, so two keep both cores of a 2-core machine busy. KABUTO_TEST_WORKERS=0 runs
#     in one process.
#  2. the contracts rebuilt for berlin on a berlin anvil: the tests that depend on the target
#     (tests/toolchain/test_networks.py) and the whole lifecycle end to end by the operator jobs
#     (tests/integration/test_demo.py). `make test EVM_VERSION=berlin` runs every test for berlin.
#     The solc front-end tests compile for berlin and cancun themselves whatever the build
#     target, so phase 1 covers them.
set -euo pipefail
cd "$(dirname "$0")/.."
APE=.venv/bin/ape
start=$(date +%s)

echo "== phase 1: EVM target ${KABUTO_EVM_VERSION:-cancun}, all tests =="
tools/ensure-build
WORKERS=${KABUTO_TEST_WORKERS:-2}
PARALLEL=()
[[ "$WORKERS" -gt 0 ]] && PARALLEL=(-n "$WORKERS" --dist loadfile)
$APE test tests "${PARALLEL[@]}"

if [[ "${KABUTO_EVM_VERSION:-cancun}" != "berlin" ]]; then
  echo "== phase 2: EVM target berlin (consortium chains such as ibet for Fin) =="
  KABUTO_EVM_VERSION=berlin tools/ensure-build
  KABUTO_EVM_VERSION=berlin $APE test "${PARALLEL[@]}" tests/toolchain/test_networks.py tests/integration/test_demo.py
fi
echo "kabuto: the suite took $(( $(date +%s) - start )) s"
