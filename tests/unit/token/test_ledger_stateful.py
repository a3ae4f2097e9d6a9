"""Random sequences of every encumbering operation keep the ledger whole.

A seeded random walk (deterministic, so a failure replays) drives issue, transfer, apply /
approve / reject / cancel, lock / unlock (to self and to others), partial freezes and forced
transfers, choosing only amounts a Python model says are free (a refused transaction costs 0.6 s
in Ape; refusals are covered by test_restriction_matrix). After every step: totalSupply == sum of
balanceOf, and free + frozen + pending + locked == balanceOf per holder, each part equal to the
model's (the 16 reads of that check go in one batched JSON-RPC request: through Ape's contract
layer they cost tens of milliseconds each). (Hypothesis at ~7 transactions/s finds too little in the time budget; a walk of 40 steps
covers every operation.)
"""

import random

import pytest
from fixtures.platform import deploy_registry, deploy_token, onboard
from property.rpc import Abi, Rpc

from kabuto.onchain_types import Rules
from kabuto.ops.approvals import applied


@pytest.fixture
def ledger_machine(chain, accounts):
    registrar, issuer, agent, compliance = accounts[0], accounts[1], accounts[2], accounts[3]
    holders = [accounts[4], accounts[5], accounts[6]]
    venue = accounts[8]

    class Ledger:
        def __init__(self, rng):
            self.rng = rng
            registry = deploy_registry(registrar)
            for wallet in holders:
                onboard(registry, registrar, wallet)
            self.token = deploy_token(
                issuer, registry, rules=Rules(), agent=agent, compliance=compliance
            )
            self.token.authorizeLockAddress(venue, True, False, sender=issuer)
            self.abi = Abi.of(self.token)
            self.rpc = Rpc(chain.provider.uri, self.abi.errors)
            self.balance = [0, 0, 0]
            self.frozen = [0, 0, 0]
            self.locked = [0, 0, 0]
            self.pending = {}  # application id -> (holder index, recipient index, value, fields)

        def free(self, i):
            pending = sum(v for (h, _, v, _) in self.pending.values() if h == i)
            return self.balance[i] - self.frozen[i] - self.locked[i] - pending

        def issue(self, i, value):
            self.token.issue(holders[i], value, b"", sender=agent)
            self.balance[i] += value

        def transfer(self, i, j, share):
            value = int(self.free(i) * share)
            if value and i != j:
                self.token.transfer(holders[j], value, sender=holders[i])
                self.balance[i] -= value
                self.balance[j] += value

        def apply(self, i, j, share):
            value = int(self.free(i) * share)
            if value and i != j:
                receipt = self.token.applyForTransfer(holders[j], value, b"", sender=holders[i])
                self.pending[receipt.return_value] = (
                    i,
                    j,
                    value,
                    applied(self.token, receipt).fields,
                )

        def settle(self, outcome):
            if not self.pending:
                return
            app_id = self.rng.choice(sorted(self.pending))
            i, j, value, fields = self.pending.pop(app_id)
            if outcome == "approve":
                self.token.approveTransfer(fields, b"", sender=agent)
                self.balance[i] -= value
                self.balance[j] += value
            elif outcome == "reject":
                self.token.rejectTransfer(fields, b"", sender=agent)
            else:
                self.token.cancelTransfer(fields, b"", sender=holders[i])

        def lock(self, i, share):
            value = int(self.free(i) * share)
            if value:
                self.token.lock(venue, value, b"", sender=holders[i])
                self.locked[i] += value

        def unlock(self, i, j, share):
            value = int(self.locked[i] * share)
            if value:
                self.token.unlock(holders[i], holders[j], value, b"", sender=venue)
                self.locked[i] -= value
                self.balance[i] -= value
                self.balance[j] += value

        def freeze(self, i, share, unfreeze):
            if unfreeze and self.frozen[i]:
                value = max(1, int(self.frozen[i] * share))
                self.token.unfreezePartialTokens(holders[i], value, sender=compliance)
                self.frozen[i] -= value
                return
            value = int(self.free(i) * share)
            if value:
                self.token.freezePartialTokens(holders[i], value, sender=compliance)
                self.frozen[i] += value

        def forced(self, i, j, share):
            value = int((self.free(i) + self.frozen[i]) * share)
            if value and i != j:
                self.token.forcedTransfer(holders[i], holders[j], value, 0, b"", sender=agent)
                self.frozen[i] -= max(0, value - self.free(i))
                self.balance[i] -= value
                self.balance[j] += value

        def read(self, *reads):
            """View calls `(function name, args...)` on the token, in one batched request."""
            token = str(self.token.address)
            functions = [self.abi[name] for name, *_ in reads]
            data = self.rpc.batch(
                [(token, f.encode(*args)) for f, (_, *args) in zip(functions, reads, strict=True)]
            )
            return [f.decode(answer) for f, answer in zip(functions, data, strict=True)]

        def ledger_is_whole(self):
            parts_of = ("freeBalanceOf", "frozenTokensOf", "pendingOf", "totalLockedOf")
            answers = self.read(
                *[("balanceOf", h.address) for h in holders],
                ("totalSupply",),
                *[(part, h.address) for h in holders for part in parts_of],
            )
            balances, total, all_parts = answers[:3], answers[3], answers[4:]
            assert balances == self.balance
            assert total == sum(balances)
            for i in range(len(holders)):
                parts = tuple(all_parts[4 * i : 4 * i + 4])
                assert parts == (
                    self.free(i),
                    self.frozen[i],
                    balances[i] - self.free(i) - self.frozen[i] - self.locked[i],
                    self.locked[i],
                )
                assert sum(parts) == balances[i]

    return Ledger


@pytest.mark.parametrize("seed", [20261125])
def test_ledger__random_operations__never_spend_twice_nor_lose_units(ledger_machine, seed):
    rng = random.Random(seed)
    ledger = ledger_machine(rng)
    for i in range(3):
        ledger.issue(i, 100)
    ledger.ledger_is_whole()
    who = lambda: rng.randrange(3)  # noqa: E731
    share = lambda: rng.uniform(0.1, 1)  # noqa: E731
    steps = {
        "issue": lambda: ledger.issue(who(), rng.randint(1, 50)),
        "transfer": lambda: ledger.transfer(who(), who(), share()),
        "apply": lambda: ledger.apply(who(), who(), share()),
        "settle": lambda: ledger.settle(rng.choice(["approve", "reject", "cancel"])),
        "lock": lambda: ledger.lock(who(), share()),
        "unlock": lambda: ledger.unlock(who(), who(), share()),
        "freeze": lambda: ledger.freeze(who(), share(), rng.random() < 0.4),
        "forced": lambda: ledger.forced(who(), who(), share()),
    }
    done = {name: 0 for name in steps}
    for _ in range(40):
        name = rng.choice(sorted(steps))
        steps[name]()
        done[name] += 1
        ledger.ledger_is_whole()
    assert all(done.values()), done
