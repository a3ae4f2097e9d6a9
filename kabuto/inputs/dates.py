"""Calendar dates as spreadsheets write them: 2027-03-31 or 2027/03/31 (Japanese Excel)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BeforeValidator

_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")


def parse_date(value: object) -> date:
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _DATE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a date: write YYYY-MM-DD, e.g. 2027-03-31")
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real calendar date ({exc})") from exc


InputDate = Annotated[date, BeforeValidator(parse_date)]
