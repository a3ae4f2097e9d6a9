"""kabuto.allotment: the off-chain pro-rata allotment and the on-chain caps it must respect."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kabuto.allotment import AllotmentError, Application, check_allotment, pro_rata


def _apps(*units: int) -> list[Application]:
    return [Application(bytes([i + 1]) * 32, u) for i, u in enumerate(units)]


def test_pro_rata__even_book__largest_remainder_to_earlier_applications():
    apps = _apps(5, 5, 5, 5)
    assert list(pro_rata(apps, offered=10, min_units=2).values()) == [3, 3, 2, 2]


def test_pro_rata__under_subscribed__allotted_in_full():
    apps = _apps(2, 1)
    assert pro_rata(apps, offered=10, min_units=1) == {a.investor_id: a.units for a in apps}


def test_pro_rata__share_below_minimum__dropped_and_shared_again():
    """Kenedix-style minimum of 2: a 2-unit application would get 1 unit pro rata, so it gets none
    and the 8 units go to the others (capped at what they applied for)."""
    apps = _apps(2, 6, 6)
    allotments = pro_rata(apps, offered=8, min_units=2)
    assert apps[0].investor_id not in allotments
    assert sorted(allotments.values()) == [4, 4]


def test_pro_rata__duplicate_or_below_minimum_application__refused():
    a = Application(b"\x01" * 32, 3)
    with pytest.raises(AllotmentError, match="applies twice"):
        pro_rata([a, a], offered=2, min_units=1)
    with pytest.raises(AllotmentError, match="below the minimum"):
        pro_rata(_apps(1), offered=2, min_units=2)


def test_check_allotment__names_every_broken_cap():
    applied = {b"\x01" * 32: 5, b"\x02" * 32: 5}
    with pytest.raises(AllotmentError) as err:
        check_allotment(
            {b"\x01" * 32: 6, b"\x02" * 32: 1, b"\x03" * 32: 2}, applied, offered=5, min_units=2
        )
    message = str(err.value)
    assert "6 units allotted but 5 applied for" in message
    assert "below the minimum subscription of 2" in message
    assert "did not apply" in message
    assert "9 units allotted in total but only 5 offered" in message


@settings(max_examples=200, deadline=None)
@given(
    units=st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=12),
    offered=st.integers(min_value=1, max_value=200),
    min_units=st.integers(min_value=1, max_value=5),
)
def test_pro_rata__always_within_the_contract_caps(units, offered, min_units):
    apps = _apps(*(max(u, min_units) for u in units))
    allotments = pro_rata(apps, offered, min_units)
    check_allotment(allotments, {a.investor_id: a.units for a in apps}, offered, min_units)
    if min_units == 1:  # nothing is dropped: the whole offer (or the whole book) is allotted
        assert sum(allotments.values()) == min(offered, sum(a.units for a in apps))
