"""The access-control matrix: every state-changing function of every deployed contract, called
by an account with no role, is refused unless reviewed as open to anyone (open_functions.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from access_matrix import OPEN_FUNCTIONS_FILE, load_open_functions, matrix_for
from fixtures.platform import deploy_token

from kabuto.onchain_types import Category, Kind
from kabuto.ops.chain import load_platform
from kabuto.ops.deploy import Operators, deploy_platform

# Errors that mean "you may not do this" (OpenZeppelin's role error and each contract's own).
REFUSAL_ERRORS = set(json.loads(OPEN_FUNCTIONS_FILE.read_text())["_refusal_errors"])


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory, deployer, accounts) -> dict[str, object]:
    base = tmp_path_factory.mktemp("matrix")
    ops = Operators.resolve()
    deploy_platform(ops, base / "deployments", base / "keys")
    platform = load_platform(base / "deployments")
    contracts: dict[str, object] = {
        name: platform.contract(name) for name in platform.manifest.contracts
    }
    contracts["SecurityToken"] = deploy_token(
        deployer,
        platform.registry,
        category=Category.CLASS2,
        kind=Kind.BENEFICIARY,
        agent=accounts[1],
        compliance=accounts[2],
    )
    return contracts


def test_every_state_changing_function_is_refused_to_an_account_without_a_role(
    deployed, outsider, chain, suite_summary
):
    open_functions = load_open_functions()
    cells = []
    for contract in deployed.values():
        contract_type = contract.contract_type
        abi = [entry.model_dump(mode="json", by_alias=True) for entry in contract_type.abi]
        type_name = contract_type.name
        cells += matrix_for(
            chain.provider.web3,
            type_name,
            contract.address,
            abi,
            outsider.address,
            open_functions.get(type_name, {}),
            REFUSAL_ERRORS,
        )
    open_count = sum(c.outcome == "open" for c in cells)
    gated = sum(
        c.outcome == "refused"
        and open_functions.get(c.contract, {}).get(c.function, "").startswith("gated:")
        for c in cells
    )
    refused = sum(c.outcome == "refused" for c in cells)
    suite_summary(
        f"access-control matrix: {len(cells)} cells over {len(deployed)} contracts: "
        f"{refused} refused ({gated} of them gated by the object they name), "
        f"{open_count} open to anyone (reviewed)"
    )
    failures = [f"{c.contract}.{c.function}: {c.outcome}" for c in cells if not c.ok]
    assert not failures, (
        "functions neither refused to an account without a role nor reviewed as open "
        f"(decide, then list in {OPEN_FUNCTIONS_FILE.name} with the reason):\n"
        + "\n".join(failures)
    )


def test_the_open_list_names_only_functions_that_exist(deployed):
    known = {}
    for contract in deployed.values():
        ct = contract.contract_type
        known[ct.name] = {
            f"{e.name}({','.join(i.canonical_type for i in e.inputs)})"
            for e in ct.abi
            if e.type == "function"
        }
    stale = [
        f"{c}.{f}"
        for c, fns in load_open_functions().items()
        for f in fns
        if f not in known.get(c, set())
    ]
    assert not stale, f"stale entries in {Path(OPEN_FUNCTIONS_FILE).name}: {stale}"
    for contract, fns in load_open_functions().items():
        for fn, why in fns.items():
            assert why.startswith(("open: ", "gated: ")) and len(why) >= 30, (
                f"{contract}.{fn} needs a decision ('open: ...' or 'gated: ...') with its reason"
            )
