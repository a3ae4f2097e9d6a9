"""Gas of the coin's hot paths, printed by the test run (the cash leg of a DvP settlement)."""

import pytest

from kabuto.signing import TransferWithAuthorization, random_nonce

# Regression ceilings, a little above what was measured (plain OZ ERC-20: 34,453 to an existing
# holder). The coin adds one config slot and one flags slot per party (3 cold SLOADs).
TRANSFER_CEILING = 43_000
TRANSFER_FROM_CEILING = 52_000


@pytest.fixture
def report(capsys):
    def _report(label: str, gas: int) -> None:
        with capsys.disabled():
            print(f"\n[gas] yen coin {label}: {gas:,}")

    return _report


def test_gas__transfer_between_existing_holders(coin, project, alice, bob, report):
    receipt = coin.transfer(bob, 1_000, sender=alice)
    plain = project.PlainERC20.deploy("Plain", "PLN", 10_000, sender=alice)
    plain.transfer(bob, 1, sender=alice)
    floor = plain.transfer(bob, 1_000, sender=alice).gas_used
    report("transfer, both already hold (open mode)", receipt.gas_used)
    ratio = receipt.gas_used / floor
    report(
        f"transfer, extra over plain OZ ERC-20 ({floor:,}, x{ratio:.2f})", receipt.gas_used - floor
    )
    assert receipt.gas_used < TRANSFER_CEILING


def test_gas__transfer_from_between_existing_holders(coin, alice, bob, outsider, report):
    coin.approve(outsider, 10_000, sender=alice)
    receipt = coin.transferFrom(alice, bob, 1_000, sender=outsider)
    report("transferFrom by a spender (e.g. the settlement contract)", receipt.gas_used)
    assert receipt.gas_used < TRANSFER_FROM_CEILING


def test_gas__transfer_in_eligibility_mode(coin, registry, admin, alice, bob, report):
    registry.setEligible(alice, True, sender=admin)
    registry.setEligible(bob, True, sender=admin)
    coin.setEligibilityRequired(True, sender=admin)
    receipt = coin.transfer(bob, 1_000, sender=alice)
    report("transfer, eligibility mode (test registry, 2 isEligible calls)", receipt.gas_used)
    assert receipt.gas_used < TRANSFER_CEILING + 12_000


def test_gas__transfer_with_authorization(coin, chain, sign, alice, bob, outsider, report):
    auth = TransferWithAuthorization(
        alice.address, bob.address, 1_000, 0, chain.pending_timestamp + 3600, random_nonce()
    )
    sig = sign(alice, auth)
    receipt = coin.transferWithAuthorization(
        *auth.call_args(), sig.v, sig.r, sig.s, sender=outsider
    )
    report("transferWithAuthorization (relayed)", receipt.gas_used)
    assert receipt.gas_used < TRANSFER_CEILING + 37_000  # + calldata, ecrecover, new nonce slot
