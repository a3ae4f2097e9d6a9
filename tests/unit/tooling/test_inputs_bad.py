"""Every bad input file fails with every problem named by file, row/line, field and a fix."""

from datetime import date
from pathlib import Path

import pytest

from kabuto.errors import InputError
from kabuto.inputs import load_allocations, load_executions, load_investors, load_term_sheet

BAD_INPUTS = Path(__file__).resolve().parent / "bad_inputs"
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

KNOWN = {"INV-001", "INV-002", "INV-003"}
LOADERS = {
    "investors": load_investors,
    "allocation": lambda path: load_allocations(path, KNOWN),
    "executions": lambda path: load_executions(path, {"STBOND1"}),
    "termsheet": load_term_sheet,
}

# file -> every (row or line, field, message fragment) it must report
EXPECTED = {
    "investors_many_errors.csv": [
        (2, "class", "did you mean 'General'"),
        (2, "wallet", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
        (3, "tax_status", "did you mean 'ResidentIndividual'"),
        (3, "country", "for JP write 392"),
        (3, "kyc_expiry", "not a real calendar date"),
        (3, "wallet", "fails its EIP-55 checksum"),
        (4, "name", "missing or empty"),
        (4, "investor_id", "already in row 2"),
        (5, "kyc_expiry", "KYC has expired"),
        (5, "wallet", "already in row 4"),
    ],
    "investors_bad_header.csv": [
        (1, "clas", "did you mean 'class'"),
        (1, "class", "required column is missing"),
        (1, "address", "required column is missing"),
    ],
    "investors_ragged_row.csv": [(2, None, "has 9 cells but the header has 8")],
    "investors_shift_jis.csv": [(None, None, "save it as 'CSV UTF-8'")],
    "investors_oversize.csv": [(2, "investor_id", "1-32 ASCII"), (2, "name", "at most 100")],
    "investors_empty.csv": [(None, None, "the file is empty")],
    "allocation_bad.csv": [
        (3, "investor_id", "unknown investor 'INV-999'"),
        (4, "units", "greater than 0"),
        (5, "investor_id", "already in row 2"),
        (6, "units", "valid integer"),
    ],
    "executions_bad.csv": [
        (2, None, "seller_wallet and buyer_wallet are the same"),
        (3, "symbol", "did you mean 'STBOND1'"),
        (3, "quantity", "greater than 0"),
        (4, "trade_id", "already in row 2"),
        (4, "buyer_wallet", "zero address"),
    ],
    "termsheet_bad_values.yaml": [
        (1, "category", "did you mean 'Class1'"),
        (4, "symbol", "capital letters"),
        (8, "bond.coupons_per_year", "1, 2, 4 or 12"),
        (10, "bond.maturity_date", "not a real calendar date"),
        (11, "bond.redemption_value", "greater than 0"),
        (13, "rules.allowed_classes.1", "unknown value 'Profesional'"),
        (14, "rules.holder_cap", "greater than or equal to 0"),
        (16, "documents.0.name", "longer than 32 bytes"),
        (18, "documents.0.sha256", "put it in quotes"),
    ],
    "termsheet_inconsistent.yaml": [
        (5, "bond", "a beneficiary has no 'bond:' terms"),
        (14, "beneficiary.distribution_record_dates", "2 record dates but 1 payment"),
        (14, "beneficiary.distribution_record_dates.1", "not after 2027-12-31"),
        (14, "beneficiary.distribution_record_dates.0", "must come before its payment date"),
        (17, "rules.allowed_classes", "remove General"),
        (18, "rules.min_holding", "above max_balance"),
        (20, "rules.approval_required", "approval_required: true"),
        (22, "documents.0", "exactly one of sha256 or keccak256"),
        (24, "documents.1.name", "listed twice"),
    ],
    "termsheet_not_yaml.yaml": [(3, None, "not valid YAML")],
    "termsheet_not_mapping.yaml": [(None, None, "YAML mapping")],
}


def test_corpus__every_bad_file_has_expectations():
    assert {p.name for p in BAD_INPUTS.iterdir()} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input__reports_every_problem_with_row_and_field(name):
    loader = LOADERS[name.split("_")[0]]
    with pytest.raises(InputError) as raised:
        loader(BAD_INPUTS / name)
    error = raised.value
    found = {(issue.row, issue.field) for issue in error.issues}
    for row, field, fragment in EXPECTED[name]:
        assert (row, field) in found, f"{name}: nothing reported for row {row} field {field}"
        messages = [i.message for i in error.issues if (i.row, i.field) == (row, field)]
        assert any(fragment in m for m in messages), (name, row, field, messages)
    assert len(error.issues) == len(EXPECTED[name]), str(error)
    assert "nothing was sent" in str(error) and name in str(error)


def test_yaml_issue__says_line_not_row():
    with pytest.raises(InputError) as raised:
        load_term_sheet(BAD_INPUTS / "termsheet_bad_values.yaml")
    assert "line 8, field 'bond.coupons_per_year'" in str(raised.value)


def test_kyc_expiry__checked_against_the_given_day(tmp_path):
    EXAMPLES = Path(__file__).resolve().parents[3] / "examples"

    with pytest.raises(InputError, match="row 13, field 'kyc_expiry'"):
        load_investors(EXAMPLES / "investors.csv", today=date(2029, 7, 1))


def test_missing_file__named():
    with pytest.raises(InputError, match="file not found"):
        load_investors(BAD_INPUTS / "does-not-exist.csv")


def test_ragged_row__the_other_rows_problems_still_reported(tmp_path):
    """Issue 15: validation stopped at a ragged row; every problem of the file is reported."""
    path = tmp_path / "investors.csv"
    path.write_text(
        "investor_id,class,tax_status,country,kyc_expiry,wallet,name,address\n"
        "INV-001,General,ResidentIndividual,392,2030-03-31,"
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8,A,B,extra\n"
        "INV-002,General,ResidentIndividual,392,2027-02-30,"
        "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC,C,D\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as error:
        load_investors(path, today=date(2026, 12, 1))
    found = {(issue.row, issue.field) for issue in error.value.issues}
    assert found == {(2, None), (3, "kyc_expiry")}
