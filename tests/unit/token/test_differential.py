"""Differential test: the fast paths (TokenCore._fastMove for holder movements, TokenCore._fastIssue
for issues) against the rule engine alone.

The same scenarios run on SecurityToken and on SecurityTokenSlowPath (contracts/testing/: the same
token whose fast paths always decline, so every movement and issue goes through TokenCore._update):
- the restriction matrix (every condition of tests/unit/token/test_restriction_matrix.py, set up
  on both tokens at once, every path simulated on each): identical success/return data or
  identical revert data;
- a seeded random run of holder and issuer operations over one shared registry: for every step,
  the same outcome (both succeed or both revert with the same data), the same events (topics and
  data), the same config, supply and account words (balances, encumbrances, record counts,
  freezes, settlement locks, holder count), and at the end the same views (frozen, pending, locked,
  holder count) and record-date snapshots.
`KABUTO_DIFF_STEPS` sets the run's length (default 40; `make differential` runs 400) and
`KABUTO_DIFF_SEED` its seed. Each run prints its summary line (DIFF ...).
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from typing import Any

import pytest
import test_restriction_matrix as matrix
from ape import chain
from eth_utils import keccak
from fixtures.platform import investor_id_for
from test_restriction_matrix import ALL_PATHS, CONDITIONS, VALUE, _call
from web3.exceptions import ContractCustomError, ContractLogicError

from kabuto.core import AGENT_ROLE, COMPLIANCE_ROLE
from kabuto.onchain_types import (
    ALL_CLASSES,
    Category,
    InvestorStatus,
    Kind,
    Rules,
)
from kabuto.ops.approvals import applications

STEPS = int(os.environ.get("KABUTO_DIFF_STEPS", "40"))
SEED = int(os.environ.get("KABUTO_DIFF_SEED", "1603"))


def deploy_pair(project, registry, issuer, agent, compliance, category, rules):
    """(fast, slow): the real token and the one without a fast path, same arguments and roles."""
    pair = []
    for contract in (project.SecurityToken, project.SecurityTokenSlowPath):
        token = contract.deploy(
            "Diff",
            "DIF",
            int(category),
            int(Kind.BOND),
            registry,
            issuer,
            rules.as_tuple(),
            b"",
            sender=issuer,
        )
        token.grantRole(AGENT_ROLE, agent, sender=issuer)
        token.grantRole(COMPLIANCE_ROLE, compliance, sender=issuer)
        pair.append(token)
    return tuple(pair)


class Both:
    """Stands for the token in a scenario's set-up: every call goes to both tokens."""

    def __init__(self, pair: tuple[Any, Any]) -> None:
        self.pair = pair

    def __getattr__(self, name: str) -> Any:
        def _both(*args: Any, **kwargs: Any) -> Any:
            results = [getattr(token, name)(*args, **kwargs) for token in self.pair]
            return results[0]

        return _both


def outcome(token: Any, caller: Any, method: str, *args: Any) -> tuple[bool, str]:
    """(succeeded, return or revert data) of `method` simulated with eth_call."""
    data = getattr(token, method).encode_input(*args)
    tx = {"from": caller.address, "to": token.address, "data": data}
    try:
        return True, bytes(chain.provider.web3.eth.call(tx)).hex()
    except (ContractCustomError, ContractLogicError) as err:
        return False, str(err.data)


@dataclass
class Tally:
    scenarios: int = 0
    steps: int = 0
    sent: int = 0
    fast_path: int = 0  # steps where the real token used less gas: its fast path moved the units
    fast_issues: int = 0  # of which issues (single or batch): _fastIssue took them
    differences: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- the restriction matrix


# The matrix's own world builder (a fixture), used here with the `make_token` below.
build_world = matrix.build_world


@pytest.fixture
def make_token(project, registry, issuer, agent, compliance):
    """Overrides the token conftest's factory for the matrix's `build_world`: a pair of tokens
    behind `Both`, so the matrix's own set-up builds the same world on both."""

    def _make(category=Category.CLASS1, rules=None):
        return Both(deploy_pair(project, registry, issuer, agent, compliance, category, rules))

    return _make


@pytest.mark.parametrize("category", list(Category), ids=lambda c: c.name)
def test_differential__restriction_matrix__same_outcome_on_every_path(build_world, category):
    w = build_world(category)
    pair = w.token.pair
    tally = Tally()
    baseline = type("Baseline", (), {"name": "no condition", "categories": tuple(Category)})
    for cond in (baseline, *CONDITIONS):
        if category not in cond.categories:
            continue
        with chain.isolate():
            overrides = (cond.setup(w) if hasattr(cond, "setup") else None) or {}
            to, value = overrides.get("to", w.recipient), overrides.get("value", VALUE)
            tally.scenarios += 1
            for path in ALL_PATHS:
                caller, method, args = _call(w, path, to, value)
                fast, slow = (outcome(token, caller, method, *args) for token in pair)
                tally.steps += 1
                if fast != slow:
                    tally.differences.append(f"{cond.name} / {path}: fast {fast} slow {slow}")
    print(
        f"\nDIFF matrix {category.name}: {tally.scenarios} conditions, {tally.steps} path "
        f"simulations, {len(tally.differences)} differences"
    )
    assert not tally.differences, "\n".join(tally.differences)


# ---------------------------------------------------------------- the state-machine run


def account_slot(accounts_slot: int, holder: Any) -> int:
    key = bytes(12) + bytes.fromhex(holder.address[2:]) + accounts_slot.to_bytes(32, "big")
    return int.from_bytes(keccak(key), "big")


def _hex(value: Any) -> str:
    return value.hex() if isinstance(value, bytes | bytearray) else str(value)


def log_entries(receipt: Any) -> list[tuple[list[str], str]]:
    """(topics, data) of every log, as hex: what the register's indexer reads."""
    return [([_hex(t) for t in log["topics"]], _hex(log["data"])) for log in receipt.logs]


def storage(token: Any, slot: int) -> bytes:
    return bytes(chain.provider.web3.eth.get_storage_at(token.address, slot))


def test_differential__state_machine__identical_events_and_state(
    project,
    deployer,
    registry,
    registrar,
    enroll,
    issuer,
    agent,
    compliance,
    accounts,
    alice,
    bob,
    carol,
    dave,
    venue,
    outsider,
):
    settlement = accounts[9]
    holders = (alice, bob, carol, dave)
    for wallet in holders:
        enroll(wallet)
    rules = Rules(allowed_classes=ALL_CLASSES, holder_cap=4)
    pair = deploy_pair(project, registry, issuer, agent, compliance, Category.CLASS1, rules)
    both = Both(pair)
    both.setSettlementLockAddress(settlement, sender=issuer)
    both.authorizeLockAddress(settlement, True, True, sender=issuer)
    both.authorizeLockAddress(venue, True, False, sender=issuer)
    both.issue(alice, 300, b"", sender=agent)
    both.issue(bob, 200, b"", sender=agent)
    both.approve(dave, 10**6, sender=alice)
    both.approve(dave, 10**6, sender=bob)
    config_slot, accounts_slot, supply_slot = project.TokenStorageLayout.deploy(
        sender=deployer
    ).slots()
    watched = (*holders, outsider)
    rng = random.Random(SEED)
    tally = Tally(scenarios=1)
    status = {wallet.address: InvestorStatus.ACTIVE for wallet in holders}

    def pick(seq):
        return seq[rng.randrange(len(seq))]

    def amount():
        return pick((0, 1, 5, 20, 50, 120, 400))

    def operation() -> tuple[Any, str, tuple] | None:
        kind = rng.randrange(26)
        a, b = pick(watched), pick(watched)
        if kind >= 20 or kind < 4:
            # Mostly between registered holders, small amounts: the movements the fast path takes.
            a, b = pick(holders), pick(holders)
            return a, "transfer", (b, pick((1, 3, 10, 25)))
        if kind < 6:
            return a, "transfer", (b, amount())
        if kind == 6:
            return dave, "transferFrom", (pick(holders), b, amount())
        if kind == 7:
            return a, "applyForTransfer", (b, amount(), b"")
        if kind == 8:
            # No expiry period is set here: both tokens' applications have the same fields.
            filed = applications(pair[0], pending_only=False)
            if not filed:
                return None
            return agent, pick(("approveTransfer", "rejectTransfer")), (pick(filed).fields, b"")
        if kind == 9:
            return a, "lock", (pick((settlement, venue)), amount(), b"")
        if kind == 10:
            lock_address = pick((settlement, venue))
            return lock_address, "unlock", (a, pick((a, b)), amount(), b"")
        if kind == 11:
            return compliance, pick(("freezePartialTokens", "unfreezePartialTokens")), (a, amount())
        if kind == 12:
            return compliance, "setAddressFrozen", (a, rng.random() < 0.25)
        if kind == 13:
            return agent, "forcedTransfer", (a, b, amount(), 2, b"")
        if kind == 14:
            # Issues (TokenCore._fastIssue against the engine), singly and in a batch, and redeems.
            method = pick(("issue", "issue", "batchIssue", "redeem"))
            if method == "batchIssue":
                return agent, method, ([a, b], [amount(), amount()], b"")
            return agent, method, (a, amount(), b"")
        if kind == 15:
            changes = pick(
                (
                    {"holder_cap": pick((0, 2, 3, 4))},
                    {"max_balance": pick((0, 150, 400))},
                    {"min_holding": pick((0, 3))},
                    {"approval_required": rng.random() < 0.3},
                    {"lock_up_until": chain.pending_timestamp + pick((0, 0, 60))},
                    {},
                    {},
                )
            )
            fields = {**rules.__dict__, **changes}
            return issuer, "setRules", (Rules(**fields).as_tuple(),)
        if kind == 16:
            return compliance, pick(("pause", "unpause", "unpause", "unpause")), ()
        if kind == 17:
            return issuer, "scheduleRecordDate", (chain.pending_timestamp + pick((5, 40, 200)),)
        if kind == 18:
            chain.pending_timestamp += pick((10, 60, 300))
            chain.mine()
            return None
        # kind 19: the registry (shared by both tokens) suspends or reactivates an investor
        wallet = pick(holders)
        new = (
            InvestorStatus.SUSPENDED
            if status[wallet.address] == InvestorStatus.ACTIVE
            else InvestorStatus.ACTIVE
        )
        registry.setInvestorStatus(investor_id_for(wallet), int(new), sender=registrar)
        status[wallet.address] = new
        return None

    def words(token: Any) -> list[bytes]:
        slots = [config_slot, supply_slot, *(account_slot(accounts_slot, w) for w in watched)]
        return [storage(token, slot) for slot in slots]

    for step in range(STEPS):
        op = operation()
        if op is None:
            continue
        caller, method, args = op
        tally.steps += 1
        fast, slow = (outcome(token, caller, method, *args) for token in pair)
        if fast != slow:
            tally.differences.append(f"step {step} {method}{args}: fast {fast} slow {slow}")
            continue
        if fast[0]:
            receipts = [getattr(t, method)(*args, sender=caller) for t in pair]
            tally.sent += 2
            logs = [log_entries(r) for r in receipts]
            faster = receipts[0].gas_used < receipts[1].gas_used
            tally.fast_path += faster
            tally.fast_issues += faster and method in ("issue", "batchIssue")
            if logs[0] != logs[1] or [r.status for r in receipts] != [1, 1]:
                tally.differences.append(f"step {step} {method}{args}: events differ")
        if words(pair[0]) != words(pair[1]):
            tally.differences.append(f"step {step} {method}{args}: storage words differ")

    views = (
        "balanceOf",
        "freeBalanceOf",
        "frozenTokensOf",
        "pendingOf",
        "totalLockedOf",
        "isFrozen",
    )
    final = [
        [getattr(t, view)(w) for w in watched for view in views]
        + [t.holderCount(), t.totalSupply(), t.lockedOf(settlement, alice), t.recordDateCount()]
        for t in pair
    ]
    if final[0] != final[1]:
        tally.differences.append(f"final views differ: {final}")
    chain.pending_timestamp += 1_000
    chain.mine()
    snapshots = []
    for t in pair:
        count = t.recordDateCount()
        snapshots.append(
            [t.balanceOfAtRecordDate(w, i) for i in range(count) for w in watched]
            + [t.totalSupplyAtRecordDate(i) for i in range(count)]
        )
    if snapshots[0] != snapshots[1]:
        tally.differences.append("record-date snapshots differ")
    print(
        f"\nDIFF state machine: seed {SEED}, {tally.steps} operations, {tally.sent} transactions, "
        f"{tally.fast_path} by the fast path ({tally.fast_issues} issues), "
        f"{pair[0].recordDateCount()} record dates, "
        f"{len(tally.differences)} differences"
    )
    assert not tally.differences, "\n".join(tally.differences)
    assert tally.fast_path > 0, "the run never took the fast path: it compared nothing"
    assert tally.fast_issues > 0, "no issue took the fast path: _fastIssue was not compared"


# ---------------------------------------------------------------- issues, step by step


def test_differential__issue__fast_path_and_engine_agree_at_every_edge(
    project, deployer, registry, registrar, enroll, issuer, agent, compliance, outsider, accounts
):
    """TokenCore._fastIssue against the engine at each rule's edge: a new and an existing holder,
    the minimum holding and maximum balance just missed and just met, the holder cap, an
    unregistered, suspended or frozen recipient, a record date passed (checkpoints due), the
    issue limit just exceeded and just met, values beyond the counters' widths, a batch."""
    alice, bob, carol, dave, erin = accounts[4:9]
    for wallet in (alice, bob, carol, dave, erin):
        enroll(wallet)
    rules = Rules(allowed_classes=ALL_CLASSES, holder_cap=3, max_balance=500, min_holding=5)
    pair = deploy_pair(project, registry, issuer, agent, compliance, Category.CLASS1, rules)
    both = Both(pair)
    config_slot, accounts_slot, supply_slot = project.TokenStorageLayout.deploy(
        sender=deployer
    ).slots()
    watched = (alice, bob, carol, dave, erin, outsider)
    tally = Tally(scenarios=1)

    def words(token: Any) -> list[bytes]:
        slots = [config_slot, supply_slot, *(account_slot(accounts_slot, w) for w in watched)]
        return [storage(token, slot) for slot in slots]

    def step(label: str, caller: Any, method: str, *args: Any) -> bool:
        tally.steps += 1
        fast, slow = (outcome(token, caller, method, *args) for token in pair)
        if fast != slow:
            tally.differences.append(f"{label}: fast {fast} slow {slow}")
            return False
        if fast[0]:
            receipts = [getattr(t, method)(*args, sender=caller) for t in pair]
            tally.sent += 2
            if log_entries(receipts[0]) != log_entries(receipts[1]):
                tally.differences.append(f"{label}: events differ")
            tally.fast_issues += receipts[0].gas_used < receipts[1].gas_used
        if words(pair[0]) != words(pair[1]):
            tally.differences.append(f"{label}: storage words differ")
        return fast[0]

    def issue(label: str, to: Any, value: int) -> bool:
        return step(label, agent, "issue", to, value, b"kabuto:tranche:" + label.encode())

    assert issue("new holder", alice, 100)
    assert issue("existing holder", alice, 50)
    assert not issue("below the minimum holding", bob, 4)
    assert issue("at the minimum holding", bob, 5)
    assert not issue("above the maximum balance", carol, 501)
    assert issue("at the maximum balance, cap reached", carol, 500)
    assert not issue("beyond the holder cap", dave, 10)
    assert issue("existing holder at the cap", bob, 10)
    assert not issue("unregistered", outsider, 10)
    assert not issue("zero value", alice, 0)
    assert not issue("beyond the issue counter's width", alice, 2**64)
    assert not issue("beyond every width", alice, 2**255)
    both.setAddressFrozen(alice, True, sender=compliance)
    assert not issue("frozen wallet", alice, 1)
    both.setAddressFrozen(alice, False, sender=compliance)
    registry.setInvestorStatus(
        investor_id_for(bob), int(InvestorStatus.SUSPENDED), sender=registrar
    )
    assert not issue("suspended investor", bob, 1)
    registry.setInvestorStatus(investor_id_for(bob), int(InvestorStatus.ACTIVE), sender=registrar)
    both.scheduleRecordDate(chain.pending_timestamp + 5, sender=issuer)
    chain.pending_timestamp += 30
    chain.mine()
    assert issue("record date passed: supply and recipient checkpoints", alice, 10)
    assert issue("recipient's checkpoint due", bob, 10)
    assert issue("after the checkpoints", alice, 10)
    issued = pair[0].totalIssued()
    both.setIssueLimit(issued + 20, sender=issuer)
    assert not issue("issue limit exceeded", bob, 21)
    assert issue("issue limit met", bob, 20)
    both.setIssueLimit(0, sender=issuer)
    both.setRules(Rules(allowed_classes=ALL_CLASSES, holder_cap=0).as_tuple(), sender=issuer)
    assert step("batch", agent, "batchIssue", [dave, erin, alice], [7, 8, 9], b"batch")
    assert not step("batch with a refusal", agent, "batchIssue", [dave, outsider], [1, 1], b"")
    assert pair[0].holderCount() == pair[1].holderCount() == 5
    snapshots = [
        [t.balanceOfAtRecordDate(w, 0) for w in watched] + [t.totalSupplyAtRecordDate(0)]
        for t in pair
    ]
    if snapshots[0] != snapshots[1]:
        tally.differences.append(f"record-date snapshots differ: {snapshots}")
    print(
        f"\nDIFF issues: {tally.steps} steps, {tally.sent} transactions, "
        f"{tally.fast_issues} by the fast path, {len(tally.differences)} differences"
    )
    assert not tally.differences, "\n".join(tally.differences)
    assert tally.fast_issues >= 6, "the issue fast path was hardly compared"
