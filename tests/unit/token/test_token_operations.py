"""Holder count, issue / redeem, rules per category profile, record dates, terms, documents, roles."""

import ape
import pytest
from eth_utils import keccak

from kabuto.onchain_types import (
    ALL_CLASSES,
    PROFESSIONAL_CLASSES,
    BeneficiaryTerms,
    BondTerms,
    Category,
    InvestorClass,
    Kind,
    Rules,
)

DAY = 24 * 3600


def test_holder_count__investors_come_and_go(make_token, investors, agent, alice, bob, carol, dave):
    token = make_token(rules=Rules(holder_cap=2))
    token.batchIssue([alice, bob], [10, 10], b"", sender=agent)
    assert token.holderCount() == 2
    # alice leaves while carol joins: the count stays at the cap, so the cap does not block it.
    token.transfer(carol, 10, sender=alice)
    assert token.holderCount() == 2
    with ape.reverts(token.TransferRestricted):
        token.transfer(dave, 1, sender=bob)
    token.transfer(bob, 0, sender=carol)  # zero-value: no change
    token.transfer(carol, 3, sender=carol)  # self-transfer: no change
    assert token.holderCount() == 2
    token.redeem(bob, 10, b"", sender=agent)
    assert token.holderCount() == 1
    token.transfer(dave, 4, sender=carol)
    assert (token.holderCount(), token.balanceOf(carol), token.balanceOf(dave)) == (2, 6, 4)


def test_issue_and_redeem__events__redeemed_in_full_ends_the_issue(token, agent, alice, bob):
    receipt = token.batchIssue([alice, bob], [7, 3], b"allotment", sender=agent)
    issued = receipt.events.filter(token.Issued)
    assert [(e.to, e.value, e.data) for e in issued] == [
        (alice, 7, b"allotment"),
        (bob, 3, b"allotment"),
    ]
    with ape.reverts(token.TokenArrayLengthMismatch):
        token.batchIssue([alice], [1, 2], b"", sender=agent)
    receipt = token.batchRedeem([alice, bob], [7, 3], b"maturity", sender=agent)
    assert [e.value for e in receipt.events.filter(token.Redeemed)] == [7, 3]
    assert len(receipt.events.filter(token.TokenRedeemedAll)) == 1
    assert token.isRedeemed() and token.totalSupply() == 0 and token.holderCount() == 0
    with ape.reverts(token.TransferRestricted):
        token.issue(alice, 1, b"", sender=agent)


def test_roles__each_operation_needs_its_role(token, agent, compliance, issuer, alice, outsider):
    with ape.reverts(token.AccessControlUnauthorizedAccount):
        token.issue(alice, 1, b"", sender=outsider)
    with ape.reverts(token.AccessControlUnauthorizedAccount):
        token.pause(sender=agent)
    with ape.reverts(token.AccessControlUnauthorizedAccount):
        token.setRules(Rules().as_tuple(), sender=agent)
    with ape.reverts(token.AccessControlUnauthorizedAccount):
        token.issue(alice, 1, b"", sender=compliance)
    assert token.isAgent(agent) and not token.isAgent(issuer)


def test_pause__blocks_holders_not_agents__events(token, agent, compliance, alice, bob):
    token.issue(alice, 10, b"", sender=agent)
    receipt = token.pause(sender=compliance)
    assert receipt.events.filter(token.Paused)[0].operator == compliance
    assert token.paused()
    with ape.reverts(token.TransferRestricted):
        token.transfer(bob, 1, sender=alice)
    token.forcedTransfer(alice, bob, 2, 3, b"", sender=agent)
    token.redeem(alice, 1, b"", sender=agent)
    token.unpause(sender=compliance)
    token.transfer(bob, 1, sender=alice)
    assert (token.balanceOf(alice), token.balanceOf(bob)) == (6, 3)


@pytest.mark.parametrize(
    "category,rules",
    [
        (
            Category.EXCLUDED_CLASS2,
            Rules(allowed_classes=ALL_CLASSES, approval_required=True),
        ),  # general investors
        (Category.EXCLUDED_CLASS2, Rules(allowed_classes=PROFESSIONAL_CLASSES)),  # no approval
        (Category.CLASS2, Rules(qii_resale_only=True)),  # QII resale is a Class 1 measure
        (Category.CLASS1, Rules(allowed_classes=1 << 4)),  # no such class
        (Category.CLASS1, Rules(holder_cap=2**24)),
        (Category.CLASS1, Rules(min_holding=10, max_balance=5)),
    ],
    ids=[
        "exc2-general",
        "exc2-no-approval",
        "class2-qii",
        "unknown-class",
        "cap-too-large",
        "min-above-max",
    ],
)
def test_rules__outside_the_category_profile__refused(make_token, issuer, category, rules):
    base = (
        Rules(allowed_classes=PROFESSIONAL_CLASSES, approval_required=True)
        if category == Category.EXCLUDED_CLASS2
        else Rules()
    )
    token = make_token(category=category, rules=base)
    with ape.reverts(token.TokenInvalidRules):
        token.setRules(rules.as_tuple(), sender=issuer)


def test_rules__set_and_read_back__event(make_token, issuer):
    token = make_token()
    rules = Rules(
        allowed_classes=0b0110,
        holder_cap=49,
        max_balance=1_000,
        min_holding=2,
        lock_up_until=123,
        qii_resale_only=True,
    )
    receipt = token.setRules(rules.as_tuple(), sender=issuer)
    assert len(receipt.events.filter(token.RulesUpdated)) == 1
    assert tuple(token.rules()) == rules.as_tuple()


def test_record_dates__balances_fixed_at_the_date_whatever_happens_after(
    chain, token, issuer, agent, alice, bob, carol
):
    token.issue(alice, 100, b"", sender=agent)
    now = chain.pending_timestamp
    receipt = token.scheduleRecordDate(now + 1_000, sender=issuer)
    assert receipt.events.filter(token.RecordDateScheduled)[0].index == 0
    token.scheduleRecordDate(now + 2_000, sender=issuer)
    with ape.reverts(token.TokenRecordDateNotAfterLast):
        token.scheduleRecordDate(now + 1_500, sender=issuer)
    token.transfer(bob, 30, sender=alice)  # before date 0
    with ape.reverts(token.TokenRecordDateNotPassed):
        token.balanceOfAtRecordDate(alice, 0)
    chain.pending_timestamp = now + 1_001
    token.transfer(carol, 20, sender=alice)  # after date 0, before date 1
    token.issue(carol, 5, b"", sender=agent)
    chain.pending_timestamp = now + 5_000
    token.transfer(bob, 50, sender=alice)  # after both
    token.redeem(carol, 25, b"", sender=agent)
    snapshot_0 = [token.balanceOfAtRecordDate(w, 0) for w in (alice, bob, carol)]
    snapshot_1 = [token.balanceOfAtRecordDate(w, 1) for w in (alice, bob, carol)]
    assert snapshot_0 == [70, 30, 0]
    assert snapshot_1 == [50, 30, 25]
    assert (
        token.totalSupplyAtRecordDate(0),
        token.totalSupplyAtRecordDate(1),
        token.totalSupply(),
    ) == (100, 105, 80)
    assert [token.balanceOf(w) for w in (alice, bob, carol)] == [0, 80, 0]


def test_terms__bond_terms_stored_and_record_dates_scheduled(chain, make_token, investors):
    now = chain.pending_timestamp
    terms = BondTerms(
        face_value=100_000,
        coupon_rate=3_500,
        coupons_per_year=2,
        issue_date=now,
        maturity_date=now + 365 * DAY,
        redemption_value=100_000,
        interest_payment_dates=(now + 182 * DAY, now + 365 * DAY),
        interest_record_dates=(now + 175 * DAY, now + 358 * DAY),
    )
    token = make_token(kind=Kind.BOND, terms=terms)
    stored = token.bondTerms()
    assert (stored.faceValue, stored.couponRate, stored.couponsPerYear) == (100_000, 3_500, 2)
    assert list(stored.interestRecordDates) == list(terms.interest_record_dates)
    assert token.recordDateCount() == 2 and token.recordDate(1) == now + 358 * DAY


def test_terms__beneficiary_terms(chain, make_token, investors):
    now = chain.pending_timestamp
    terms = BeneficiaryTerms(
        issue_price=1_000_000,
        distribution_record_dates=(now + DAY,),
        distribution_payment_dates=(now + 30 * DAY,),
    )
    token = make_token(kind=Kind.BENEFICIARY, terms=terms)
    assert token.beneficiaryTerms().issuePrice == 1_000_000
    assert token.kind() == int(Kind.BENEFICIARY) and token.recordDateCount() == 1


def test_documents__erc1643(token, issuer, agent):
    name, other = keccak(text="prospectus"), keccak(text="trust deed")
    receipt = token.setDocument(name, "ipfs://prospectus", b"\x01" * 32, sender=issuer)
    assert receipt.events.filter(token.DocumentUpdated)[0].uri == "ipfs://prospectus"
    token.setDocument(other, "ipfs://deed", b"\x02" * 32, sender=issuer)
    uri, doc_hash, modified = token.getDocument(name)
    assert (uri, doc_hash, modified > 0) == ("ipfs://prospectus", b"\x01" * 32, True)
    receipt = token.removeDocument(name, sender=issuer)
    assert receipt.events.filter(token.DocumentRemoved)[0].uri == "ipfs://prospectus"
    assert list(token.getAllDocuments()) == [other]
    with ape.reverts(token.TokenUnknownDocument):
        token.removeDocument(name, sender=issuer)
    with ape.reverts(token.AccessControlUnauthorizedAccount):
        token.setDocument(name, "x", b"\x00" * 32, sender=agent)


def test_erc20_metadata_and_messages(token, registry):
    assert (token.decimals(), token.symbol(), token.registry()) == (0, "KBND", registry.address)
    assert token.messageForTransferRestriction(0) == "SUCCESS"
    assert token.messageForTransferRestriction(14) == "issuer approval required"
    assert token.messageForTransferRestriction(19) == "invalid recipient"
    assert token.messageForTransferRestriction(20) == "unknown restriction code"


def test_qii_private_placement__issue_to_qii_then_resale_only_to_qii(
    make_token, enroll, agent, alice, bob, carol
):
    enroll(alice, cls=InvestorClass.QUALIFIED_INSTITUTIONAL)
    enroll(bob, cls=InvestorClass.QUALIFIED_INSTITUTIONAL)
    enroll(carol, cls=InvestorClass.GENERAL)
    token = make_token(
        category=Category.CLASS1, rules=Rules(allowed_classes=ALL_CLASSES, qii_resale_only=True)
    )
    token.issue(alice, 10, b"", sender=agent)
    token.issue(carol, 10, b"", sender=agent)  # the issue itself is not a resale
    token.transfer(bob, 5, sender=alice)
    assert token.balanceOf(bob) == 5
    assert token.detectTransferRestriction(bob, carol, 1) == 13  # QiiResaleOnly
