"""The console's formatting and words without a browser: JST dates, separators, the KYC
warning window, labels in both languages, the SVG chart."""

from __future__ import annotations

from kabuto.console.chart import supply_chart
from kabuto.console.formatting import jst_day, jst_time, kyc_state, number, record_day, yen
from kabuto.console.i18n import LABELS, Words, language
from kabuto.domain import end_of_day_jst
from kabuto.onchain_types import Kind
from kabuto.register import table_columns

DAY = 86_400


def test_amounts_have_thousands_separators_and_times_are_jst():
    assert number(12_345_678) == "12,345,678" and yen(1_000_000) == "¥1,000,000"
    assert (
        jst_day(1_800_000_000 - 9 * 3600) == "2027-01-15"
    )  # 00:00 JST is 15:00 UTC the day before
    assert jst_time(1_800_000_000 - 9 * 3600).endswith("JST")
    cutoff = end_of_day_jst(__import__("datetime").date(2027, 6, 30))
    assert record_day(cutoff).isoformat() == "2027-06-30"


def test_kyc_is_highlighted_within_30_days_and_marked_when_past():
    now = 1_800_000_000
    assert kyc_state(now + 31 * DAY, now) == "ok"
    assert kyc_state(now + 30 * DAY, now) == "soon"
    assert kyc_state(now + 1, now) == "soon"
    assert kyc_state(now, now) == "past"


def test_japanese_register_labels_are_the_register_columns():
    ja = Words("ja")
    for kind, key in ((Kind.BOND, "holder_name_bond"), (Kind.BENEFICIARY, "holder_name_trust")):
        columns = table_columns(kind)
        assert ja(key) in columns
        for word in ("address", "investor_id", "wallet", "acquired_on", "units", "units_total"):
            assert ja(word) in columns
    assert all(ja_text and en_text for ja_text, en_text in LABELS.values())
    assert language("en") == "en" and language("fr") == "ja" and language(None) == "ja"


def test_the_chart_is_svg_with_an_accessible_name():
    svg = supply_chart([(1_800_000_000, 100, 3), (1_800_086_400, 120, 4)], "en")
    assert svg.startswith("<svg") and 'role="img"' in svg and "supply 120 / holders 4" in svg
    assert supply_chart([], "ja") == ""
