"""The lots the indexer keeps in the holdings as transfers arrive are the lots kabuto.lots
builds by replaying every transfer (the register at the head reads the kept ones): for any
sequence of issues, transfers, redemptions, same-block transfers and moves between the two
wallets of one investor (recovery keeps the dates), and for a holding whose lots are unknown
(indexed before lots were kept) the register falls back to the replay."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kabuto.lots import ZERO_ADDRESS, Lot, TransferEvent, build_lots
from kabuto.service.indexer.projections import State

TOKEN = "0x" + "ab" * 20
WALLETS = ["0x" + f"{n + 1:040x}" for n in range(5)]
REPLACED = (WALLETS[0], WALLETS[1])  # WALLETS[1] replaced WALLETS[0] (one investor)


def _state() -> State:
    state = State()
    state.tokens.put(
        {"address": TOKEN, "kind": "bond", "total_supply": 0, "holders": 0, "symbol": "B"}
    )
    state.wallets.put({"address": REPLACED[0], "replaced_by": REPLACED[1]})
    state.wallets.put({"address": REPLACED[1], "replaced_by": None})
    return state


# (sender index or None for an issue, recipient index or None for a redemption, fraction of
# the sender's units, block step)
MOVES = st.lists(
    st.tuples(
        st.one_of(st.none(), st.integers(0, 4)),
        st.one_of(st.none(), st.integers(0, 4)),
        st.integers(1, 10),
        st.integers(0, 2),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(MOVES)
def test_kept_lots_equal_the_replay_of_every_transfer(moves):
    state = _state()
    balances = dict.fromkeys(WALLETS, 0)
    events: list[TransferEvent] = []
    block = 1
    for n, (sender, recipient, tenth, step) in enumerate(moves):
        block += step
        a = WALLETS[sender] if sender is not None else ZERO_ADDRESS
        b = WALLETS[recipient] if recipient is not None else ZERO_ADDRESS
        if a == ZERO_ADDRESS:
            value = tenth * 7
        else:
            value = balances[a] * tenth // 10
        if a == b == ZERO_ADDRESS:
            continue
        if a != ZERO_ADDRESS:
            balances[a] -= value
        if b != ZERO_ADDRESS:
            balances[b] += value
        stamp = 1_000 + block * 12
        events.append(TransferEvent(block, stamp, a, b, value))
        state.transfer(TOKEN, block, n, stamp, a, b, value)
    replayed = build_lots(events, same_investor=lambda x, y: {x, y} == set(REPLACED))
    kept = {
        wallet: [Lot(t, u) for t, u in row["lots"]]
        for (_, wallet), row in state.holdings.rows.items()
        if row["units"]
    }
    assert kept == replayed
    assert all(
        sum(u for _, u in row["lots"]) == row["units"] for row in state.holdings.rows.values()
    )


def test_a_holding_without_kept_lots_stays_unknown_until_it_is_emptied():
    state = _state()
    state.holdings.rows[(TOKEN, WALLETS[2])] = {
        "token": TOKEN,
        "wallet": WALLETS[2],
        "units": 10,
        "frozen": False,
        "updated_block": 1,
        "lots": None,  # indexed before lots were kept
    }
    state.transfer(TOKEN, 2, 0, 2_000, WALLETS[2], WALLETS[3], 4)
    assert state.holdings.rows[(TOKEN, WALLETS[2])]["lots"] is None
    assert state.holdings.rows[(TOKEN, WALLETS[3])]["lots"] == [[2_000, 4]]
    state.transfer(TOKEN, 3, 0, 3_000, WALLETS[2], ZERO_ADDRESS, 6)
    state.transfer(TOKEN, 4, 0, 4_000, ZERO_ADDRESS, WALLETS[2], 5)
    assert state.holdings.rows[(TOKEN, WALLETS[2])]["lots"] == [[4_000, 5]]
