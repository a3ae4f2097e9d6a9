"""Bilateral DvP under the security's and the coin's rules, and the issuer's approval step.
Every refusal leaves every balance as it was and the instruction open."""

import ape
import pytest
from settlement_support import UNITS_START, YEN_START

from kabuto.onchain_types import (
    PROFESSIONAL_CLASSES,
    Category,
    InvestorClass,
    InvestorStatus,
    Restriction,
    Rules,
    class_mask,
)
from kabuto.settlement import InstructionStatus as S

QTY = 10
AMOUNT = 1_000_000


@pytest.fixture(scope="module")
def excluded_token(deploy_token):
    """Excluded Class 2: professionals only, every transfer needs the issuer's consent."""
    return deploy_token(
        Category.EXCLUDED_CLASS2,
        Rules(allowed_classes=PROFESSIONAL_CLASSES, approval_required=True),
        symbol="EX2",
    )


def _snapshot(coin, token, *wallets):
    return [(coin.balanceOf(w), token.balanceOf(w), token.freeBalanceOf(w)) for w in wallets]


def _assert_refused_cleanly(dvp, coin, token, id_, before, seller, buyer):
    assert dvp.statusOf(id_) == S.OPEN
    assert _snapshot(coin, token, seller, buyer) == before
    assert token.lockedOf(dvp, seller) == QTY
    assert coin.balanceOf(dvp) == 0


# ---------------------------------------------------------------- issuer approval


def test_approval__excluded_class2__accept_needs_the_issuers_approval(
    dvp, coin, excluded_token, seller, buyer, agent, instruct
):
    instruction, id_, _ = instruct(excluded_token, seller, buyer, QTY, AMOUNT)
    assert dvp.approvalRequired(excluded_token)
    coin.approve(dvp, AMOUNT, sender=buyer)
    with ape.reverts(dvp.SettlementApprovalRequired, id=id_, token=excluded_token.address):
        dvp.accept(instruction, sender=buyer)
    receipt = dvp.approve(instruction, sender=agent)
    assert dvp.statusOf(id_) == S.APPROVED
    [approved] = receipt.events.filter(dvp.Approved)
    assert (approved.id, approved.agent) == (id_, agent.address)
    dvp.accept(instruction, sender=buyer)
    assert excluded_token.balanceOf(buyer) == QTY
    assert coin.balanceOf(seller) == YEN_START + AMOUNT


def test_approval__not_an_issuer_agent__cannot_approve_or_reject(
    dvp, excluded_token, seller, buyer, outsider, instruct
):
    instruction, id_, _ = instruct(excluded_token, seller, buyer, QTY, AMOUNT)
    for action in (dvp.approve, dvp.reject):
        with ape.reverts(
            dvp.SettlementNotIssuerAgent,
            id=id_,
            token=excluded_token.address,
            caller=seller.address,
        ):
            action(instruction, sender=seller)
        with ape.reverts(dvp.SettlementNotIssuerAgent, caller=outsider.address):
            action(instruction, sender=outsider)


def test_approval__issuer_rejects__lock_returns_and_nothing_else_moves(
    dvp, coin, excluded_token, seller, buyer, agent, instruct
):
    instruction, id_, _ = instruct(excluded_token, seller, buyer, QTY, AMOUNT)
    receipt = dvp.reject(instruction, sender=agent)
    assert dvp.statusOf(id_) == S.NONE
    assert excluded_token.lockedOf(dvp, seller) == 0
    assert excluded_token.freeBalanceOf(seller) == UNITS_START
    [closed] = receipt.events.filter(dvp.Closed)
    assert (closed.status, closed.by, closed.returned) == (S.REJECTED, agent.address, QTY)
    coin.approve(dvp, AMOUNT, sender=buyer)
    with ape.reverts(dvp.SettlementNotOpen, id=id_, status=S.NONE):
        dvp.accept(instruction, sender=buyer)


def test_approval__after_expiry__refused(
    dvp, excluded_token, seller, buyer, agent, instruct, chain
):
    instruction, id_, _ = instruct(excluded_token, seller, buyer, QTY, AMOUNT)
    chain.pending_timestamp = instruction[5] + 1
    with ape.reverts(dvp.SettlementExpired, id=id_):
        dvp.approve(instruction, sender=agent)


def test_approval__switched_on_after_instruction__accept_waits_for_it(
    dvp, coin, token, seller, buyer, agent, admin, instruct
):
    instruction, id_, _ = instruct(token, seller, buyer, QTY, AMOUNT)
    token.setRules(Rules(approval_required=True).as_tuple(), sender=admin)
    coin.approve(dvp, AMOUNT, sender=buyer)
    with ape.reverts(dvp.SettlementApprovalRequired, id=id_):
        dvp.accept(instruction, sender=buyer)
    dvp.approve(instruction, sender=agent)
    dvp.accept(instruction, sender=buyer)
    assert token.balanceOf(buyer) == QTY


# ---------------------------------------------------------------- the security's rules


@pytest.mark.parametrize(
    "case",
    [
        "recipient_not_registered",
        "class_not_allowed",
        "holder_cap",
        "paused",
        "buyer_frozen",
        "seller_suspended",
    ],
)
def test_token_rule__violated_at_acceptance__token_error_and_nothing_moves(
    case,
    dvp,
    coin,
    deploy_token,
    registry,
    seller,
    buyer,
    carol,
    dave,
    unregistered,
    agent,
    admin,
    instruct,
):
    expected = {
        "recipient_not_registered": Restriction.RECIPIENT_NOT_REGISTERED,
        "class_not_allowed": Restriction.RECIPIENT_CLASS_NOT_ALLOWED,
        "holder_cap": Restriction.HOLDER_CAP_REACHED,
        "paused": Restriction.TOKEN_PAUSED,
        "buyer_frozen": Restriction.RECIPIENT_FROZEN,
        "seller_suspended": Restriction.SENDER_NOT_ACTIVE,
    }[case]
    rules = Rules()
    holders = None
    to = buyer
    if case == "recipient_not_registered":
        to = unregistered
    elif case == "class_not_allowed":
        rules, to = Rules(allowed_classes=class_mask(InvestorClass.QUALIFIED_INSTITUTIONAL)), carol
    elif case == "holder_cap":
        rules, holders = Rules(holder_cap=2), (seller, dave)
    token = deploy_token(rules=rules, holders=holders, symbol="RUL")
    instruction, id_, _ = instruct(token, seller, to, QTY, AMOUNT)
    if case == "paused":
        token.pause(sender=agent)
    elif case == "buyer_frozen":
        token.setAddressFrozen(buyer, True, sender=agent)
    elif case == "seller_suspended":
        registry.setInvestorStatus(
            (1).to_bytes(32, "big"), int(InvestorStatus.SUSPENDED), sender=admin
        )
    coin.approve(dvp, AMOUNT, sender=to)
    before = _snapshot(coin, token, seller, to)
    with ape.reverts(token.TransferRestricted, code=int(expected)):
        dvp.accept(instruction, sender=to)
    _assert_refused_cleanly(dvp, coin, token, id_, before, seller, to)


def test_token_rule__frozen_units__cannot_be_instructed(dvp, token, seller, buyer, agent, instruct):
    token.freezePartialTokens(seller, UNITS_START - QTY + 1, sender=agent)
    with ape.reverts(token.TransferRestricted, code=int(Restriction.INSUFFICIENT_FREE_BALANCE)):
        instruct(token, seller, buyer, QTY, AMOUNT)
    assert token.lockedOf(dvp, seller) == 0


# ---------------------------------------------------------------- the coin's rules


@pytest.mark.parametrize("case", ["paused", "buyer_frozen", "seller_frozen", "seller_not_eligible"])
def test_coin_rule__violated_at_acceptance__coin_error_and_nothing_moves(
    case, dvp, coin, token, registry, seller, buyer, admin, instruct
):
    instruction, id_, _ = instruct(token, seller, buyer, QTY, AMOUNT)
    coin.approve(dvp, AMOUNT, sender=buyer)
    error = {
        "paused": coin.YenPaused,
        "buyer_frozen": coin.YenAccountFrozen,
        "seller_frozen": coin.YenAccountFrozen,
        "seller_not_eligible": coin.YenNotEligible,
    }[case]
    if case == "paused":
        coin.pause(sender=admin)
    elif case == "buyer_frozen":
        coin.freeze(buyer, sender=admin)
    elif case == "seller_frozen":
        coin.freeze(seller, sender=admin)
    else:
        coin.setEligibilityRequired(True, sender=admin)
        registry.setInvestorStatus(
            (1).to_bytes(32, "big"), int(InvestorStatus.SUSPENDED), sender=admin
        )
    before = _snapshot(coin, token, seller, buyer)
    with ape.reverts(error):
        dvp.accept(instruction, sender=buyer)
    _assert_refused_cleanly(dvp, coin, token, id_, before, seller, buyer)


def test_coin_eligibility_mode__dvp_needs_no_system_exemption(
    dvp, coin, token, seller, buyer, admin, instruct
):
    """The bilateral contract never holds yen: the coin moves buyer -> seller directly."""
    coin.setEligibilityRequired(True, sender=admin)
    assert not coin.isSystemAccount(dvp)
    instruction, _, _ = instruct(token, seller, buyer, QTY, AMOUNT)
    coin.approve(dvp, AMOUNT, sender=buyer)
    dvp.accept(instruction, sender=buyer)
    assert token.balanceOf(buyer) == QTY
