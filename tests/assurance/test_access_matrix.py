"""The access-control matrix: every state-changing function of every deployed contract, called
by an account with no role, is refused unless reviewed as open to anyone (open_functions.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from access_matrix import (
    OPEN_FUNCTIONS_FILE,
    load_foreign_decisions,
    load_open_functions,
    matrix_for,
)
from fixtures.platform import deploy_token

from kabuto.onchain_types import Category, Kind
from kabuto.ops.chain import load_platform
from kabuto.ops.deploy import Operators, deploy_platform

# Errors that mean "you may not do this" (OpenZeppelin's role error and each contract's own).
_DECISIONS = json.loads(OPEN_FUNCTIONS_FILE.read_text())
REFUSAL_ERRORS = set(_DECISIONS["_refusal_errors"])
# ... and "that is not one of the platform's tokens".
FOREIGN_REFUSALS = REFUSAL_ERRORS | set(_DECISIONS["_refusal_errors_foreign"])
# The contracts that pull allowances or hold yen for others.
MONEY_CONTRACTS = ("PrimaryOffering", "DvPSettlement", "BatchSettlement", "CorporateActions")


@pytest.fixture(scope="module")
def foreign(project, deployed, outsider, accounts) -> object:
    """An attacker's token contract: it calls everyone an agent and names a registry of its own,
    which names a real investor as every investor's wallet."""
    fake_registry = project.ForeignRegistry.deploy(accounts[3], sender=outsider)
    yen = deployed["YenCoin"]
    return project.ForeignSecurityToken.deploy(fake_registry, yen, 100_000, sender=outsider)


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


def test_a_foreign_token_contract_is_refused_by_every_money_path(
    deployed, foreign, outsider, chain, suite_summary
):
    """Issue 14: every state-changing function of the contracts that pull allowances, called
    with the foreign token as every address argument, by a stranger (whom the foreign token
    calls its agent) and by the foreign contract itself: refused, or reviewed."""
    decisions = load_foreign_decisions()
    cells = []
    per_contract: dict[str, dict[str, int]] = {}
    for name in MONEY_CONTRACTS:
        contract = next(c for c in deployed.values() if c.contract_type.name == name)
        abi = [entry.model_dump(mode="json", by_alias=True) for entry in contract.contract_type.abi]
        counts = per_contract.setdefault(
            name, {"stranger": 0, "foreign": 0, "refused": 0, "open": 0}
        )
        for label, caller in (("stranger", outsider.address), ("foreign", foreign.address)):
            row = matrix_for(
                chain.provider.web3,
                name,
                contract.address,
                abi,
                caller,
                decisions.get(name, {}) | _renounce(name),
                FOREIGN_REFUSALS,
                address_argument=foreign.address,
            )
            counts[label] += len(row)
            counts["refused"] += sum(c.outcome == "refused" for c in row)
            counts["open"] += sum(c.outcome == "open" for c in row)
            cells += row
    reviewed_open = sum(c.outcome == "open" for c in cells)
    suite_summary(
        f"foreign-contract matrix: {len(cells)} calls over {len(MONEY_CONTRACTS)} contracts "
        f"(a stranger and the foreign contract, every address argument the foreign token): "
        f"{len(cells) - reviewed_open} refused, {reviewed_open} reviewed open"
    )
    for name, c in per_contract.items():
        # Every contract that pulls allowances: what a stranger and a foreign contract can call.
        assert c["stranger"] > 0 and c["foreign"] == c["stranger"], (name, c)
        suite_summary(
            f"  {name}: {c['stranger']} calls by a stranger + {c['foreign']} by the foreign "
            f"contract: {c['refused']} refused, {c['open']} reviewed open"
        )
    failures = [f"{c.contract}.{c.function}: {c.outcome}" for c in cells if not c.ok]
    assert not failures, (
        "calls with a foreign token neither refused nor reviewed (decide, then list them under "
        f'"_foreign" in {OPEN_FUNCTIONS_FILE.name}):\n' + "\n".join(failures)
    )


def _renounce(name: str) -> dict[str, str]:
    """renounceRole is reviewed open for every AccessControl contract (the main matrix's list)."""
    entry = load_open_functions().get(name, {}).get("renounceRole(bytes32,address)")
    return {"renounceRole(bytes32,address)": entry} if entry else {}


def test_the_open_list_names_only_functions_that_exist(deployed):
    known = {}
    for contract in deployed.values():
        ct = contract.contract_type
        known[ct.name] = {
            f"{e.name}({','.join(i.canonical_type for i in e.inputs)})"
            for e in ct.abi
            if e.type == "function"
        }
    reviewed = list(load_open_functions().items()) + list(load_foreign_decisions().items())
    stale = [f"{c}.{f}" for c, fns in reviewed for f in fns if f not in known.get(c, set())]
    assert not stale, f"stale entries in {Path(OPEN_FUNCTIONS_FILE).name}: {stale}"
    for contract, fns in reviewed:
        for fn, why in fns.items():
            assert why.startswith(("open: ", "gated: ")) and len(why) >= 30, (
                f"{contract}.{fn} needs a decision ('open: ...' or 'gated: ...') with its reason"
            )
