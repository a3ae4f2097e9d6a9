"""The issue limit (issue 15's total issue amount, enforced by the token itself): it counts every
unit ever issued, not the current supply; the admin cannot set it below what is already issued."""

import ape
from eth_utils import keccak, to_checksum_address


def test_issue_limit__counts_every_unit_ever_issued(token, issuer, agent, alice, bob):
    assert (token.issueLimit(), token.totalIssued()) == (0, 0)
    receipt = token.setIssueLimit(150, sender=issuer)
    assert receipt.events.filter(token.IssueLimitSet)[0].limit == 150
    token.issue(alice, 100, b"", sender=agent)
    with ape.reverts(token.TokenIssueLimitExceeded, limit=150, wouldBe=160):
        token.issue(bob, 60, b"", sender=agent)
    with ape.reverts(token.TokenIssueLimitExceeded):
        token.batchIssue([bob, bob], [30, 30], b"", sender=agent)  # all or nothing
    assert (token.balanceOf(bob), token.totalIssued()) == (0, 100)
    token.issue(bob, 50, b"", sender=agent)
    token.redeem(bob, 50, b"", sender=agent)
    # Redeemed units do not make room: the limit is the total issue amount.
    with ape.reverts(token.TokenIssueLimitExceeded, limit=150, wouldBe=151):
        token.issue(bob, 1, b"", sender=agent)
    assert (token.totalSupply(), token.totalIssued()) == (100, 150)


def test_set_issue_limit__not_below_issued__admin_only__zero_lifts(token, issuer, agent, alice):
    token.issue(alice, 100, b"", sender=agent)
    with ape.reverts(token.TokenIssueLimitBelowIssued, limit=99, issued=100):
        token.setIssueLimit(99, sender=issuer)
    with ape.reverts(token.AccessControlUnauthorizedAccount):
        token.setIssueLimit(1_000, sender=agent)
    token.setIssueLimit(100, sender=issuer)
    with ape.reverts(token.TokenIssueLimitExceeded):
        token.issue(alice, 1, b"", sender=agent)
    token.setIssueLimit(0, sender=issuer)
    token.issue(alice, 1, b"", sender=agent)
    assert (token.issueLimit(), token.totalIssued()) == (0, 101)


def test_extension__called_directly__reaches_no_token_state(
    project, token, issuer, agent, alice, outsider
):
    """The extension runs on its token's storage only through the token (DELEGATECALL after the
    token's role check); called at its own address it works on its own empty storage."""
    token.issue(alice, 10, b"", sender=agent)
    token.setIssueLimit(10, sender=issuer)
    # The extension is the one contract the token created (CREATE with the token's nonce 1):
    # keccak(rlp([token, 1])) = keccak(0xd6 0x94 <token> 0x01).
    created = keccak(b"\xd6\x94" + bytes.fromhex(token.address[2:]) + b"\x01")[12:]
    extension = project.TokenExtension.at(to_checksum_address(created))
    assert (extension.issueLimit(), extension.totalIssued()) == (0, 0)
    extension.setIssueLimit(5, sender=outsider)  # its own storage: harmless
    assert (extension.issueLimit(), token.issueLimit(), token.totalIssued()) == (5, 10, 10)
