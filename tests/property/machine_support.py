"""What the platform and money state machines share: a predicted step checked against the chain,
the foreign token's attempts at every settlement and payment entry point, and the run itself."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from eth_abi import encode
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from property.model import Expect
from property.rpc import Abi, Revert, Rpc
from property.run_stats import STATS

DAY = 86_400
# Every entry point a foreign token contract tries (see foreign_attempts).
FOREIGN_ACTIONS = (
    "dvp_lock",
    "dvp_accept",
    "dvp_close",
    "venue_batch",
    "declare_interest",
    "declare_redemption",
    "declare_distribution",
    "declare_call",
    "offering",
)


def rpc_for(uri: str, abis: Iterable[Abi]) -> Rpc:
    """The JSON-RPC driver, decoding the custom errors of every contract in `abis`."""
    errors: dict[bytes, tuple[str, tuple[str, ...]]] = {}
    for abi in abis:
        errors.update(abi.errors)
    return Rpc(uri, errors)


class Context:
    """What a machine needs from its module: the deployed platform, the driver and the base
    snapshot."""

    def __init__(self, platform: Any, rpc: Rpc) -> None:
        self.platform = platform
        self.rpc = rpc
        self.snapshot = rpc.snapshot()

    def restart(self) -> None:
        """Back to the deployed base state for a new example. Anvil drops a snapshot once
        reverted to, so a fresh one is taken at once; then a fresh block, so the model's clock
        is the chain's clock from the first step on."""
        self.rpc.revert_to(self.snapshot)
        self.snapshot = self.rpc.snapshot()
        self.rpc.request("evm_mine", [])


def checked_step(
    rpc: Rpc, name: str, expect: Expect | None, sender: str, to: str, data: bytes
) -> dict[str, Any] | None:
    """Runs one operation a model predicted: sends it when it should succeed (it must) and
    returns the receipt; else checks with eth_call from `sender` that it reverts with the
    predicted error (and ERC-1404 code) and returns None."""
    STATS.count_rule(name, refused=expect is not None)
    if expect is None:
        receipt = rpc.send(sender, to, data)
        if receipt["status"] != "0x1":
            reason = rpc.call(sender, to, data)
            raise AssertionError(
                f"{name}: the model expected success, the chain reverted: {reason}"
            )
        return receipt
    STATS.refusals_checked += 1
    STATS.count_reason(expect.error if expect.code is None else expect.code.name)
    outcome = rpc.call(sender, to, data)
    assert isinstance(outcome, Revert), (
        f"{name}: the model expected {expect}, the chain would accept it"
    )
    assert outcome.name == expect.error, (
        f"{name}: expected {expect}, the chain reverts with {outcome.name}{outcome.args}"
    )
    if expect.code is not None:
        assert outcome.args[0] == int(expect.code), (
            f"{name}: expected restriction {expect.code.name}, the chain gives code {outcome.args[0]}"
        )
    return None


@dataclass(frozen=True)
class ForeignTargets:
    """The platform contracts a foreign token contract is tried against, and who tries."""

    foreign: str  # the attacker's token contract (contracts/testing/ForeignSecurityToken.sol)
    outsider: str  # the attacker
    venue_agent: str  # the venue's own settlement agent, naming the foreign token
    coin: str
    dvp: str
    venue: str
    corporate: str
    offering: str
    abi: dict[str, Abi]


def foreign_attempts(
    t: ForeignTargets, op: str, victim: str, amount: int, now: int
) -> list[tuple[str, Expect, str, str, bytes]]:
    """`op`'s calls naming the foreign token and a real investor `victim` (who has authorised
    the platform's contracts on the coin): (name, the refusal expected, sender, to, data)."""
    fake, salt = t.foreign, b"\x07" * 32

    def enc(contract: str, fn: str, *args: Any) -> bytes:
        return t.abi[contract][fn].encode(*args)

    not_open = Expect("SettlementNotOpen")
    not_listed = Expect("CorporateNotPlatformToken")
    instruction = (fake, victim, t.outsider, 1, amount, now + DAY, salt)
    if op == "dvp_lock":  # the foreign "token" notifies a lock naming the victim as seller
        lock = encode(
            ["address", "uint256", "uint40", "bytes32"], [t.outsider, amount, now + DAY, salt]
        )
        data = enc("foreign", "fakeLock", t.dvp, victim, 1, lock)
        return [("foreign_dvp_lock", Expect("SettlementNotPlatformToken"), t.outsider, fake, data)]
    if op == "dvp_accept":  # the attacker as buyer of the victim's made-up instruction
        return [
            ("foreign_dvp_accept", not_open, t.outsider, t.dvp, enc("dvp", "accept", instruction))
        ]
    if op == "dvp_close":
        return [
            (f"foreign_dvp_{fn}", not_open, t.outsider, t.dvp, enc("dvp", fn, instruction))
            for fn in ("approve", "reject", "cancel", "refuse", "release")
        ]
    if op == "venue_batch":  # the venue's own agent names the foreign token
        participants = sorted({victim, t.outsider}, key=lambda a: int(a, 16))
        buyer = participants.index(victim)
        trade = (1 - buyer, buyer, 0, 1, amount)
        data = enc("venue", "settleBatch", b"\x0f" * 32, participants, [fake], [trade])
        return [("foreign_batch", Expect("BatchNotPlatformToken"), t.venue_agent, t.venue, data)]
    if op == "offering":
        terms = (fake, t.coin, t.outsider, amount, 1, 1, 1, now, now + DAY)
        data = enc("offering", "openOffering", terms)
        return [
            ("foreign_offering", Expect("OfferingNotPlatformToken"), t.outsider, t.offering, data)
        ]
    declarations = {
        "declare_interest": ("declareInterest", (fake, 0, 0, now, now + DAY)),
        "declare_redemption": ("declareMaturityRedemption", (fake, now, now + DAY)),
        "declare_distribution": ("declareDistribution", (fake, 0, amount, now, now + DAY)),
        "declare_call": ("declareCall", (fake, 1, 1, amount, now, now + DAY)),
    }
    fn, args = declarations[op]
    return [(f"foreign_{op}", not_listed, t.outsider, t.corporate, enc("corporate", fn, *args))]


def run_machine(machine: type[RuleBasedStateMachine], rpc: Rpc, examples: int, steps: int) -> None:
    """Runs `machine` for `examples` examples of up to `steps` steps; counts the run's time,
    transactions and calls into the session's summary."""
    started = time.monotonic()
    try:
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=examples,
                stateful_step_count=steps,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        STATS.seconds += time.monotonic() - started
        STATS.transactions += rpc.transactions
        STATS.calls += rpc.calls
