"""Issue 19: the one-slot application record (the fields' hash + status; the fields in the
TransferApplied event and in every decision's calldata) and the agent's batch approval.

The batch settles or refuses each application exactly as the single call would (state and events
compared on snapshots), an altered field or a second approval is refused, an application filed
before a recovery settles from the new wallet, an expired one cannot be approved."""

import ape
import pytest
from fixtures.platform import investor_id_for

from kabuto.onchain_types import ApplicationStatus, Category, InvestorClass, Rules, class_mask
from kabuto.ops.approvals import applied, fields_hash

RULES = Rules(
    allowed_classes=class_mask(InvestorClass.GENERAL, InvestorClass.SPECIFIED),
    holder_cap=10,
    approval_required=True,
)


@pytest.fixture
def approvals(make_token, investors, agent, alice, bob, carol, dave):
    """An approval-required bond; alice and bob hold; four pending applications: two to new
    holders, one to a holder, one to the applicant itself."""
    token = make_token(category=Category.CLASS1, rules=RULES)
    token.batchIssue([alice, bob], [100, 50], b"", sender=agent)
    apps = [
        applied(token, token.applyForTransfer(to, value, b"note", sender=sender)).fields
        for sender, to, value in (
            (alice, carol, 10),
            (bob, dave, 5),
            (alice, bob, 7),
            (alice, alice, 3),
        )
    ]
    return token, apps


def _state(token, wallets, count):
    return (
        [
            (
                token.balanceOf(w),
                token.freeBalanceOf(w),
                token.pendingOf(w),
            )
            for w in wallets
        ],
        token.holderCount(),
        token.totalSupply(),
        [
            (token.application(i).status, bytes(token.application(i).fieldsHash))
            for i in range(count)
        ],
    )


def _events(receipts):
    return [(log.event_name, dict(log.event_arguments)) for r in receipts for log in r.events]


def _revert(call):
    """The revert a call ends in (its message and the decoded error's arguments)."""
    with pytest.raises(ape.exceptions.ContractLogicError) as caught:
        call()
    return (type(caught.value).__name__, str(caught.value))


def test_batch__settles_each_application_as_the_single_calls_would(
    approvals, chain, agent, alice, bob, carol, dave
):
    token, apps = approvals
    wallets = (alice, bob, carol, dave)
    snapshot = chain.snapshot()
    singles = [token.approveTransfer(app, b"ok", sender=agent) for app in apps]
    after_singles = _state(token, wallets, len(apps))
    chain.restore(snapshot)
    batch = token.batchApproveTransfer(apps, b"ok", sender=agent)
    assert _state(token, wallets, len(apps)) == after_singles
    assert _events([batch]) == _events(singles)
    # every record approved (cleared: the refund pays a part of the approval), amounts moved
    assert [token.application(i).status for i in range(4)] == [ApplicationStatus.APPROVED] * 4
    assert [token.balanceOf(w) for w in wallets] == [83, 52, 10, 5]
    assert token.pendingOf(alice) == 0 and token.holderCount() == 4


def test_batch__refuses_exactly_as_the_single_call__nothing_changes(
    approvals, chain, registry, registrar, agent, alice, bob, carol, dave
):
    token, apps = approvals
    wallets = (alice, bob, carol, dave)
    before = _state(token, wallets, len(apps))
    # dave is suspended after bob applied: the single approval and the batch refuse alike.
    registry.setInvestorStatus(investor_id_for(dave), 2, sender=registrar)
    single = _revert(lambda: token.approveTransfer(apps[1], b"", sender=agent))
    assert single[0] == "TransferRestricted" and "code=6" in single[1]
    assert _revert(lambda: token.batchApproveTransfer(apps, b"", sender=agent)) == single
    assert _state(token, wallets, len(apps)) == before
    registry.setInvestorStatus(investor_id_for(dave), 1, sender=registrar)
    # an altered field and a second approval of the same application, singly and in a batch
    altered = (apps[0][0], apps[0][1], dave, *apps[0][3:])
    single = _revert(lambda: token.approveTransfer(altered, b"", sender=agent))
    assert single[0] == "TokenApplicationMismatch"
    assert (
        _revert(lambda: token.batchApproveTransfer([apps[1], altered], b"", sender=agent)) == single
    )
    twice = _revert(lambda: token.batchApproveTransfer([apps[0], apps[0]], b"", sender=agent))
    token.approveTransfer(apps[0], b"", sender=agent)
    assert _revert(lambda: token.approveTransfer(apps[0], b"", sender=agent)) == twice
    assert twice[0] == "TokenApplicationNotPending"


def test_tampered_fields__every_decision_refuses_them(approvals, agent, alice, bob, carol, dave):
    token, apps = approvals
    app_id, applicant, to, expiry, value = apps[0]
    tampered = [
        (app_id, bob, to, expiry, value),  # another applicant
        (app_id, applicant, dave, expiry, value),  # another recipient
        (app_id, applicant, to, expiry, value + 1),  # more units
        (app_id, applicant, to, expiry, value - 1),  # fewer units
        (app_id, applicant, to, expiry + 1, value),  # a later expiry
        (apps[1][0], applicant, to, expiry, value),  # these fields under another id
    ]
    for fields in tampered:
        with ape.reverts(token.TokenApplicationMismatch):
            token.approveTransfer(fields, b"", sender=agent)
        with ape.reverts(token.TokenApplicationMismatch):
            token.rejectTransfer(fields, b"", sender=agent)
    with ape.reverts(token.TokenApplicationMismatch):
        token.cancelTransfer(tampered[2], b"", sender=alice)
    with ape.reverts(token.TokenApplicationMismatch):
        token.releaseExpiredTransfer(tampered[2], sender=alice)
    with ape.reverts(token.TokenUnknownApplication):
        token.approveTransfer((99, applicant, to, expiry, value), b"", sender=agent)
    # the record is the fields' hash with the status in the low bits
    status, stored = token.application(app_id).status, token.application(app_id).fieldsHash
    assert status == ApplicationStatus.PENDING
    assert bytes(stored) == fields_hash(applicant, to, value, expiry)
    token.rejectTransfer(apps[0], b"no", sender=agent)
    assert token.application(app_id).status == ApplicationStatus.REJECTED
    assert bytes(token.application(app_id).fieldsHash) == bytes(stored)
    with ape.reverts(token.TokenApplicationNotPending):
        token.approveTransfer(apps[0], b"", sender=agent)


def test_recovered_applicant__batch_settles_from_the_new_wallet__only_it_cancels(
    approvals, registry, registrar, agent, alice, bob, carol, accounts
):
    token, apps = approvals
    new_wallet = accounts.generate_test_account()
    alice.transfer(new_wallet, 10**17)
    registry.replaceWallet(investor_id_for(alice), new_wallet, sender=registrar)
    token.recoveryAddress(alice, new_wallet, sender=agent)
    assert token.pendingOf(new_wallet) == 20
    # the application keeps its fields (applicant: the lost wallet); naming the new wallet is
    # an altered field
    moved = (apps[0][0], new_wallet.address, *apps[0][2:])
    with ape.reverts(token.TokenApplicationMismatch):
        token.approveTransfer(moved, b"", sender=agent)
    with ape.reverts(token.TokenNotApplicant):
        token.cancelTransfer(apps[3], b"", sender=alice)
    token.cancelTransfer(apps[3], b"", sender=new_wallet)
    receipt = token.batchApproveTransfer([apps[0], apps[2]], b"", sender=agent)
    moves = [(t["from"], t.to, t.value) for t in receipt.events.filter(token.Transfer)]
    assert moves == [(new_wallet.address, carol, 10), (new_wallet.address, bob, 7)]
    assert [e["from"] for e in receipt.events.filter(token.TransferApproved)] == [alice, alice]
    assert (token.balanceOf(new_wallet), token.pendingOf(new_wallet)) == (83, 0)


def test_expired__batch_refuses_it__anyone_releases_it(
    make_token, investors, chain, issuer, agent, alice, carol, outsider
):
    token = make_token(category=Category.CLASS1, rules=RULES)
    token.issue(alice, 100, b"", sender=agent)
    token.setApplicationExpiryPeriod(60, sender=issuer)
    app = applied(token, token.applyForTransfer(carol, 10, b"", sender=alice))
    assert app.expiry > 0
    chain.pending_timestamp = app.expiry + 1
    with ape.reverts(token.TokenApplicationExpired):
        token.batchApproveTransfer([app.fields], b"", sender=agent)
    token.releaseExpiredTransfer(app.fields, sender=outsider)
    assert token.application(app.id).status == ApplicationStatus.EXPIRED
    assert token.pendingOf(alice) == 0
