"""Bilateral DvP: instruct by lock, accept (with allowance or permit), cancel, refuse, expiry."""

import ape
import pytest
from eth_abi import encode
from settlement_support import DAY, UNITS_START, YEN_START

from kabuto.settlement import InstructionStatus as S

PRICE = 100_000


@pytest.fixture
def open_instruction(token, seller, buyer, instruct):
    """Seller instructs 10 units to the buyer for 1,000,000 yen."""
    return instruct(token, seller, buyer, 10, 10 * PRICE)


def test_instruct__lock_carries_the_instruction__opens_it_and_locks_the_quantity(
    dvp, token, seller, buyer, open_instruction
):
    instruction, id_, receipt = open_instruction
    assert dvp.statusOf(id_) == S.OPEN
    assert token.lockedOf(dvp, seller) == 10
    assert token.freeBalanceOf(seller) == UNITS_START - 10
    [event] = receipt.events.filter(dvp.Instructed)
    assert event.id == id_
    assert (event.token, event.seller, event.buyer) == (
        token.address,
        seller.address,
        buyer.address,
    )
    assert (event.quantity, event.amount, event.expiry) == (10, 10 * PRICE, instruction[5])


def test_accept__both_legs_move_in_one_transaction(
    dvp, coin, token, seller, buyer, open_instruction
):
    instruction, id_, _ = open_instruction
    coin.approve(dvp, 10 * PRICE, sender=buyer)
    receipt = dvp.accept(instruction, sender=buyer)
    assert coin.balanceOf(buyer) == YEN_START - 10 * PRICE
    assert coin.balanceOf(seller) == YEN_START + 10 * PRICE
    assert token.balanceOf(buyer) == 10
    assert token.balanceOf(seller) == UNITS_START - 10
    assert token.lockedOf(dvp, seller) == 0
    assert coin.balanceOf(dvp) == 0
    assert dvp.statusOf(id_) == S.NONE
    [settled] = receipt.events.filter(dvp.Settled)
    assert (settled.id, settled.buyer) == (id_, buyer.address)
    [unlocked] = receipt.events.filter(token.Unlocked)
    assert unlocked.data == id_


def test_accept_with_permit__no_prior_approval__settles(
    dvp, coin, token, seller, buyer, open_instruction, sign_permit, chain
):
    instruction, id_, _ = open_instruction
    deadline = chain.pending_timestamp + 3600
    v, r, s = sign_permit(buyer, dvp, 10 * PRICE, deadline)
    dvp.acceptWithPermit(instruction, deadline, v, r, s, sender=buyer)
    assert token.balanceOf(buyer) == 10
    assert coin.balanceOf(seller) == YEN_START + 10 * PRICE
    assert coin.allowance(buyer, dvp) == 0


def test_accept__twice__second_is_refused_as_settled(dvp, coin, buyer, open_instruction):
    instruction, id_, _ = open_instruction
    coin.approve(dvp, 20 * PRICE, sender=buyer)
    dvp.accept(instruction, sender=buyer)
    with ape.reverts(dvp.SettlementNotOpen, id=id_, status=S.NONE):
        dvp.accept(instruction, sender=buyer)


def test_accept__altered_amount__unknown_instruction(dvp, coin, buyer, open_instruction):
    instruction, _, _ = open_instruction
    cheaper = (*instruction[:4], 1, *instruction[5:])
    coin.approve(dvp, 10 * PRICE, sender=buyer)
    with ape.reverts(dvp.SettlementNotOpen, id=dvp.instructionId(cheaper), status=S.NONE):
        dvp.accept(cheaper, sender=buyer)


def test_accept__not_the_buyer__reverts(dvp, coin, carol, buyer, open_instruction):
    instruction, id_, _ = open_instruction
    coin.approve(dvp, 10 * PRICE, sender=carol)
    with ape.reverts(
        dvp.SettlementWrongCaller, id=id_, caller=carol.address, expected=buyer.address
    ):
        dvp.accept(instruction, sender=carol)


def test_accept__allowance_short__coin_error_and_nothing_moves(
    dvp, coin, token, seller, buyer, open_instruction
):
    instruction, id_, _ = open_instruction
    coin.approve(dvp, 10 * PRICE - 1, sender=buyer)
    with ape.reverts():
        dvp.accept(instruction, sender=buyer)
    assert dvp.statusOf(id_) == S.OPEN
    assert coin.balanceOf(buyer) == YEN_START
    assert token.lockedOf(dvp, seller) == 10


@pytest.mark.parametrize(
    ("data_of", "error"),
    [
        (lambda buyer, seller, now: b"\x01" * 64, "SettlementInvalidLockData"),
        (
            lambda buyer, seller, now: encode(
                ["address", "uint256", "uint40", "bytes32"],
                [seller.address, 1, now + DAY, b"\0" * 32],
            ),
            "SettlementInvalidBuyer",
        ),
        (
            lambda buyer, seller, now: encode(
                ["address", "uint256", "uint40", "bytes32"],
                [buyer.address, 0, now + DAY, b"\0" * 32],
            ),
            "SettlementZeroValue",
        ),
        (
            lambda buyer, seller, now: encode(
                ["address", "uint256", "uint40", "bytes32"], [buyer.address, 1, now - 1, b"\0" * 32]
            ),
            "SettlementInvalidExpiry",
        ),
    ],
)
def test_instruct__invalid_instruction__lock_reverts(
    dvp, token, seller, buyer, chain, data_of, error
):
    with ape.reverts(getattr(dvp, error)):
        token.lock(dvp, 1, data_of(buyer, seller, chain.pending_timestamp), sender=seller)
    assert token.lockedOf(dvp, seller) == 0


def test_instruct__same_instruction_and_salt_while_open__refused(
    dvp, token, seller, buyer, instruct, open_instruction
):
    instruction, id_, _ = open_instruction
    with ape.reverts(dvp.SettlementExists, id=id_):
        instruct(token, seller, buyer, 10, 10 * PRICE, expiry=instruction[5])
    instruct(token, seller, buyer, 10, 10 * PRICE, expiry=instruction[5], salt=2)
    assert token.lockedOf(dvp, seller) == 20


def test_cancel__by_seller__lock_returns(dvp, token, seller, open_instruction):
    instruction, id_, _ = open_instruction
    receipt = dvp.cancel(instruction, sender=seller)
    assert dvp.statusOf(id_) == S.NONE
    assert token.lockedOf(dvp, seller) == 0
    assert token.freeBalanceOf(seller) == UNITS_START
    [closed] = receipt.events.filter(dvp.Closed)
    assert (closed.id, closed.status, closed.by, closed.returned) == (
        id_,
        S.CANCELLED,
        seller.address,
        10,
    )


def test_cancel__by_buyer__reverts_and_after_settlement_impossible(
    dvp, coin, seller, buyer, open_instruction
):
    instruction, id_, _ = open_instruction
    with ape.reverts(
        dvp.SettlementWrongCaller, id=id_, caller=buyer.address, expected=seller.address
    ):
        dvp.cancel(instruction, sender=buyer)
    coin.approve(dvp, 10 * PRICE, sender=buyer)
    dvp.accept(instruction, sender=buyer)
    with ape.reverts(dvp.SettlementNotOpen, id=id_, status=S.NONE):
        dvp.cancel(instruction, sender=seller)


def test_refuse__by_buyer__lock_returns_and_accept_no_longer_possible(
    dvp, coin, token, seller, buyer, open_instruction
):
    instruction, id_, _ = open_instruction
    dvp.refuse(instruction, sender=buyer)
    assert dvp.statusOf(id_) == S.NONE
    assert token.lockedOf(dvp, seller) == 0
    coin.approve(dvp, 10 * PRICE, sender=buyer)
    with ape.reverts(dvp.SettlementNotOpen, id=id_, status=S.NONE):
        dvp.accept(instruction, sender=buyer)


def test_refuse__by_seller__reverts(dvp, seller, buyer, open_instruction):
    instruction, id_, _ = open_instruction
    with ape.reverts(
        dvp.SettlementWrongCaller, id=id_, caller=seller.address, expected=buyer.address
    ):
        dvp.refuse(instruction, sender=seller)


def test_expiry__accept_at_expiry_ok_after_refused_and_anyone_releases(
    dvp, coin, token, seller, buyer, outsider, open_instruction, chain
):
    instruction, id_, _ = open_instruction
    expiry = instruction[5]
    with ape.reverts(dvp.SettlementNotExpired, id=id_, expiry=expiry):
        dvp.release(instruction, sender=outsider)
    chain.pending_timestamp = expiry + 1
    coin.approve(dvp, 10 * PRICE, sender=buyer)
    with ape.reverts(dvp.SettlementExpired, id=id_, expiry=expiry):
        dvp.accept(instruction, sender=buyer)
    receipt = dvp.release(instruction, sender=outsider)
    assert dvp.statusOf(id_) == S.NONE
    assert token.lockedOf(dvp, seller) == 0
    assert token.freeBalanceOf(seller) == UNITS_START
    [closed] = receipt.events.filter(dvp.Closed)
    assert (closed.status, closed.by, closed.returned) == (S.EXPIRED, outsider.address, 10)


def test_expiry__accept_in_the_expiry_second__settles(
    dvp, coin, token, buyer, open_instruction, chain
):
    instruction, _, _ = open_instruction
    coin.approve(dvp, 10 * PRICE, sender=buyer)
    chain.pending_timestamp = instruction[5]
    dvp.accept(instruction, sender=buyer)
    assert token.balanceOf(buyer) == 10


def test_holdings__always_the_sum_of_open_instructions(
    dvp, coin, token, seller, buyer, carol, instruct
):
    """Open several, settle one, cancel one, refuse one: the lock equals what is still open."""
    open_ = {}
    for salt, (to, qty) in enumerate(((buyer, 5), (carol, 7), (buyer, 11), (carol, 13)), start=1):
        instruction, id_, _ = instruct(token, seller, to, qty, qty * PRICE, salt=salt)
        open_[id_] = instruction
    assert token.lockedOf(dvp, seller) == sum(i[3] for i in open_.values())
    ids = list(open_)
    coin.approve(dvp, 5 * PRICE, sender=buyer)
    dvp.accept(open_.pop(ids[0]), sender=buyer)
    assert token.lockedOf(dvp, seller) == sum(i[3] for i in open_.values())
    dvp.cancel(open_.pop(ids[1]), sender=seller)
    assert token.lockedOf(dvp, seller) == sum(i[3] for i in open_.values())
    dvp.refuse(open_.pop(ids[2]), sender=buyer)
    assert token.lockedOf(dvp, seller) == sum(i[3] for i in open_.values()) == 13
    assert coin.balanceOf(dvp) == 0
