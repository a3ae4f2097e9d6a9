"""The venue's facts read from the chain (kabuto.ops.chain's Platform), cached until the next
settlement: the registry for who may trade, the token's ERC-1404 verdict for a delivery, each
investor's lock to the venue's BatchSettlement and its yen allowance to it (at most its
balance)."""

from __future__ import annotations

from typing import Any

from eth_utils import to_checksum_address

from kabuto.domain import investor_id_to_bytes32, jst_date
from kabuto.onchain_types import InvestorStatus
from kabuto.ops.chain import Platform, investor_record

ZERO = "0x" + "00" * 20


class ChainFacts:
    """Facts (kabuto.venue.facts) from the connected chain."""

    def __init__(self, platform: Platform, symbols: list[str]):
        self.platform = platform
        self.batch = platform.batch
        self.yen_coin = platform.yen
        self.registry = platform.registry
        self.tokens: dict[str, Any] = {s: platform.token(s) for s in symbols}
        self._cache: dict[tuple[Any, ...], Any] = {}

    def _cached(self, key: tuple[Any, ...], read: Any) -> Any:
        if key not in self._cache:
            self._cache[key] = read()
        return self._cache[key]

    def investor_refusal(self, symbol: str, investor: str, wallet: str) -> str | None:
        return self._cached(
            ("investor", investor, wallet), lambda: self._registry_says(investor, wallet)
        )

    def _registry_says(self, investor: str, wallet: str) -> str | None:
        on_record = to_checksum_address(
            str(self.registry.walletOf(investor_id_to_bytes32(investor)))
        )
        if on_record == ZERO:
            return f"the registry has no investor {investor}"
        if on_record != wallet:
            return f"the registry names wallet {on_record} for {investor}, not {wallet}"
        if bool(self.registry.isEligible(wallet)):
            return None
        record = investor_record(self.registry, wallet)
        if record.status != InvestorStatus.ACTIVE:
            return f"its registry status is {InvestorStatus(record.status).name}"
        return f"its KYC expired on {jst_date(record.kyc_expiry)}"

    def pair_code(self, symbol: str, seller: str, buyer: str, quantity: int) -> int:
        token = self.tokens[symbol]
        return self._cached(
            ("pair", symbol, seller, buyer, quantity),
            lambda: int(token.detectTransferRestriction(seller, buyer, quantity)),
        )

    def locked(self, symbol: str, wallet: str) -> int:
        token = self.tokens[symbol]
        return self._cached(
            ("lock", symbol, wallet), lambda: int(token.lockedOf(self.batch, wallet))
        )

    def yen(self, wallet: str) -> int:
        def read() -> int:
            allowance = int(self.yen_coin.allowance(wallet, self.batch))
            return min(allowance, int(self.yen_coin.balanceOf(wallet)))

        return self._cached(("yen", wallet), read)

    def refresh(self) -> None:
        self._cache.clear()
