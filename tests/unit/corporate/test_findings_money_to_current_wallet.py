"""Issue 14, point 3 (the first four tests failed on 16b48fb): money for an investor goes only
to its current wallet, on every path (batch, claim, release of a held payment, redemption, the
agent's recovered-wallet payment), whether or not the coin is in eligibility mode, and the tax
of a replaced wallet's payment uses the investor's own tax status. The coin is in open mode here
unless a test says otherwise (what `ape run deploy` sets up, where the coin itself does not stop
a lost wallet)."""

from datetime import timedelta

import ape
import pytest

from kabuto.coupons import add_months
from kabuto.onchain_types import TaxStatus
from kabuto.ops.accounts import test_account as account_at

QII = 2
HELD, PAID = 2, 1


@pytest.fixture
def bond(make_bond, today):
    issue = today + timedelta(days=2)
    p = make_bond(issue, [add_months(issue, 6), add_months(issue, 12)])
    p.yen.setEligibilityRequired(False, sender=p.admin)
    return p


def _fresh(p, index):
    wallet = account_at(index)
    p.admin.transfer(wallet, 10**18)
    return wallet


def _replace(p, old, new):
    p.registry.replaceWallet(p.registry.investorIdOf(old), new, sender=p.admin)


def test_replaced_wallet__claims_a_coupon__refused__the_new_wallet_collects_it(bond, investors):
    p = bond
    holder, fresh = investors[0], _fresh(bond, 15)
    p.issue({holder: 3})
    payment_id = p.declare_and_fund_interest(0)
    _replace(p, holder, fresh)
    p.on_payment_date(0)
    before = p.balances([holder, fresh])
    with ape.reverts(p.corp.CorporateNotCurrentWallet, caller=holder.address, currentWallet=fresh):
        p.corp.claim(payment_id, sender=holder)
    receipt = p.corp.claim(payment_id, sender=fresh)  # its latest replaced wallet's entitlement
    gross = 3 * 175
    net = gross - (gross * 153_150 // 10**6 + gross * 50_000 // 10**6)
    assert p.balances([holder, fresh]) == [before[0], before[1] + net]
    paid = receipt.events.filter(p.corp.HolderPaid)[0]
    assert (paid.holder, paid.recipient) == (holder.address, fresh.address)


def test_replaced_wallet__agent_batch__paid_to_the_current_wallet_taxed_as_the_investor(
    bond, investors
):
    p = bond
    holder, fresh = investors[0], _fresh(bond, 15)
    p.issue({holder: 3}, klass=QII)  # onboarded Exempt: the QII's record, not a zeroed one
    payment_id = p.declare_and_fund_interest(0)
    _replace(p, holder, fresh)
    p.on_payment_date(0)
    before = p.balances([holder, fresh])
    p.corp.payBatch(payment_id, [holder], sender=p.agent)
    assert p.balances([holder, fresh]) == [before[0], before[1] + 3 * 175]


def test_held_payment__released_after_recovery__goes_to_the_new_wallet(bond, investors):
    p = bond
    holder, fresh, anyone = investors[0], _fresh(bond, 15), investors[5]
    p.issue({holder: 3})
    payment_id = p.declare_and_fund_interest(0)
    p.token.setAddressFrozen(holder, True, sender=p.admin)
    p.on_payment_date(0)
    p.corp.payBatch(payment_id, [holder], sender=p.agent)
    assert p.corp.entryOf(payment_id, holder)[0] == HELD
    _replace(p, holder, fresh)
    p.token.recoveryAddress(holder, fresh, sender=p.agent)  # the freeze moves to the new wallet
    with ape.reverts(p.corp.CorporateHolderFrozen):
        p.corp.releaseHeld(payment_id, holder, sender=anyone)
    p.token.setAddressFrozen(fresh, False, sender=p.admin)
    before = p.balances([holder, fresh])
    p.corp.releaseHeld(payment_id, holder, sender=anyone)
    held = 3 * 175 - (525 * 153_150 // 10**6 + 525 * 50_000 // 10**6)
    assert p.balances([holder, fresh]) == [before[0], before[1] + held]


def test_maturity__replaced_wallet_before_recovery__cannot_take_the_redemption(bond, investors):
    p = bond
    holder, fresh = investors[0], _fresh(bond, 15)
    p.issue({holder: 2})
    payment_id = p.declare_redemption()
    p.corp.fund(payment_id, sender=p.agent)
    _replace(p, holder, fresh)
    p.on_payment_date(1)
    before = p.balances([holder, fresh])
    with ape.reverts(p.corp.CorporateNotCurrentWallet):
        p.corp.claim(payment_id, sender=holder)
    assert p.token.balanceOf(holder) == 2
    # The agent's batch names the lost wallet: its units burn, the new wallet is paid.
    p.corp.payBatch(payment_id, [holder], sender=p.agent)
    assert p.token.balanceOf(holder) == 0
    assert p.balances([holder, fresh]) == [before[0], before[1] + 200_000]


def test_replaced_wallet_frozen_before_replacement__payment_held_not_sent(bond, investors):
    """A compliance freeze on the lost wallet (a seizure) is not bypassed by paying the new
    wallet before the token's recovery moves the freeze."""
    p = bond
    holder, fresh = investors[0], _fresh(bond, 15)
    p.issue({holder: 3})
    payment_id = p.declare_and_fund_interest(0)
    p.token.setAddressFrozen(holder, True, sender=p.admin)
    _replace(p, holder, fresh)
    p.on_payment_date(0)
    before = p.yen.balanceOf(fresh)
    receipt = p.corp.payBatch(payment_id, [holder], sender=p.agent)
    held = receipt.events.filter(p.corp.HolderPaymentHeld)[0]
    assert (held.holder, held.recipient) == (holder.address, fresh.address)
    assert p.yen.balanceOf(fresh) == before


def test_recovered_wallet_payment__only_to_the_investors_current_wallet(bond, investors):
    p = bond
    holder, first, second = investors[0], _fresh(bond, 15), _fresh(bond, 16)
    p.issue({holder: 4})
    payment_id = p.declare_and_fund_interest(0)
    _replace(p, holder, first)
    _replace(p, first, second)  # two lost keys in a row
    p.on_payment_date(0)
    with ape.reverts(p.corp.CorporateNotRecoveredWallet):
        p.corp.payToRecoveredWallet(payment_id, holder, first, sender=p.agent)
    before = p.yen.balanceOf(second)
    p.corp.payToRecoveredWallet(payment_id, holder, second, sender=p.agent)
    assert p.yen.balanceOf(second) > before
    assert p.corp.entryOf(payment_id, holder)[0] == PAID


def test_eligibility_mode__lost_wallet_entitlement_reaches_the_new_wallet(
    make_bond, today, investors
):
    p = make_bond(today + timedelta(days=2), [add_months(today + timedelta(days=2), 6)])
    holder, fresh = investors[0], _fresh(p, 15)
    p.issue({holder: 3}, status=TaxStatus.DOMESTIC_CORPORATION)
    payment_id = p.declare_and_fund_interest(0)
    _replace(p, holder, fresh)  # the lost wallet is not eligible on the coin any more
    p.on_payment_date(0)
    receipt = p.corp.payBatch(payment_id, [holder], sender=p.agent)
    assert not receipt.events.filter(p.corp.HolderPaymentHeld)
    assert p.yen.balanceOf(fresh) == 525 - 525 * 153_150 // 10**6  # a corporation's 15.315%
