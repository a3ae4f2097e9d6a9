"""Moving a local chain's clock to a business date (the examples are dated 2027-2028)."""

from __future__ import annotations

from datetime import date

from ape import chain
from ape.exceptions import APINotImplementedError

from kabuto.coupons import jst_midnight
from kabuto.domain import jst_date
from kabuto.errors import ChainStateError
from kabuto.ops.accounts import is_local_network

BUSINESS_HOUR = 10 * 3600  # 10:00 JST: a business day's first action


def travel_to(day: date, seconds_into_day: int = BUSINESS_HOUR) -> None:
    """Mines a block at `day` (JST) on a local network; the clock never goes back.

    Raises:
        ChainStateError: not a local network (a real chain keeps its own time).
    """
    if not is_local_network():
        raise ChainStateError(
            f"only a local chain's clock can be moved; on this network wait until {day}"
        )
    timestamp = jst_midnight(day) + seconds_into_day
    if timestamp > chain.pending_timestamp:
        try:
            chain.mine(timestamp=timestamp)
        except APINotImplementedError:  # Ape's generic node provider (privnet): ask anvil directly
            chain.provider.make_request("evm_setTime", [timestamp])
            chain.provider.make_request("evm_mine", [])


def today() -> date:
    return jst_date(chain.pending_timestamp)
