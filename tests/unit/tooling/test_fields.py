import pytest

from kabuto.domain import coupon_rate_millionths, investor_id_from_bytes32, investor_id_to_bytes32
from kabuto.errors import InputError, InputIssue
from kabuto.inputs.fields import checksum_address, parse_country, parse_investor_class
from kabuto.onchain_types import InvestorClass

GOOD = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_checksum_address__accepts_only_eip55():
    assert checksum_address(f" {GOOD} ") == GOOD
    with pytest.raises(ValueError, match=f"no checksum.*{GOOD}"):
        checksum_address(GOOD.lower())
    with pytest.raises(ValueError, match="fails its EIP-55 checksum"):
        checksum_address(GOOD.replace("C5", "c5"))
    with pytest.raises(ValueError, match="40 hex digits"):
        checksum_address(GOOD[:-1])


def test_investor_class__names_aliases_and_suggestions():
    assert parse_investor_class("qii") is InvestorClass.QUALIFIED_INSTITUTIONAL
    assert parse_investor_class("specified") is InvestorClass.SPECIFIED
    with pytest.raises(ValueError, match="did you mean 'SpeciallyPermitted'"):
        parse_investor_class("SpeciallyPermited")


def test_country__numeric_only_with_hint():
    assert parse_country("392") == 392 and parse_country("076") == 76
    with pytest.raises(ValueError, match="for USA write 840"):
        parse_country("usa")
    with pytest.raises(ValueError, match="1-999"):
        parse_country("0")


def test_coupon_rate__exact_millionths():
    assert coupon_rate_millionths("0.35") == 3500
    assert coupon_rate_millionths("1.2345") == 12345
    with pytest.raises(ValueError, match="more than 4 decimal places"):
        coupon_rate_millionths("0.00001")


def test_investor_id__bytes32_round_trip():
    raw = investor_id_to_bytes32("INV-001")
    assert len(raw) == 32 and raw.startswith(b"INV-001\0")
    assert investor_id_from_bytes32(raw) == "INV-001"
    with pytest.raises(ValueError):
        investor_id_to_bytes32("山田")


def test_input_error__lists_every_issue_and_combines():
    first = InputError([InputIssue("a.csv", 2, "wallet", "bad")])
    second = InputError.single(
        "b.yaml",
        "worse",
        row=3,
        field="bond",
    )
    combined = InputError.combine([first, second])
    assert str(combined).startswith("2 problems in a.csv, b.yaml; nothing was sent")
    assert "a.csv: row 2, field 'wallet': bad" in str(combined)
    with pytest.raises(ValueError):
        InputError([])
