"""kabuto.settlement: the per-trade reference netting and the batch arguments (no chain)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kabuto.settlement import (
    MAX_AMOUNT,
    Execution,
    SettlementInputError,
    batch_id,
    build_batch,
    net_yen,
)

WALLETS = ["0x" + f"{i:02x}" * 20 for i in (0x11, 0x22, 0x33, 0x44, 0xAB)]
TOKENS = ["0x" + f"{i:02x}" * 20 for i in (0xC1, 0xC2)]


def test_net_yen__two_trades_between_two_wallets__nets_to_the_difference():
    first = Execution(WALLETS[0], WALLETS[1], TOKENS[0], 1, 100_000)
    back = Execution(WALLETS[1], WALLETS[0], TOKENS[1], 2, 30_000)
    assert net_yen([first, back]) == {first.seller: 70_000, first.buyer: -70_000}


def test_build_batch__participants_ascending_tokens_first_seen_trades_in_order():
    e = [
        Execution(WALLETS[4], WALLETS[0], TOKENS[1], 5, 500),
        Execution(WALLETS[1], WALLETS[4], TOKENS[0], 1, 100),
    ]
    batch = build_batch(e)
    assert [int(p, 16) for p in batch.participants] == sorted(
        int(p, 16) for p in batch.participants
    )
    assert len(batch.participants) == 3
    assert batch.tokens == (e[0].token, e[1].token)
    p = {w: i for i, w in enumerate(batch.participants)}
    assert batch.trades == (
        (p[e[0].seller], p[e[0].buyer], 0, 5, 500),
        (p[e[1].seller], p[e[1].buyer], 1, 1, 100),
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"buyer": WALLETS[0]}, "same wallet"),
        ({"quantity": 0}, "quantity 0"),
        ({"amount": 0}, "yen amount 0"),
        ({"amount": MAX_AMOUNT + 1}, "yen amount"),
        ({"seller": "0x1234"}, "seller '0x1234' is not"),
    ],
)
def test_execution__invalid_field__names_the_trade_and_the_field(kwargs, message):
    fields = {
        "seller": WALLETS[0],
        "buyer": WALLETS[1],
        "token": TOKENS[0],
        "quantity": 1,
        "amount": 1,
        "index": 7,
    }
    fields.update(kwargs)
    with pytest.raises(SettlementInputError, match=f"trade 7: .*{message}"):
        Execution(**fields)


def test_build_batch__empty__refused():
    with pytest.raises(SettlementInputError, match="at least one trade"):
        build_batch([])


def test_batch_id__is_keccak_of_the_reference_and_distinct_per_reference():
    assert batch_id("START-1") != batch_id("START-2")
    assert len(batch_id("START-1")) == 32


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(WALLETS), st.sampled_from(WALLETS), st.integers(1, 10**9)),
        min_size=1,
    )
)
def test_net_yen__sums_to_zero_and_matches_the_indexed_batch(raw):
    execs = [Execution(s, b, TOKENS[0], 1, amt) for s, b, amt in raw if s != b]
    if not execs:
        return
    net = net_yen(execs)
    assert sum(net.values()) == 0
    batch = build_batch(execs)
    indexed = [0] * len(batch.participants)
    for seller, buyer, _, _, amount in batch.trades:
        indexed[seller] += amount
        indexed[buyer] -= amount
    assert dict(zip(batch.participants, indexed, strict=True)) == net
