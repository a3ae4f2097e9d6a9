"""Issue 15's traceback cases: each bad value is refused as an error of its option or
argument, in words, with no Python traceback and nothing sent."""

from __future__ import annotations

import pytest
from cli_support import run, traceback_of

LOWERCASE = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
WALLET = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"

CASES = [
    # (script and arguments, what the message must name)
    (("operate", "freeze", "STBOND1", "INV 0O1", "--reason", "x"), "INV 0O1"),
    (
        (
            "operate",
            "recover",
            "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
            WALLET,
            "--reason",
            "x",
        ),
        "investor id",
    ),
    (("operate", "freeze", "STBOND1", LOWERCASE, "--reason", "x"), "checksum"),
    (("operate", "freeze", "STBOND1", WALLET, "--units", "-1", "--reason", "x"), "--units"),
    (("operate", "freeze", "STBOND1", WALLET, "--units", "0", "--reason", "x"), "--units"),
    (
        (
            "operate",
            "force-transfer",
            "STBOND1",
            WALLET,
            WALLET,
            "0",
            "--reason-code",
            "court-order",
            "--reason",
            "x",
        ),
        "UNITS",
    ),
    (("pay", "STBOND1", "--record-date", "2027-02-30"), "--record-date"),
    (("pay", "STBOND1", "--record-date", "30/06/2027"), "--record-date"),
    (
        ("pay", "RETRUST1", "--record-date", "2027-06-30", "--amount-per-unit", "-5"),
        "--amount-per-unit",
    ),
    (("export_register", "STBOND1", "--block", "99999999"), "--block"),
    (("export_register", "STBOND1", "--block", "1", "--record-date", "2027-06-30"), "--block"),
    (("export_register", "STBOND1", "--record-date", "2027-13-01"), "--record-date"),
]


@pytest.mark.parametrize(
    "args,named", CASES, ids=[" ".join(c[0][:3]) + f" {i}" for i, c in enumerate(CASES)]
)
def test_bad_value__option_error_no_traceback_nothing_sent(chain, args, named):
    height = chain.blocks.height
    result = run(*args)
    assert traceback_of(result) is None, traceback_of(result)
    assert result.exit_code != 0
    assert named in result.output, result.output
    assert chain.blocks.height == height
