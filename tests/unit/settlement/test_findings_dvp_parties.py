"""Issue 14, points 4, 7 and 8: a recovered seller's instruction can be closed back to its new
wallet without the agent (the old key cannot); an issuer agent cannot approve an instruction
to a buyer the token would refuse; only a token can open an instruction."""

from ape.exceptions import ContractLogicError
from eth_abi import encode

from kabuto.ops.accounts import test_account as account_at

DAY = 86_400


def test_recovered_seller__new_wallet_cancels__lock_returns_to_it(
    token, instruct, dvp, registry, admin, agent, seller, buyer, accounts
):
    fresh = account_at(15)
    instruction, _, _ = instruct(token, seller, buyer, 10, 1_000)
    registry.replaceWallet(registry.investorIdOf(seller), fresh, sender=admin)
    token.recoveryAddress(seller, fresh, sender=agent)
    assert token.lockedOf(dvp, fresh) == 10
    try:
        dvp.cancel(instruction, sender=seller)  # the lost key
        lost_key_cancelled = True
    except ContractLogicError:
        lost_key_cancelled = False
    assert not lost_key_cancelled
    dvp.cancel(instruction, sender=fresh)
    assert token.lockedOf(dvp, fresh) == 0
    assert token.freeBalanceOf(fresh) == token.balanceOf(fresh)


def test_issuer_approve__suspended_buyer__refused_at_once(
    deploy_token, instruct, dvp, registry, admin, agent, seller, buyer
):
    from kabuto.onchain_types import Category, Rules

    token = deploy_token(Category.EXCLUDED_CLASS2, Rules(allowed_classes=0b1110, approval_required=True))
    instruction, _, _ = instruct(token, seller, buyer, 10, 1_000)
    registry.setInvestorStatus(registry.investorIdOf(buyer), 2, sender=admin)  # Suspended
    try:
        dvp.approve(instruction, sender=agent)
        approved = True
    except ContractLogicError:
        approved = False
    assert not approved


def test_on_tokens_locked__called_by_a_stranger__no_instruction(dvp, chain, outsider, seller, buyer):
    data = encode(
        ["address", "uint256", "uint40", "bytes32"],
        [buyer.address, 1_000, chain.pending_timestamp + DAY, b"\x01" * 32],
    )
    try:
        receipt = dvp.onTokensLocked(seller, 10, data, sender=outsider)
        events = len(receipt.events.filter(dvp.Instructed))
    except ContractLogicError:
        events = 0
    assert events == 0
