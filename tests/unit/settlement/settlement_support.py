"""The settlement tests' figures, imported by conftest.py and the tests (a test module never
imports `conftest`: every test folder's conftest has that module name, so which one it got
depended on what else the run collected)."""

YEN_START = 10_000_000
UNITS_START = 1_000
DAY = 86_400
ZERO_ADDRESS = "0x" + "00" * 20
LOCKED_FOR_VENUE = 500
VENUE_ALLOWANCE = 5_000_000
