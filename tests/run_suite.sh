#!/usr/bin/env bash
# The whole test suite, as `make test` runs it (and so CI). Every phase must pass.
#  1. the default EVM target (cancun) on Ape's local anvil: every test, in two pytest-xdist
#     workers (each with its own anvil on a free port; a test file stays in one worker, so its
#     module-scoped chain state is never shared). One worker leaves a core idle while it waits
#     on its anvil, so two keep both cores of a 2-core machine busy. Files are handed out longest
#     first (tests/conftest.py HEAVY_FIRST; --no-loadscope-reorder keeps that order), so the
#     two workers end together. KABUTO_TEST_WORKERS=0 runs in one process.
#  2. the contracts rebuilt for berlin on a berlin anvil: the tests that depend on the target
#     (tests/toolchain/test_networks.py, the size budget), the whole lifecycle end to end by the
#     operator jobs (tests/integration/test_demo.py), a short run of the property state machine
#     and the access matrix. `make test EVM_VERSION=berlin` runs every test for berlin.
#     The solc front-end tests compile for berlin and cancun themselves whatever the build
#     target, so phase 1 covers them.
# Each phase prints the size of every deployable contract (kabuto/contract_sizes.py) and stops
# when one is within 1,024 bytes of the 24,576-byte limit.
set -euo pipefail
cd "$(dirname "$0")/.."
APE=.venv/bin/ape
start=$(date +%s)

echo "== phase 1: EVM target ${KABUTO_EVM_VERSION:-cancun}, all tests =="
tools/ensure-build
.venv/bin/python -m kabuto.contract_sizes  # the size budget: fails within 1,024 bytes of the limit
WORKERS=${KABUTO_TEST_WORKERS:-2}
PARALLEL=()
[[ "$WORKERS" -gt 0 ]] && PARALLEL=(-n "$WORKERS" --dist loadfile --no-loadscope-reorder)
$APE test tests "${PARALLEL[@]}"

if [[ "${KABUTO_EVM_VERSION:-cancun}" != "berlin" ]]; then
  echo "== phase 2: EVM target berlin (consortium chains such as ibet for Fin) =="
  KABUTO_EVM_VERSION=berlin tools/ensure-build
  KABUTO_EVM_VERSION=berlin .venv/bin/python -m kabuto.contract_sizes
  # The berlin claim kept true: the property state machine (a short run: legacy transactions)
  # and the access matrix run on the berlin build too.
  KABUTO_EVM_VERSION=berlin KABUTO_PBT_EXAMPLES=3 KABUTO_PBT_STEPS=20 $APE test "${PARALLEL[@]}" \
    tests/toolchain/test_networks.py tests/toolchain/test_contract_sizes.py tests/integration/test_demo.py \
    tests/property/test_platform_state_machine.py tests/assurance/test_access_matrix.py
fi
echo "kabuto: the suite took $(( $(date +%s) - start )) s"
