"""Compliance and agent operations on one token, each with a reason for the audit trail:
freeze or unfreeze a wallet or part of a balance, force a transfer (court order,
inheritance, correction), recover a lost wallet to the investor's new one. Checked before
sending; the reason travels in the transaction's `data` (forced transfers also record the
reason code in the ForcedTransfer event).
"""

from __future__ import annotations

from typing import Any

from kabuto.domain import investor_id_to_bytes32
from kabuto.errors import ChainStateError, InputError
from kabuto.lots import ZERO_ADDRESS
from kabuto.onchain_types import ForcedTransferReason
from kabuto.ops.chain import Platform, send
from kabuto.ops.trading import restriction

REASONS = {
    "court-order": ForcedTransferReason.COURT_ORDER,
    "inheritance": ForcedTransferReason.INHERITANCE,
    "correction": ForcedTransferReason.CORRECTION,
    "other": ForcedTransferReason.OTHER,
}


def _need_reason(reason: str) -> bytes:
    if not reason.strip():
        raise InputError.single("--reason", "give the reason (it goes into the audit trail)")
    return reason.strip().encode("utf-8")


def freeze(
    token: Any, compliance: Any, wallet: str, units: int | None, reason: str, unfreeze: bool = False
) -> str:
    """Freezes (or unfreezes) the whole wallet, or `units` of its balance."""
    _need_reason(reason)
    if units is None:
        if bool(token.isFrozen(wallet)) == (not unfreeze):
            return f"{wallet} is already {'unfrozen' if unfreeze else 'frozen'}; nothing sent"
        send(token.setAddressFrozen, wallet, not unfreeze, sender=compliance)
        return f"{wallet} {'unfrozen' if unfreeze else 'frozen'}"
    if unfreeze:
        frozen = int(token.frozenTokensOf(wallet))
        if units > frozen:
            raise InputError.single("--units", f"{wallet} has only {frozen} frozen units")
        send(token.unfreezePartialTokens, wallet, units, sender=compliance)
        return f"{units} units of {wallet} unfrozen"
    free = int(token.freeBalanceOf(wallet))
    if units > free:
        raise InputError.single("--units", f"{wallet} has only {free} free units to freeze")
    send(token.freezePartialTokens, wallet, units, sender=compliance)
    return f"{units} units of {wallet} frozen"


def force_transfer(
    token: Any, agent: Any, source: str, recipient: str, units: int, reason_code: str, reason: str
) -> str:
    """An agent moves `units` from `source` to `recipient` without the holder; the recipient
    must be eligible under every rule (checked first)."""
    data = _need_reason(reason)
    if reason_code not in REASONS:
        raise InputError.single(
            "--reason-code", f"{reason_code!r}: use one of {', '.join(REASONS)}"
        )
    movable = int(token.freeBalanceOf(source)) + int(token.frozenTokensOf(source))
    if units > movable:
        raise InputError.single(
            "--units",
            f"{source} has {movable} free or frozen units; "
            "release locks and pending applications first",
        )
    refusal = restriction(token, ZERO_ADDRESS, recipient, units)  # recipient-side rules
    if refusal is not None and refusal.name != "TOKEN_REDEEMED":
        raise InputError.single("--to", f"{recipient} may not receive it: {refusal}")
    send(
        token.forcedTransfer,
        source,
        recipient,
        units,
        int(REASONS[reason_code]),
        data,
        sender=agent,
    )
    return f"{units} units moved {source} -> {recipient} ({reason_code}: {reason})"


def recover(
    platform: Platform, registrar: Any, agent: Any, investor_id: str, new_wallet: str
) -> list[str]:
    """Replaces the investor's lost wallet in the registry (if not done yet), then moves every
    token of the manifest the lost wallet holds to the new one. Rerunnable."""
    registry = platform.registry
    raw_id = investor_id_to_bytes32(investor_id)
    current = str(registry.walletOf(raw_id))
    if current == ZERO_ADDRESS:
        raise InputError.single("investor_id", f"{investor_id} is not registered")
    done = []
    if current != new_wallet:
        owner = bytes(registry.investorIdOf(new_wallet))
        if owner != b"\0" * 32:
            raise InputError.single("new_wallet", f"{new_wallet} already belongs to an investor")
        send(registry.replaceWallet, raw_id, new_wallet, sender=registrar)
        done.append(f"registry: {investor_id} wallet {current} -> {new_wallet}")
    lost = str(registry.previousWalletOf(raw_id))
    if lost == ZERO_ADDRESS:
        raise ChainStateError(f"{investor_id} has no replaced wallet to recover from")
    for symbol in platform.manifest.tokens:
        token = platform.token(symbol)
        if int(token.balanceOf(lost)) > 0:
            send(token.recoveryAddress, lost, new_wallet, sender=agent)
            done.append(f"{symbol}: {token.balanceOf(new_wallet)} units now at {new_wallet}")
    return done
