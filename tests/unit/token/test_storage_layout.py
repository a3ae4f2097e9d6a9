"""The storage words the fast paths read as raw bits (TokenCore._fastMove, _fastIssue), decoded here with the
SAME bit offsets: the constants are parsed from TokenCore.sol, the slots come from TokenStorage
itself (contracts/testing/TokenStorageLayout.sol), and the words are read with eth_getStorageAt.
A reordered or resized field of Config, Supply or Account fails this test instead of corrupting
balances.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ape import chain
from eth_utils import keccak

from kabuto.onchain_types import InvestorClass, Rules, class_mask

CORE = Path(__file__).resolve().parents[3] / "contracts" / "token" / "TokenCore.sol"
CONSTANT = re.compile(r"uint256 private constant (_(?:CFG|ACC|SUP)_\w+) = ([^;]+);")
UINT = {bits: (1 << bits) - 1 for bits in (8, 16, 24, 32, 40, 48, 64, 96)}


def offsets() -> dict[str, int]:
    """TokenCore's field offsets and flag masks, evaluated as the compiler does."""
    values: dict[str, int] = {}
    for name, expression in CONSTANT.findall(CORE.read_text()):
        values[name] = eval(expression, {"__builtins__": {}}, dict(values))  # noqa: S307
    return values


def word(address: str, slot: int) -> int:
    raw = chain.provider.web3.eth.get_storage_at(address, slot)
    return int.from_bytes(bytes(raw), "big")


def field(value: int, shift: int, bits: int) -> int:
    return (value >> shift) & UINT[bits]


@pytest.fixture
def layout(project, deployer):
    return project.TokenStorageLayout.deploy(sender=deployer).slots()


def test_offsets__parsed_from_the_fast_path():
    o = offsets()
    assert {"_CFG_HOLDER_CAP_SHIFT", "_CFG_PASSED_SHIFT", "_ACC_FROZEN_BIT", "_CFG_SLOW"} <= set(o)


def test_config_and_account_words__decode_with_the_fast_path_offsets(
    make_token, investors, issuer, agent, compliance, alice, bob, venue, layout, chain
):
    o = offsets()
    config_slot, accounts_slot, _supply_slot = layout
    now = chain.pending_timestamp
    rules = Rules(
        allowed_classes=class_mask(InvestorClass.GENERAL, InvestorClass.SPECIFIED),
        holder_cap=1_234,
        max_balance=987_654,
        min_holding=7,
        lock_up_until=0,
        qii_resale_only=False,
        approval_required=False,
    )
    token = make_token(rules=rules)
    token.issue(alice, 500, b"", sender=agent)
    token.transfer(bob, 120, sender=alice)
    token.setSettlementLockAddress(venue, sender=issuer)
    token.authorizeLockAddress(venue, True, True, sender=issuer)
    token.lock(venue, 30, b"", sender=alice)
    token.freezePartialTokens(alice, 11, sender=compliance)
    token.setAddressFrozen(bob, True, sender=compliance)
    token.scheduleRecordDate(now + 10_000, sender=issuer)
    token.pause(sender=compliance)

    cfg = word(token.address, config_slot)
    assert field(cfg, 0, 8) == rules.allowed_classes
    assert field(cfg, o["_CFG_HOLDER_CAP_SHIFT"], 24) == 1_234
    assert field(cfg, o["_CFG_HOLDER_COUNT_SHIFT"], 24) == token.holderCount() == 2
    assert field(cfg, o["_CFG_MAX_BALANCE_SHIFT"], 48) == 987_654
    assert field(cfg, o["_CFG_MIN_HOLDING_SHIFT"], 32) == 7
    assert field(cfg, o["_CFG_LOCK_UP_SHIFT"], 40) == 0
    assert field(cfg, o["_CFG_NEXT_RECORD_SHIFT"], 40) == now + 10_000
    assert cfg >> o["_CFG_PASSED_SHIFT"] == 0
    # The slow-path flags: paused and minHolding are set, approvalRequired and QII-only are not.
    slow_when_approved = o["_CFG_SLOW_WHEN_APPROVED"]
    approval_bit = o["_CFG_SLOW"] & ~slow_when_approved
    assert cfg & slow_when_approved == (cfg & (0xFF << 24)) | (7 << 128)
    assert cfg & approval_bit == 0
    assert token.paused() and token.rules().minHolding == 7

    for holder, frozen_wallet in ((alice, False), (bob, True)):
        slot = int.from_bytes(
            keccak(
                bytes(12) + bytes.fromhex(holder.address[2:]) + accounts_slot.to_bytes(32, "big")
            ),
            "big",
        )
        acc = word(token.address, slot)
        balance = field(acc, 0, 96)
        encumbered = field(acc, o["_ACC_ENCUMBERED_SHIFT"], 96)
        assert balance == token.balanceOf(holder)
        assert balance - encumbered == token.freeBalanceOf(holder)
        assert field(acc, o["_ACC_RECORD_SHIFT"], 16) == 0
        assert bool(acc & o["_ACC_FROZEN_BIT"]) == frozen_wallet == token.isFrozen(holder)
        # settlementLocked (32 bits after the frozen byte), then its generation (the top byte):
        # alice locked to the first settlement lock address, bob never locked.
        assert field(acc, 216, 32) == token.lockedOf(venue, holder)
        assert field(acc, 248, 8) == (0 if frozen_wallet else 1)
    assert token.lockedOf(venue, alice) == 30 and token.freeBalanceOf(alice) == 500 - 120 - 41


def test_supply_word__decodes_with_the_issue_fast_path_offsets(
    make_token, investors, issuer, agent, alice, bob, layout
):
    """Supply: totalSupply (96 bits), issued, issueLimit (64 each), lastRecordCount, redeemed."""
    o = offsets()
    _config_slot, _accounts_slot, supply_slot = layout
    token = make_token(rules=Rules())
    token.setIssueLimit(10_000, sender=issuer)
    token.issue(alice, 700, b"", sender=agent)
    token.batchIssue([bob, alice], [200, 100], b"", sender=agent)
    token.redeem(bob, 150, b"", sender=agent)
    sup = word(token.address, supply_slot)
    assert field(sup, 0, 96) == token.totalSupply() == 850
    assert field(sup, o["_SUP_ISSUED_SHIFT"], 64) == token.totalIssued() == 1_000
    assert field(sup, o["_SUP_LIMIT_SHIFT"], 64) == token.issueLimit() == 10_000
    assert field(sup, o["_SUP_RECORD_SHIFT"], 16) == 0
    assert field(sup, o["_SUP_REDEEMED_SHIFT"], 8) == 0 and not token.isRedeemed()
    token.redeem(alice, 800, b"", sender=agent)
    token.redeem(bob, 50, b"", sender=agent)
    sup = word(token.address, supply_slot)
    assert field(sup, o["_SUP_REDEEMED_SHIFT"], 8) == 1 and token.isRedeemed()
