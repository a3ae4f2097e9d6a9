"""What a peer's measurement functions work with: the connected chain, the project, accounts."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak, to_checksum_address

from kabuto.bench.model import BenchError, GasMeasurement

# A fresh investor wallet gets this much ether from the deployer to pay for its own transactions.
INVESTOR_FUNDING_WEI = 10**18


@dataclass
class BenchContext:
    """The connected chain and accounts every peer measures on, so all run side by side.

    Args:
        project: Ape's project manager (the compiled Kabuto contracts).
        accounts: Ape's funded test accounts (anvil's ten default accounts).
        chain: Ape's chain manager for the connected provider.
        label: a word mixed into generated addresses so two contexts on one chain never
            hand out the same "new holder".
        scale_investors, scale_transfers: the throughput jobs' scale (docs/performance.md's by default).
    """

    project: Any
    accounts: Any
    chain: Any
    label: str = "kabuto.bench"
    scale_investors: int = 10_000  # throughput jobs: investors onboarded and holding
    scale_transfers: int = 100_000  # throughput jobs: transfers before the register export
    cache: dict[str, Any] = field(default_factory=dict)  # what one job builds for the next
    _counter: itertools.count[int] = field(default_factory=itertools.count, repr=False)

    def role(self, index: int) -> Any:
        """The funded test account with this index (peers name roles after them)."""
        return self.accounts[index]

    def new_address(self) -> str:
        """An address nobody has used on this chain: a recipient that becomes a new holder."""
        digest = keccak(text=f"{self.label}.holder.{next(self._counter)}")
        return to_checksum_address(digest[-20:])

    def new_investor(self) -> Any:
        """A new test account with ether of its own, for investors who send transactions."""
        account = self.accounts.generate_test_account()
        if self.chain.provider.get_balance(account.address) == 0:
            self.role(0).transfer(account, INVESTOR_FUNDING_WEI)
        return account

    def deployment_receipt(self, contract: Any) -> Any:
        """The receipt of the transaction that created ``contract``."""
        txn_hash = getattr(contract, "txn_hash", None)
        if not txn_hash:
            raise BenchError(
                f"no deployment transaction known for the contract at {contract.address}"
            )
        return self.chain.provider.get_receipt(txn_hash)


def gas_of(key: str, receipts: Sequence[Any] | Iterable[Any], note: str = "") -> GasMeasurement:
    """Sums ``gas_used`` over the receipts of one operation; refuses a failed transaction."""
    receipts = list(receipts)
    if not receipts:
        raise BenchError(f"{key}: no transactions to measure")
    for receipt in receipts:
        if getattr(receipt, "failed", False):
            raise BenchError(f"{key}: transaction {receipt.txn_hash} failed")
    return GasMeasurement(
        key=key, gas=sum(int(r.gas_used) for r in receipts), txs=len(receipts), note=note
    )


def expect(condition: bool, message: str) -> None:
    """Checks that a measured operation did what it was measured for."""
    if not condition:
        raise BenchError(message)
