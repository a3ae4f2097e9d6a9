"""Gas of settlement, every transaction counted (target: one bilateral DvP under 200,000).

Asserted under the target: the seller's lock carrying the instruction + the buyer's acceptance,
the buyer's yen authorised by a standing allowance to the DvP contract (set once, like the venue
participants' authorisations), the seller already holding yen; once with a buyer that becomes a
holder of the security, once with one that already holds it. The permit variant (no standing
allowance: the permit's nonce slot is new too) is held to a regression bound. Numbers are
printed (run with -s); docs/settlement.md, "Gas".
"""

import pytest
from eth_abi import encode
from settlement_support import DAY

from kabuto.onchain_types import PROFESSIONAL_CLASSES, Category, Rules
from kabuto.settlement import Execution, batch_id, build_batch

TARGET = 200_000  # targets.md: every transaction of one settlement
# Regression bound of the permit variant (measured 2026-11-25: 216,373, the buyer's first permit;
# 2026-12-03: 226,527, the token's settlementLockedTotal adds a storage write to the lock and to
# the acceptance, issue 16: docs/settlement.md "Gas").
FIRST_SETTLEMENT_PERMIT_BOUND = 230_000
QTY = 10
AMOUNT = 1_000_000


def _report(name, parts):
    total = sum(parts.values())
    print(
        f"\n[gas] {name}: " + " + ".join(f"{k} {v:,}" for k, v in parts.items()) + f" = {total:,}"
    )
    return total


def _lock(dvp, token, seller, buyer, chain, salt=1):
    expiry = chain.pending_timestamp + DAY
    data = encode(
        ["address", "uint256", "uint40", "bytes32"],
        [buyer.address, AMOUNT, expiry, salt.to_bytes(32, "big")],
    )
    receipt = token.lock(dvp, QTY, data, sender=seller)
    return (
        token.address,
        seller.address,
        buyer.address,
        QTY,
        AMOUNT,
        expiry,
        salt.to_bytes(32, "big"),
    ), receipt


def _settle(dvp, token, seller, buyer, chain, salt):
    instruction, lock = _lock(dvp, token, seller, buyer, chain, salt)
    accept = dvp.accept(instruction, sender=buyer)
    return {"lock+instruct": lock.gas_used, "accept": accept.gas_used}


def test_gas__bilateral_settlement__under_target(dvp, coin, token, seller, buyer, chain):
    coin.approve(dvp, 10 * AMOUNT, sender=buyer)
    _settle(dvp, token, seller, buyer, chain, salt=1)  # the pair's first: creates both balances
    total = _report(
        "bilateral, standing allowance, buyer holds, seller holds yen",
        _settle(dvp, token, seller, buyer, chain, salt=2),
    )
    assert total < TARGET


def test_gas__bilateral_settlement_to_a_new_holder__under_target(
    dvp, coin, token, seller, buyer, chain
):
    coin.approve(dvp, 10 * AMOUNT, sender=buyer)
    assert token.balanceOf(buyer) == 0 and coin.balanceOf(seller) > 0
    total = _report(
        "bilateral, standing allowance, buyer becomes a holder",
        _settle(dvp, token, seller, buyer, chain, salt=1),
    )
    assert total < TARGET


def test_gas__bilateral_first_settlement_with_permit(dvp, token, seller, buyer, chain, sign_permit):
    instruction, lock = _lock(dvp, token, seller, buyer, chain)
    deadline = chain.pending_timestamp + 3600
    accept = dvp.acceptWithPermit(
        instruction, deadline, *sign_permit(buyer, dvp, AMOUNT, deadline), sender=buyer
    )
    total = _report(
        "bilateral, permit in acceptance, the pair's first",
        {"lock+instruct": lock.gas_used, "acceptWithPermit": accept.gas_used},
    )
    assert total < FIRST_SETTLEMENT_PERMIT_BOUND


def test_gas__bilateral_with_issuer_approval(
    dvp, deploy_token, seller, buyer, agent, chain, sign_permit
):
    token = deploy_token(
        Category.EXCLUDED_CLASS2,
        Rules(allowed_classes=PROFESSIONAL_CLASSES, approval_required=True),
        symbol="EXG",
    )
    instruction, lock = _lock(dvp, token, seller, buyer, chain)
    approve = dvp.approve(instruction, sender=agent)
    deadline = chain.pending_timestamp + 3600
    accept = dvp.acceptWithPermit(
        instruction, deadline, *sign_permit(buyer, dvp, AMOUNT, deadline), sender=buyer
    )
    _report(
        "bilateral with issuer approval, permit",
        {
            "lock+instruct": lock.gas_used,
            "issuer approve": approve.gas_used,
            "acceptWithPermit": accept.gas_used,
        },
    )


@pytest.mark.parametrize("trades", [100])
def test_gas__batch_per_trade(venue, venue_market, venue_agent, seller, buyer, carol, dave, trades):
    wallets = (seller, buyer, carol, dave)
    executions = [
        Execution(
            wallets[i % 4],
            wallets[(i * 3 + 1) % 4 if (i * 3 + 1) % 4 != i % 4 else (i + 2) % 4],
            venue_market[i % 2],
            1 + i % 3,
            10_000 + 37 * i,
        )
        for i in range(trades)
    ]
    receipt = venue.settleBatch(
        batch_id("GAS-100"), *build_batch(executions).args(), sender=venue_agent
    )
    print(
        f"\n[gas] batch of {trades} trades, 4 participants, 2 securities: {receipt.gas_used:,} total, {receipt.gas_used // trades:,} per trade"
    )
