"""What the venue needs to know of the chain for its pre-trade checks, behind one small
interface: eligibility (the registry, and the token's own verdict for a seller and a buyer),
the units each investor has locked to the venue, and the yen it may pay.

``StaticFacts`` holds them in memory (the replay tool, the benchmark, unit tests);
``kabuto.venue.chainfacts.ChainFacts`` reads them from the chain and caches them until the
next settlement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class Facts(Protocol):
    def investor_refusal(self, symbol: str, investor: str, wallet: str) -> str | None:
        """Why the registry does not let this investor trade, or None."""

    def pair_code(self, symbol: str, seller: str, buyer: str, quantity: int) -> int:
        """The token's ERC-1404 code for delivering ``quantity`` from seller to buyer (0: ok).
        The seller's units are locked to the venue, so a shortfall of its *free* balance is
        not a refusal here (the venue checks the lock itself)."""

    def locked(self, symbol: str, wallet: str) -> int:
        """Units of ``symbol`` the wallet has locked to the venue's settlement contract."""

    def yen(self, wallet: str) -> int:
        """Yen the venue may pull from the wallet: the smaller of its allowance to the
        settlement contract and its balance."""

    def refresh(self) -> None:
        """Forget cached values (after a batch settled)."""


@dataclass
class StaticFacts:
    """Facts held in memory. Unknown wallets are eligible with no lock and no yen unless
    ``open`` is set (the replay tool: every order is covered)."""

    locks: dict[tuple[str, str], int] = field(default_factory=dict)
    yen_by_wallet: dict[str, int] = field(default_factory=dict)
    ineligible: dict[str, str] = field(default_factory=dict)  # wallet -> why
    pair_codes: dict[tuple[str, str, str], int] = field(default_factory=dict)
    open: bool = False

    def investor_refusal(self, symbol: str, investor: str, wallet: str) -> str | None:
        return self.ineligible.get(wallet)

    def pair_code(self, symbol: str, seller: str, buyer: str, quantity: int) -> int:
        return self.pair_codes.get((symbol, seller, buyer), 0)

    def locked(self, symbol: str, wallet: str) -> int:
        return self.locks.get((symbol, wallet), 1 << 96 if self.open else 0)

    def yen(self, wallet: str) -> int:
        return self.yen_by_wallet.get(wallet, 1 << 128 if self.open else 0)

    def refresh(self) -> None:
        pass
