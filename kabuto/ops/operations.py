"""Compliance and agent operations on one token, each with a reason for the audit trail:
freeze or unfreeze a wallet or part of a balance, force a transfer (court order,
inheritance, correction), recover a lost wallet to the investor's new one. Checked before
sending; the reason travels in the transaction's `data` (forced transfers also record the
reason code in the ForcedTransfer event).
"""

from __future__ import annotations

from typing import Any

from eth_utils import keccak

from kabuto.domain import investor_id_to_bytes32
from kabuto.errors import ChainStateError, OptionError
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
        raise OptionError("--reason", "give the reason (it goes into the audit trail)")
    return reason.strip().encode("utf-8")


def freeze(
    token: Any,
    compliance: Any,
    wallet: str,
    units: int | None,
    reason: str,
    unfreeze: bool = False,
    dry_run: bool = False,
) -> str:
    """Freezes (or unfreezes) the whole wallet, or `units` of its balance."""
    _need_reason(reason)
    verb = "unfreeze" if unfreeze else "freeze"
    if units is None:
        if bool(token.isFrozen(wallet)) == (not unfreeze):
            return f"{wallet} is already {'unfrozen' if unfreeze else 'frozen'}; nothing sent"
        if dry_run:
            return f"would {verb} {wallet}; dry run, nothing sent"
        send(token.setAddressFrozen, wallet, not unfreeze, sender=compliance)
        return f"{wallet} {'unfrozen' if unfreeze else 'frozen'}"
    if unfreeze:
        frozen = int(token.frozenTokensOf(wallet))
        if units > frozen:
            raise OptionError("--units", f"{wallet} has only {frozen} frozen units")
        if dry_run:
            return f"would {verb} {units} units of {wallet}; dry run, nothing sent"
        send(token.unfreezePartialTokens, wallet, units, sender=compliance)
        return f"{units} units of {wallet} unfrozen"
    free = int(token.freeBalanceOf(wallet))
    if units > free:
        raise OptionError("--units", f"{wallet} has only {free} free units to freeze")
    if dry_run:
        return f"would {verb} {units} units of {wallet}; dry run, nothing sent"
    send(token.freezePartialTokens, wallet, units, sender=compliance)
    return f"{units} units of {wallet} frozen"


def force_transfer(
    token: Any,
    agent: Any,
    source: str,
    recipient: str,
    units: int,
    reason_code: str,
    reason: str,
    dry_run: bool = False,
) -> str:
    """An agent moves `units` from `source` to `recipient` without the holder; the recipient
    must be eligible under every rule (checked first)."""
    data = _need_reason(reason)
    if reason_code not in REASONS:
        raise OptionError("--reason-code", f"{reason_code!r}: use one of {', '.join(REASONS)}")
    movable = int(token.freeBalanceOf(source)) + int(token.frozenTokensOf(source))
    if units > movable:
        raise OptionError(
            "UNITS",
            f"{source} has {movable} free or frozen units; "
            "release locks and pending applications first",
        )
    refusal = restriction(token, ZERO_ADDRESS, recipient, units)  # recipient-side rules
    if refusal is not None and refusal.name != "TOKEN_REDEEMED":
        raise OptionError("TO", f"{recipient} may not receive it: {refusal}")
    if dry_run:
        return f"would move {units} units {source} -> {recipient} ({reason_code}); dry run"
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
    platform: Platform,
    registrar: Any,
    agent: Any,
    investor_id: str,
    new_wallet: str,
    reason: str = "wallet lost",
    trust_bank: Any | None = None,
    dry_run: bool = False,
) -> list[str]:
    """Replaces the investor's lost wallet in the registry (if not done yet), moves every
    token of the manifest the lost wallet holds to the new one, then its yen coin through the
    coin's controls for a lost account (the trust bank freezes the lost wallet and seizes its
    balance to the new one), or says what it left and why. Rerunnable."""
    data = _need_reason(reason)
    registry = platform.registry
    raw_id = investor_id_to_bytes32(investor_id)
    current = str(registry.walletOf(raw_id))
    if current == ZERO_ADDRESS:
        raise OptionError("INVESTOR_ID", f"{investor_id} is not registered")
    done = []
    if current != new_wallet:
        owner = bytes(registry.investorIdOf(new_wallet))
        if owner != b"\0" * 32:
            raise OptionError("NEW_WALLET", f"{new_wallet} already belongs to an investor")
        if dry_run:
            return _preview_recovery(platform, investor_id, current, new_wallet)
        send(registry.replaceWallet, raw_id, new_wallet, sender=registrar)
        done.append(f"registry: {investor_id} wallet {current} -> {new_wallet} ({reason})")
    lost = str(registry.previousWalletOf(raw_id))
    if dry_run and lost != ZERO_ADDRESS:
        return _preview_recovery(platform, investor_id, lost, new_wallet, replaced=True)
    if lost == ZERO_ADDRESS:
        raise ChainStateError(f"{investor_id} has no replaced wallet to recover from")
    for symbol in platform.manifest.tokens:
        token = platform.token(symbol)
        if int(token.balanceOf(lost)) > 0:
            send(token.recoveryAddress, lost, new_wallet, sender=agent)
            done.append(f"{symbol}: {token.balanceOf(new_wallet)} units now at {new_wallet}")
    done += _recover_yen(platform, trust_bank, lost, new_wallet, data)
    return done


def _preview_recovery(
    platform: Platform, investor_id: str, lost: str, new_wallet: str, replaced: bool = False
) -> list[str]:
    lines = [] if replaced else [f"would replace {investor_id}'s wallet {lost} -> {new_wallet}"]
    for symbol in platform.manifest.tokens:
        units = int(platform.token(symbol).balanceOf(lost))
        if units:
            lines.append(f"would move {units} {symbol} {lost} -> {new_wallet}")
    balance = int(platform.yen.balanceOf(lost))
    if balance:
        lines.append(f"would freeze and seize {balance:,} yen coin {lost} -> {new_wallet}")
    return [*lines, "dry run, nothing sent"] if lines else ["nothing to recover; nothing sent"]


def _recover_yen(
    platform: Platform, trust_bank: Any | None, lost: str, new_wallet: str, reason: bytes
) -> list[str]:
    yen = platform.yen
    balance = int(yen.balanceOf(lost))
    if balance == 0:
        return ["yen coin: the lost wallet holds none"]
    if trust_bank is None:
        return [
            f"yen coin: LEFT {balance:,} yen at {lost}: the trust bank's account was not "
            "given (--trust-bank ALIAS); run the command again with it"
        ]
    if bool(yen.paused()):
        return [f"yen coin: LEFT {balance:,} yen at {lost}: the coin is paused"]
    if not bool(yen.isFrozen(lost)):
        send(yen.freeze, lost, sender=trust_bank)
    send(yen.seizeFrozen, lost, new_wallet, keccak(reason), sender=trust_bank)
    return [
        f"yen coin: {balance:,} yen moved {lost} -> {new_wallet} by the trust bank "
        "(lost wallet frozen, balance seized to the new wallet)"
    ]
