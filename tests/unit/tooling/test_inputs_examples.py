"""Every example file the README walks through loads, and is consistent with the others."""

import hashlib
from datetime import date
from pathlib import Path

import pytest
from eth_account import Account

from kabuto.errors import InputError
from kabuto.inputs import (
    check_allocations,
    load_allocations,
    load_executions,
    load_investors,
    load_term_sheet,
)
from kabuto.onchain_types import Category, InvestorClass, Kind

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

TEST_MNEMONIC = "test test test test test test test test test test test junk"
SHEETS = {
    "STBOND1": "stbond1",
    "RETRUST1": "retrust1",
    "PROTRUST1": "protrust1",
    "FUNDRIGHT1": "fundright1",
}


def test_investors_example__twelve_investors_of_every_class_on_test_accounts_1_to_12():
    investors = load_investors(EXAMPLES / "investors.csv")
    assert len(investors) == 12
    assert {i.investor_class for i in investors} == set(InvestorClass)
    Account.enable_unaudited_hdwallet_features()
    for index, investor in enumerate(investors, start=1):
        expected = Account.from_mnemonic(TEST_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")
        assert investor.wallet == expected.address
        assert investor.personal_data.name and investor.personal_data.address


def test_bond_example__like_sbi_first_st_bond():
    sheet = load_term_sheet(EXAMPLES / "stbond1.yaml")
    assert (sheet.category, sheet.kind) == (Category.CLASS1, Kind.BOND)
    bond = sheet.bond
    assert bond is not None
    assert bond.face_value == 100_000 and bond.coupon_rate == 3500 and bond.coupons_per_year == 2
    assert (bond.maturity_date - bond.issue_date).days in range(360, 367)
    assert len(bond.interest_payment_dates) == 2


def test_beneficiary_example__like_kenedix_class1_minimum_two_units():
    """A beneficiary certificate of a 受益証券発行信託 is a tokenized security: Class 1."""
    sheet = load_term_sheet(EXAMPLES / "retrust1.yaml")
    assert (sheet.category, sheet.kind) == (Category.CLASS1, Kind.BENEFICIARY)
    assert sheet.beneficiary is not None and sheet.beneficiary.issue_price == 1_000_000
    assert sheet.rules.min_holding == 2
    assert len(sheet.beneficiary.distribution_payment_dates) == 2


def test_class2_example__trust_beneficiary_right_with_approval_and_cap():
    sheet = load_term_sheet(EXAMPLES / "fundright1.yaml")
    assert (sheet.category, sheet.kind) == (Category.CLASS2, Kind.BENEFICIARY)
    assert sheet.rules.approval_required and sheet.rules.holder_cap == 49
    assert sheet.issue_limit_units == 40
    assert sum(row.units for row in load_allocations(EXAMPLES / "fundright1-allocation.csv")) <= 40


def test_excluded_class2_example__professionals_only_with_approval():
    sheet = load_term_sheet(EXAMPLES / "protrust1.yaml")
    assert sheet.category is Category.EXCLUDED_CLASS2
    assert sheet.rules.approval_required
    assert InvestorClass.GENERAL not in sheet.rules.allowed_classes
    assert sheet.rules.allowed_mask == 0b1110


@pytest.mark.parametrize("symbol", SHEETS)
def test_allocation_examples__obey_their_term_sheet(symbol):
    investors = load_investors(EXAMPLES / "investors.csv")
    sheet = load_term_sheet(EXAMPLES / f"{SHEETS[symbol]}.yaml")
    allocations = load_allocations(
        EXAMPLES / f"{SHEETS[symbol]}-allocation.csv", {i.investor_id for i in investors}
    )
    check_allocations(allocations, sheet, investors)
    assert sheet.symbol == symbol and len(allocations) >= 5


@pytest.mark.parametrize("symbol", SHEETS)
def test_document_hashes__match_the_example_documents(symbol):
    sheet = load_term_sheet(EXAMPLES / f"{SHEETS[symbol]}.yaml")
    for document in sheet.documents:
        local = EXAMPLES / "documents" / Path(document.uri).name
        assert document.document_hash == hashlib.sha256(local.read_bytes()).digest()


def test_venue_execution_example__sellers_hold_what_they_sell():
    investors = {i.wallet: i.investor_id for i in load_investors(EXAMPLES / "investors.csv")}
    executions = load_executions(EXAMPLES / "venue-executions.csv", set(SHEETS))
    holdings = {}
    for symbol, stem in SHEETS.items():
        for a in load_allocations(EXAMPLES / f"{stem}-allocation.csv"):
            holdings[(symbol, a.investor_id)] = a.units
    for trade in executions:
        seller = (trade.symbol, investors[trade.seller_wallet])
        buyer = (trade.symbol, investors[trade.buyer_wallet])
        assert holdings.get(seller, 0) >= trade.quantity
        holdings[seller] -= trade.quantity
        holdings[buyer] = holdings.get(buyer, 0) + trade.quantity
    assert len(executions) == 4


def test_investors_csv__with_bom_and_slash_dates__accepted(write_file):
    text = (
        (EXAMPLES / "investors.csv").read_text(encoding="utf-8").replace("2030-03-31", "2030/3/31")
    )
    path = write_file("bom.csv", "\ufeff" + text)
    investors = load_investors(path)
    assert investors.rows[0][1].kyc_expiry == date(2030, 3, 31)
    assert investors.rows[0][0] == 2  # the first data row is spreadsheet row 2


def test_investors_csv__blank_lines_and_padding__ignored_with_true_row_numbers(write_file):
    lines = (EXAMPLES / "investors.csv").read_text(encoding="utf-8").splitlines()
    path = write_file(
        "gaps.csv",
        "\n".join([lines[0], lines[1], "", " , , ,,,,", lines[2].replace(",", " , ")]) + "\n",
    )
    investors = load_investors(path)
    assert [number for number, _ in investors.rows] == [2, 5]


def test_allocation__general_investor_on_professional_sheet__names_classes_as_written():
    investors = load_investors(EXAMPLES / "investors.csv")
    allocations = load_allocations(
        EXAMPLES / "stbond1-allocation.csv", {i.investor_id for i in investors}
    )
    with pytest.raises(InputError) as error:
        check_allocations(allocations, load_term_sheet(EXAMPLES / "protrust1.yaml"), investors)
    assert (
        "INV-001 is a General investor; PROTRUST1 admits only Specified, "
        "QualifiedInstitutional, SpeciallyPermitted"
    ) in str(error.value)
