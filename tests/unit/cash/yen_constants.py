"""Amounts and references the yen coin tests share (imported by conftest and the tests)."""

BANK_MINT_ALLOWANCE = 1_000_000_000  # yen the bank's minter may create in the fixture
ALICE_START = 1_000_000
BOB_START = 500_000
BANK_ACCOUNT_REF = b"MUFG-0001-1234567".ljust(32, b"\0")  # what the bank's system maps to an account
ZERO_ADDRESS = "0x" + "00" * 20
