"""Finding of the property test (tests/property): the DvP contract's holdings on a token are meant
to be exactly the locks of its open instructions ("no lock without an instruction",
docs/settlement.md), but an issuer agent's forceLock to the DvP contract is accepted without any
instruction: ILockReceiver.onTokensLocked is called by lock() only. The forced units then sit in
the seller's pool at the DvP contract, where an instruction's close or acceptance can draw on them.
Fixed: forceLock tells a contract lock address like lock() does, and the DvP contract refuses
units that no instruction owns."""

import ape


def test_force_lock__to_the_settlement_contract__is_refused(token, dvp, agent, seller):
    before = token.lockedOf(dvp, seller)
    with ape.reverts():
        token.forceLock(dvp, seller, 5, b"", sender=agent)
    assert token.lockedOf(dvp, seller) == before
