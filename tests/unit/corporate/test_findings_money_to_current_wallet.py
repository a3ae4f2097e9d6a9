"""Issue 14, point 3: money for an investor goes only to its current wallet, on every path
(batch, claim, release of a held payment, redemption, the agent's recovered-wallet payment),
and the tax of a replaced wallet's payment uses the investor's own record. The coin is in open
mode here (what `ape run deploy` sets up), where the coin itself does not stop a lost wallet."""

from datetime import timedelta

import pytest
from ape.exceptions import ContractLogicError

from kabuto.coupons import add_months
from kabuto.ops.accounts import test_account as account_at

QII = 2


@pytest.fixture
def bond(make_bond, today):
    issue = today + timedelta(days=2)
    p = make_bond(issue, [add_months(issue, 6), add_months(issue, 12)])
    p.yen.setEligibilityRequired(False, sender=p.admin)
    return p


def _replace(p, old, new):
    investor_id = p.registry.investorIdOf(old)
    p.registry.replaceWallet(investor_id, new, sender=p.admin)


def _attempt(call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except ContractLogicError:
        return False
    return True


def test_replaced_wallet__claims_a_coupon__nothing_reaches_it(bond, investors, accounts):
    p = bond
    holder, fresh = investors[0], account_at(15)
    p.issue({holder: 3})
    payment_id = p.declare_and_fund_interest(0)
    _replace(p, holder, fresh)
    p.on_payment_date(0)
    before = p.yen.balanceOf(holder)
    _attempt(p.corp.claim, payment_id, sender=holder)
    assert p.yen.balanceOf(holder) == before


def test_replaced_wallet__agent_batch__paid_to_the_current_wallet_taxed_as_the_investor(
    bond, investors, accounts
):
    p = bond
    holder, fresh = investors[0], account_at(15)
    p.issue({holder: 3}, klass=QII)  # QIIs are not taxed in this fixture's schedule
    payment_id = p.declare_and_fund_interest(0)
    _replace(p, holder, fresh)
    p.on_payment_date(0)
    before = (p.yen.balanceOf(holder), p.yen.balanceOf(fresh))
    p.corp.payBatch(payment_id, [holder], sender=p.agent)
    assert p.yen.balanceOf(holder) == before[0]
    assert p.yen.balanceOf(fresh) == before[1] + 3 * 175  # the QII's own (zero) withholding


def test_held_payment__released_after_recovery__goes_to_the_new_wallet(bond, investors, accounts):
    p = bond
    holder, fresh, anyone = investors[0], account_at(15), investors[5]
    p.issue({holder: 3})
    payment_id = p.declare_and_fund_interest(0)
    p.token.setAddressFrozen(holder, True, sender=p.admin)
    p.on_payment_date(0)
    p.corp.payBatch(payment_id, [holder], sender=p.agent)
    assert p.corp.entryOf(payment_id, holder)[0] == 2  # held
    _replace(p, holder, fresh)
    p.token.recoveryAddress(holder, fresh, sender=p.agent)  # the freeze moves to the new wallet
    p.token.setAddressFrozen(fresh, False, sender=p.admin)
    before = (p.yen.balanceOf(holder), p.yen.balanceOf(fresh))
    _attempt(p.corp.releaseHeld, payment_id, holder, sender=anyone)
    assert p.yen.balanceOf(holder) == before[0]
    assert p.yen.balanceOf(fresh) > before[1]


def test_maturity__replaced_wallet_before_recovery__cannot_take_the_redemption(
    bond, investors, accounts
):
    p = bond
    holder, fresh = investors[0], account_at(15)
    p.issue({holder: 2})
    payment_id = p.declare_redemption()
    p.corp.fund(payment_id, sender=p.agent)
    _replace(p, holder, fresh)
    p.on_payment_date(1)
    before = p.yen.balanceOf(holder)
    _attempt(p.corp.claim, payment_id, sender=holder)
    assert p.yen.balanceOf(holder) == before
