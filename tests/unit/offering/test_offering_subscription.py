"""Opening an offering and the subscription window: who may open, what the terms must be, who may
apply for how much and when, and cancelling an application."""

from __future__ import annotations

import pytest
from fixtures.platform import AGENT_ROLE, investor_id_for
from offering_support import DAY, UNIT_PRICE, expect_refusal

from kabuto.onchain_types import ZERO_ADDRESS, Kind, Restriction
from kabuto.signing import Eip712Domain, Permit, sign_typed

# IPrimaryOffering.OfferingStatus / ApplicationStatus
OPEN, CLOSED = 1, 2
APPLIED, CANCELLED = 1, 2


# ---------------------------------------------------------------- open


def test_open__price_and_payment_token_from_term_sheet(
    offering, open_offering, token, coin, issuer, proceeds
):
    offering_id = open_offering()
    view = offering.offering(offering_id)
    assert view.status == OPEN
    assert view.terms.token == token.address
    assert view.terms.paymentToken == coin.address
    assert view.terms.pricePerUnit == UNIT_PRICE
    assert view.terms.proceedsAccount == proceeds.address
    assert (view.terms.offeredUnits, view.terms.minUnits, view.terms.maxUnits) == (10, 1, 5)
    assert offering.offeringCount() == offering_id + 1


def test_open__event_names_token_issuer_and_resolved_terms(
    offering, default_terms, token, coin, issuer, proceeds
):
    terms = default_terms()
    now = terms["start"]
    receipt = offering.openOffering(terms, sender=issuer)
    (event,) = receipt.events.filter(offering.OfferingOpened)
    assert (event.token, event.issuer) == (token.address, issuer.address)
    # Event structs decode as lists, in OfferingTerms field order.
    assert list(event.terms) == [
        token.address.lower(),
        coin.address.lower(),
        proceeds.address.lower(),
        UNIT_PRICE,
        10,
        1,
        5,
        now,
        now + DAY,
    ]


def test_open__explicit_price_overrides_face_value(offering, open_offering):
    """A bond may be issued below par: 99,500 yen per 100,000 yen unit."""
    offering_id = open_offering(pricePerUnit=99_500)
    assert offering.offering(offering_id).terms.pricePerUnit == 99_500


def test_open__caller_not_issuer__reverts(offering, default_terms, subscribers):
    terms = default_terms()
    expect_refusal(
        offering,
        "openOffering",
        terms,
        sender=subscribers[0],
        error="OfferingNotIssuer",
        caller=subscribers[0].address,
    )


def test_open__by_a_token_agent__allowed_until_the_role_is_revoked(
    offering, token, default_terms, issuer, bank
):
    """The issuer side is asked of the token on every call: a revoked agent loses it at once."""
    agent = bank  # any account the token admin makes an agent
    token.grantRole(AGENT_ROLE, agent, sender=issuer)
    offering_id = offering.openOffering(default_terms(), sender=agent).events[-1].offeringId
    token.revokeRole(AGENT_ROLE, agent, sender=issuer)
    expect_refusal(
        offering,
        "closeOffering",
        offering_id,
        sender=agent,
        error="OfferingNotIssuer",
        caller=agent.address,
    )


def test_open__offering_contract_without_agent_role__reverts(
    offering, make_token, default_terms, issuer
):
    token = make_token(agent=False)
    terms = default_terms(token=token.address)
    expect_refusal(
        offering,
        "openOffering",
        terms,
        sender=issuer,
        error="OfferingNotTokenAgent",
        token=token.address,
    )


def test_open__payment_token_other_than_term_sheet__reverts(
    offering, default_terms, coin, issuer, proceeds
):
    terms = default_terms(paymentToken=proceeds.address)
    expect_refusal(
        offering,
        "openOffering",
        terms,
        sender=issuer,
        error="OfferingPaymentTokenMismatch",
        termSheet=coin.address,
    )


@pytest.mark.parametrize(
    "field, value",
    [
        ("proceedsAccount", ZERO_ADDRESS),
        ("offeredUnits", 0),
        ("offeredUnits", 2**48),
        ("minUnits", 0),
        ("minUnits", 6),  # above maxUnits 5
        ("maxUnits", 11),  # above offeredUnits 10
        ("pricePerUnit", 2**96),
        ("end", 0),  # not after start
    ],
)
def test_open__invalid_terms__reverts(offering, default_terms, issuer, field, value):
    terms = default_terms(**{field: value})
    expect_refusal(offering, "openOffering", terms, sender=issuer, error="OfferingInvalidTerms")


# ---------------------------------------------------------------- apply


def test_apply__records_application_and_emits(offering, open_offering, subscribers, ids):
    offering_id = open_offering()
    alice = subscribers[0]
    receipt = offering.applyForOffering(offering_id, 3, sender=alice)
    (event,) = receipt.events.filter(offering.Applied)
    assert (event.offeringId, event.investorId, event.wallet, event.units) == (
        offering_id,
        ids[0],
        alice.address,
        3,
    )
    application = offering.applicationOf(offering_id, ids[0])
    assert (application.wallet, application.appliedUnits, application.status) == (
        alice.address,
        3,
        APPLIED,
    )
    assert offering.offering(offering_id).appliedUnits == 3


def test_apply__before_start__window_not_open(offering, open_offering, subscribers, chain):
    start = chain.pending_timestamp + DAY
    offering_id = open_offering(start=start, end=start + DAY)
    expect_refusal(
        offering,
        "applyForOffering",
        offering_id,
        1,
        sender=subscribers[0],
        error="OfferingWindowNotOpen",
        start=start,
    )


def test_apply__at_end__window_not_open(offering, open_offering, subscribers, chain):
    offering_id = open_offering()
    end = offering.offering(offering_id).terms.end
    chain.pending_timestamp = end
    expect_refusal(
        offering,
        "applyForOffering",
        offering_id,
        1,
        sender=subscribers[0],
        error="OfferingWindowNotOpen",
        end=end,
    )


def test_apply__after_close__wrong_status(offering, open_offering, subscribers, issuer):
    offering_id = open_offering()
    offering.closeOffering(offering_id, sender=issuer)
    expect_refusal(
        offering,
        "applyForOffering",
        offering_id,
        1,
        sender=subscribers[0],
        error="OfferingWrongStatus",
        status=CLOSED,
    )


def test_apply__unknown_offering__reverts(offering, subscribers):
    expect_refusal(
        offering,
        "applyForOffering",
        99,
        1,
        sender=subscribers[0],
        error="OfferingUnknown",
        offeringId=99,
    )


@pytest.mark.parametrize("units", [1, 6])
def test_apply__outside_minimum_and_maximum__reverts(offering, open_offering, subscribers, units):
    offering_id = open_offering(minUnits=2, maxUnits=5)
    expect_refusal(
        offering,
        "applyForOffering",
        offering_id,
        units,
        sender=subscribers[0],
        error="OfferingUnitsOutOfRange",
        units=units,
        minUnits=2,
        maxUnits=5,
    )


def test_apply__unregistered_wallet__refused_with_erc1404_code(offering, open_offering, outsider):
    offering_id = open_offering()
    expect_refusal(
        offering,
        "applyForOffering",
        offering_id,
        1,
        sender=outsider,
        error="OfferingInvestorRestricted",
        wallet=outsider.address,
        code=Restriction.RECIPIENT_NOT_REGISTERED,
    )


def test_apply__class_not_allowed__refused_with_erc1404_code(offering, open_offering, professional):
    offering_id = open_offering()
    expect_refusal(
        offering,
        "applyForOffering",
        offering_id,
        1,
        sender=professional,
        error="OfferingInvestorRestricted",
        code=Restriction.RECIPIENT_CLASS_NOT_ALLOWED,
    )


def test_apply__suspended_investor__refused(
    offering, open_offering, registry, registrar, subscribers, ids
):
    offering_id = open_offering()
    registry.setInvestorStatus(ids[0], 2, sender=registrar)  # Suspended
    expect_refusal(
        offering,
        "applyForOffering",
        offering_id,
        1,
        sender=subscribers[0],
        error="OfferingInvestorRestricted",
        code=Restriction.RECIPIENT_NOT_ACTIVE,
    )


def test_apply__second_live_application__reverts(offering, open_offering, subscribers, ids):
    offering_id = open_offering()
    offering.applyForOffering(offering_id, 2, sender=subscribers[0])
    expect_refusal(
        offering,
        "applyForOffering",
        offering_id,
        1,
        sender=subscribers[0],
        error="OfferingApplicationExists",
        investorId=ids[0],
    )


def test_apply__maximum_holds_per_investor_across_a_replaced_wallet(
    offering, open_offering, registry, registrar, subscribers, ids, outsider
):
    """Applications are keyed by investor id: a new wallet of the same investor cannot apply again."""
    offering_id = open_offering()
    offering.applyForOffering(offering_id, 5, sender=subscribers[0])
    new_wallet = outsider
    registry.replaceWallet(ids[0], new_wallet, sender=registrar)
    expect_refusal(
        offering,
        "applyForOffering",
        offering_id,
        1,
        sender=new_wallet,
        error="OfferingApplicationExists",
        investorId=ids[0],
    )
    assert offering.applicationOf(offering_id, ids[0]).wallet == new_wallet.address


def test_apply_with_permit__sets_allowance_and_applies(
    offering, open_offering, coin, subscribers, ids, chain
):
    """No prior approve: the permit signed for price * units is given with the application."""
    offering_id = open_offering()
    dave = subscribers[3]
    deadline = chain.pending_timestamp + DAY
    permit = Permit(dave.address, offering.address, 3 * UNIT_PRICE, coin.nonces(dave), deadline)
    signature = sign_typed(dave.private_key, Eip712Domain.from_eip5267(coin.eip712Domain()), permit)
    offering.applyForOfferingWithPermit(
        offering_id, 3, 3 * UNIT_PRICE, deadline, signature.v, signature.r, signature.s, sender=dave
    )
    assert coin.allowance(dave, offering) == 3 * UNIT_PRICE
    assert offering.applicationOf(offering_id, ids[3]).status == APPLIED
    # The same permit again (e.g. already submitted by a front-runner) fails inside; the application
    # is refused only for its own reason.
    expect_refusal(
        offering,
        "applyForOfferingWithPermit",
        offering_id,
        3,
        3 * UNIT_PRICE,
        deadline,
        signature.v,
        signature.r,
        signature.s,
        sender=dave,
        error="OfferingApplicationExists",
    )


# ---------------------------------------------------------------- cancel an application


def test_cancel__withdraws_and_allows_a_new_application(offering, open_offering, subscribers, ids):
    offering_id = open_offering()
    alice = subscribers[0]
    offering.applyForOffering(offering_id, 4, sender=alice)
    receipt = offering.cancelApplication(offering_id, sender=alice)
    (event,) = receipt.events.filter(offering.ApplicationCancelled)
    assert (event.investorId, event.wallet, event.units) == (ids[0], alice.address, 4)
    assert offering.applicationOf(offering_id, ids[0]).status == CANCELLED
    assert offering.offering(offering_id).appliedUnits == 0

    offering.applyForOffering(offering_id, 2, sender=alice)
    view = offering.offering(offering_id)
    assert (view.appliedUnits, view.applicationCount) == (2, 2)
    assert offering.applicationOf(offering_id, ids[0]).appliedUnits == 2


def test_cancel__without_application__reverts(offering, open_offering, subscribers, ids):
    offering_id = open_offering()
    expect_refusal(
        offering,
        "cancelApplication",
        offering_id,
        sender=subscribers[1],
        error="OfferingWrongApplicationStatus",
        status=0,
    )


def test_cancel__after_close__reverts(offering, open_offering, subscribers, issuer):
    offering_id = open_offering()
    offering.applyForOffering(offering_id, 2, sender=subscribers[0])
    offering.closeOffering(offering_id, sender=issuer)
    expect_refusal(
        offering,
        "cancelApplication",
        offering_id,
        sender=subscribers[0],
        error="OfferingWrongStatus",
        status=CLOSED,
    )


def test_close__by_non_issuer__reverts(offering, open_offering, subscribers):
    offering_id = open_offering()
    expect_refusal(
        offering, "closeOffering", offering_id, sender=subscribers[0], error="OfferingNotIssuer"
    )


def test_close__reports_applied_against_offered(offering, open_offering, subscribers, issuer):
    offering_id = open_offering()
    offering.applyForOffering(offering_id, 5, sender=subscribers[0])
    offering.applyForOffering(offering_id, 4, sender=subscribers[1])
    receipt = offering.closeOffering(offering_id, sender=issuer)
    (event,) = receipt.events.filter(offering.OfferingClosed)
    assert (event.issuer, event.appliedUnits, event.offeredUnits) == (issuer.address, 9, 10)
    assert offering.offering(offering_id).status == CLOSED


def test_kenedix_style_beneficiary__one_million_yen_units_minimum_two(
    offering, make_token, open_offering, subscribers
):
    """Beneficiary token at 1,000,000 yen per unit, minimum subscription 2 units."""
    token = make_token(kind=Kind.BENEFICIARY, price=1_000_000)
    offering_id = open_offering(token=token.address, offeredUnits=100, minUnits=2, maxUnits=10)
    assert offering.offering(offering_id).terms.pricePerUnit == 1_000_000
    expect_refusal(
        offering,
        "applyForOffering",
        offering_id,
        1,
        sender=subscribers[0],
        error="OfferingUnitsOutOfRange",
    )
    offering.applyForOffering(offering_id, 2, sender=subscribers[0])
    assert offering.applicationOf(offering_id, investor_id_for(subscribers[0])).appliedUnits == 2
