"""Moving a live token to a new DvP contract (issue 16, docs/settlement.md): the token's
settlement lock address is replaced while delivery instructions are open on the old contract.
The old contract's instructions still settle and cancel through it; new ones lock to the new
contract; nobody's units are stranded and no lock is counted twice."""

from eth_abi import encode
from settlement_support import DAY

QTY = 10
AMOUNT = 1_000_000


def _lock(token, settlement, seller, buyer, chain, quantity, salt):
    """The seller's lock to `settlement` carrying an instruction; returns the instruction."""
    expiry = chain.pending_timestamp + DAY
    salt_bytes = salt.to_bytes(32, "big")
    data = encode(
        ["address", "uint256", "uint40", "bytes32"], [buyer.address, AMOUNT, expiry, salt_bytes]
    )
    token.lock(settlement, quantity, data, sender=seller)
    return (token.address, seller.address, buyer.address, quantity, AMOUNT, expiry, salt_bytes)


def test_replaced_dvp__open_instructions_settle_and_cancel__new_ones_use_the_new_contract(
    project, admin, coin, registry, dvp, deploy_token, seller, buyer, chain
):
    token = deploy_token(symbol="MIG")
    to_settle = _lock(token, dvp, seller, buyer, chain, QTY, salt=1)
    to_cancel = _lock(token, dvp, seller, buyer, chain, 3, salt=2)
    assert token.lockedOf(dvp, seller) == QTY + 3

    dvp2 = project.DvPSettlement.deploy(coin, registry, sender=admin)
    token.setSettlementLockAddress(dvp2, sender=admin)
    token.authorizeLockAddress(dvp2, True, True, sender=admin)
    token.authorizeLockAddress(dvp, False, True, sender=admin)
    assert list(token.settlementLockAddresses()) == [dvp.address, dvp2.address]
    assert (token.lockedOf(dvp, seller), token.lockedOf(dvp2, seller)) == (QTY + 3, 0)

    # A new instruction goes to the new contract (the seller's old lock leaves its account word
    # for the lock map under the old contract, unchanged in amount).
    new_one = _lock(token, dvp2, seller, buyer, chain, 5, salt=3)
    assert (token.lockedOf(dvp, seller), token.lockedOf(dvp2, seller)) == (QTY + 3, 5)

    coin.approve(dvp, AMOUNT, sender=buyer)
    coin.approve(dvp2, AMOUNT, sender=buyer)
    yen_before = coin.balanceOf(seller)
    dvp.accept(to_settle, sender=buyer)  # the old contract's instruction settles through it
    dvp.cancel(to_cancel, sender=seller)  # and the seller can still cancel the other one
    dvp2.accept(new_one, sender=buyer)
    assert (token.lockedOf(dvp, seller), token.lockedOf(dvp2, seller)) == (0, 0)
    assert token.balanceOf(buyer) == QTY + 5
    assert token.freeBalanceOf(seller) == token.balanceOf(seller) == 1_000 - QTY - 5
    assert coin.balanceOf(seller) == yen_before + 2 * AMOUNT
    assert token.totalLockedOf(seller) == 0 and token.pendingOf(seller) == 0
