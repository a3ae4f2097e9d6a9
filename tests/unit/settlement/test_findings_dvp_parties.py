"""Issue 14, points 4, 7 and 8 (each test failed on 16b48fb): a recovered seller's instruction
closes back to its new wallet without the agent (the lost key can do nothing); an issuer agent
cannot approve an instruction to a buyer the token refuses; only a platform token can open an
instruction."""

import ape
from eth_abi import encode
from fixtures.platform import refusal

from kabuto.onchain_types import Category, Restriction, Rules
from kabuto.ops.accounts import test_account as account_at

DAY = 86_400


def _fresh(admin, index):
    """A new wallet of the test mnemonic, with ether for its transactions."""
    wallet = account_at(index)
    admin.transfer(wallet, 10**18)
    return wallet


def _recover(registry, token, admin, agent, lost, fresh):
    registry.replaceWallet(registry.investorIdOf(lost), fresh, sender=admin)
    token.recoveryAddress(lost, fresh, sender=agent)


def test_recovered_seller__new_wallet_cancels__lock_returns_to_it(
    token, instruct, dvp, registry, admin, agent, seller, buyer
):
    fresh = _fresh(admin, 15)
    instruction, instruction_id, _ = instruct(token, seller, buyer, 10, 1_000)
    _recover(registry, token, admin, agent, seller, fresh)
    assert token.lockedOf(dvp, fresh) == 10
    with ape.reverts(dvp.SettlementWrongCaller):  # the lost key
        dvp.cancel(instruction, sender=seller)
    receipt = dvp.cancel(instruction, sender=fresh)
    assert receipt.events.filter(dvp.Closed)[0].returned == 10
    assert token.lockedOf(dvp, fresh) == 0
    assert token.freeBalanceOf(fresh) == token.balanceOf(fresh)
    assert dvp.statusOf(instruction_id) == 0


def test_replaced_seller_not_yet_recovered__cancel_by_the_new_wallet_frees_the_old_lock(
    token, instruct, dvp, registry, admin, agent, seller, buyer
):
    """Between the registry's replacement and the token's recovery the lock is still the lost
    wallet's: closing returns it there, and the recovery then carries it to the new wallet."""
    fresh = _fresh(admin, 15)
    instruction, _, _ = instruct(token, seller, buyer, 10, 1_000)
    registry.replaceWallet(registry.investorIdOf(seller), fresh, sender=admin)
    with ape.reverts(dvp.SettlementWrongCaller):
        dvp.cancel(instruction, sender=seller)
    dvp.cancel(instruction, sender=fresh)
    assert token.lockedOf(dvp, seller) == 0
    token.recoveryAddress(seller, fresh, sender=agent)
    assert token.freeBalanceOf(fresh) == token.balanceOf(fresh) == 1_000


def test_recovered_seller__expiry_release_and_buyer_refusal_return_to_the_new_wallet(
    token, instruct, dvp, registry, admin, agent, seller, buyer, outsider, chain
):
    fresh = _fresh(admin, 15)
    first, _, _ = instruct(token, seller, buyer, 10, 1_000, salt=1)
    second, _, _ = instruct(token, seller, buyer, 5, 500, salt=2)
    _recover(registry, token, admin, agent, seller, fresh)
    dvp.refuse(second, sender=buyer)
    assert token.lockedOf(dvp, fresh) == 10
    chain.mine(timestamp=first[5] + 1)
    dvp.release(first, sender=outsider)
    assert token.lockedOf(dvp, fresh) == 0
    assert token.freeBalanceOf(fresh) == token.balanceOf(fresh)


def test_replaced_buyer__lost_key_cannot_refuse__new_wallet_can(
    token, instruct, dvp, registry, admin, seller, buyer
):
    fresh = _fresh(admin, 16)
    instruction, _, _ = instruct(token, seller, buyer, 10, 1_000)
    registry.replaceWallet(registry.investorIdOf(buyer), fresh, sender=admin)
    with ape.reverts(dvp.SettlementWrongCaller):
        dvp.refuse(instruction, sender=buyer)
    dvp.refuse(instruction, sender=fresh)
    assert token.lockedOf(dvp, seller) == 0


def test_issuer_approve__suspended_buyer__refused_with_the_restriction_code(
    deploy_token, instruct, dvp, registry, admin, agent, seller, buyer
):
    token = deploy_token(
        Category.EXCLUDED_CLASS2, Rules(allowed_classes=0b1110, approval_required=True)
    )
    instruction, instruction_id, _ = instruct(token, seller, buyer, 10, 1_000)
    registry.setInvestorStatus(registry.investorIdOf(buyer), 2, sender=admin)  # Suspended
    with ape.reverts(
        dvp.SettlementBuyerRestricted,
        id=instruction_id,
        buyer=buyer.address,
        code=Restriction.RECIPIENT_NOT_ACTIVE,
    ):
        dvp.approve(instruction, sender=agent)
    registry.setInvestorStatus(registry.investorIdOf(buyer), 1, sender=admin)
    token.setAddressFrozen(buyer, True, sender=agent)
    with ape.reverts(
        dvp.SettlementBuyerRestricted,
        id=instruction_id,
        buyer=buyer.address,
        code=Restriction.RECIPIENT_FROZEN,
    ):
        dvp.approve(instruction, sender=agent)
    token.setAddressFrozen(buyer, False, sender=agent)
    dvp.approve(instruction, sender=agent)  # an eligible buyer: approved as before


def test_issuer_approve__unregistered_buyer__refused(
    deploy_token, dvp, agent, seller, unregistered, chain
):
    token = deploy_token(
        Category.EXCLUDED_CLASS2, Rules(allowed_classes=0b1110, approval_required=True)
    )
    expiry = chain.pending_timestamp + DAY
    data = encode(
        ["address", "uint256", "uint40", "bytes32"],
        [unregistered.address, 1_000, expiry, b"\x01" * 32],
    )
    token.lock(dvp, 10, data, sender=seller)
    instruction = (token, seller, unregistered, 10, 1_000, expiry, b"\x01" * 32)
    with ape.reverts(dvp.SettlementBuyerRestricted):
        dvp.approve(instruction, sender=agent)


def test_on_tokens_locked__called_by_a_stranger__refused(dvp, chain, outsider, seller, buyer):
    data = encode(
        ["address", "uint256", "uint40", "bytes32"],
        [buyer.address, 1_000, chain.pending_timestamp + DAY, b"\x01" * 32],
    )
    with ape.reverts(dvp.SettlementNotPlatformToken, token=outsider.address):
        dvp.onTokensLocked(seller, 10, data, sender=outsider)


def test_on_tokens_locked__a_foreign_token_contract__refused(
    project, dvp, coin, chain, outsider, seller, buyer
):
    fake = project.ForeignSecurityToken.deploy(outsider, coin, 1, sender=outsider)
    data = encode(
        ["address", "uint256", "uint40", "bytes32"],
        [buyer.address, 1_000, chain.pending_timestamp + DAY, b"\x01" * 32],
    )
    with ape.reverts(dvp.SettlementNotPlatformToken, token=fake.address):
        fake.fakeLock(dvp, seller, 10, data, sender=outsider)


# Issue 14, point 4, the acceptance: the instruction follows both parties' investors. Each test
# below failed on 373e66d (acceptance checked the named buyer and paid the named seller).


def test_replaced_buyer__new_wallet_accepts__pays_and_receives__lost_key_refused(
    token, instruct, dvp, coin, registry, admin, bank, seller, buyer
):
    fresh = _fresh(admin, 16)
    coin.mint(fresh, 5_000, sender=bank)
    coin.approve(dvp, 1_000, sender=fresh)
    coin.approve(dvp, 1_000, sender=buyer)  # the lost key's own standing allowance
    instruction, instruction_id, _ = instruct(token, seller, buyer, 10, 1_000)
    registry.replaceWallet(registry.investorIdOf(buyer), fresh, sender=admin)
    lost_yen = coin.balanceOf(buyer)
    # The lost key: the token will not deliver to a wallet the registry no longer knows.
    assert refusal(dvp, buyer, "accept", instruction) == Restriction.RECIPIENT_NOT_REGISTERED
    with ape.reverts(dvp.SettlementWrongCaller, expected=fresh.address):  # anyone else
        dvp.accept.call(instruction, sender=seller)
    seller_yen = coin.balanceOf(seller)
    receipt = dvp.accept(instruction, sender=fresh)
    assert receipt.events.filter(dvp.Settled)[0].buyer == fresh.address
    assert token.balanceOf(fresh) == 10 and token.balanceOf(buyer) == 0
    assert coin.balanceOf(fresh) == 4_000 and coin.balanceOf(buyer) == lost_yen
    assert coin.balanceOf(seller) == seller_yen + 1_000
    assert dvp.statusOf(instruction_id) == 0


def test_replaced_buyer__new_wallet_accepts_with_its_own_permit(
    token, instruct, dvp, coin, registry, admin, bank, seller, buyer, sign_permit, chain
):
    fresh = _fresh(admin, 16)
    coin.mint(fresh, 5_000, sender=bank)
    instruction, _, _ = instruct(token, seller, buyer, 10, 1_000)
    registry.replaceWallet(registry.investorIdOf(buyer), fresh, sender=admin)
    deadline = chain.pending_timestamp + DAY
    v, r, s = sign_permit(fresh, dvp, 1_000, deadline)
    dvp.acceptWithPermit(instruction, deadline, v, r, s, sender=fresh)
    assert token.balanceOf(fresh) == 10 and coin.balanceOf(fresh) == 4_000


def test_recovered_seller__buyer_accepts__yen_to_the_new_wallet_units_from_its_lock(
    token, instruct, dvp, coin, registry, admin, agent, seller, buyer
):
    fresh = _fresh(admin, 15)
    coin.approve(dvp, 1_000, sender=buyer)
    instruction, _, _ = instruct(token, seller, buyer, 10, 1_000)
    _recover(registry, token, admin, agent, seller, fresh)
    lost_yen, buyer_yen = coin.balanceOf(seller), coin.balanceOf(buyer)
    dvp.accept(instruction, sender=buyer)
    assert coin.balanceOf(fresh) == 1_000 and coin.balanceOf(seller) == lost_yen
    assert coin.balanceOf(buyer) == buyer_yen - 1_000
    assert token.balanceOf(buyer) == 10 and token.lockedOf(dvp, fresh) == 0
    assert token.balanceOf(fresh) == 990 and token.freeBalanceOf(fresh) == 990


def test_replaced_seller_not_yet_recovered__no_yen_reaches_the_lost_key(
    token, instruct, dvp, coin, registry, admin, agent, seller, buyer
):
    """Replaced in the registry, units still on the lost wallet: the lost key's yen never grows.
    The acceptance waits for the agent's recovery (the token will not deliver from a wallet the
    registry no longer knows), then settles to the new wallet."""
    fresh = _fresh(admin, 15)
    coin.approve(dvp, 1_000, sender=buyer)
    instruction, _, _ = instruct(token, seller, buyer, 10, 1_000)
    registry.replaceWallet(registry.investorIdOf(seller), fresh, sender=admin)
    lost_yen = coin.balanceOf(seller)
    with ape.reverts():
        dvp.accept.call(instruction, sender=buyer)
    token.recoveryAddress(seller, fresh, sender=agent)
    dvp.accept(instruction, sender=buyer)
    assert coin.balanceOf(fresh) == 1_000 and coin.balanceOf(seller) == lost_yen
    assert token.balanceOf(buyer) == 10


def test_issuer_approve__replaced_buyer__checks_the_new_wallet(
    deploy_token, instruct, dvp, coin, registry, admin, agent, bank, seller, buyer
):
    token = deploy_token(
        Category.EXCLUDED_CLASS2, Rules(allowed_classes=0b1110, approval_required=True)
    )
    fresh = _fresh(admin, 16)
    coin.mint(fresh, 5_000, sender=bank)
    coin.approve(dvp, 1_000, sender=fresh)
    instruction, instruction_id, _ = instruct(token, seller, buyer, 10, 1_000)
    registry.replaceWallet(registry.investorIdOf(buyer), fresh, sender=admin)
    dvp.approve(instruction, sender=agent)  # the investor's current wallet is eligible
    assert dvp.statusOf(instruction_id) == 2
    dvp.accept(instruction, sender=fresh)
    assert token.balanceOf(fresh) == 10
    registry.setInvestorStatus(registry.investorIdOf(fresh), 2, sender=admin)  # Suspended
    second, second_id, _ = instruct(token, seller, buyer, 5, 500, salt=2)
    with ape.reverts(
        dvp.SettlementBuyerRestricted,
        id=second_id,
        buyer=fresh.address,
        code=Restriction.RECIPIENT_NOT_ACTIVE,
    ):
        dvp.approve(second, sender=agent)
