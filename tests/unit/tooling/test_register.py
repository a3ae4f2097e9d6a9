import csv
import json
from datetime import date

import pytest

import kabuto.register as register_module
from kabuto.domain import end_of_day_jst, start_of_day_jst
from kabuto.errors import RegisterError
from kabuto.lots import Lot
from kabuto.onchain_types import Category, Kind
from kabuto.personal_data import PersonalData
from kabuto.register import (
    BeneficiaryTermsView,
    BondTermsView,
    HolderRegister,
    holder_entries,
    reconcile,
    register_to_json,
    table_columns,
    write_register,
)

W1, W2, W3 = (
    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
)
JAN15 = start_of_day_jst(date(2027, 1, 15)) + 3600
FEB01 = start_of_day_jst(date(2027, 2, 1)) + 3600
BOND = BondTermsView(
    100_000,
    3500,
    2,
    date(2027, 1, 15),
    date(2028, 1, 14),
    100_000,
    (date(2027, 7, 15), date(2028, 1, 14)),
)


def make_register(tmp_path, balances=None, total_supply=13, kind=Kind.BOND, names=None):
    lots = {W1: [Lot(JAN15, 5), Lot(FEB01, 3)], W2: [Lot(JAN15, 5)]}
    ids = {W1: "INV-001", W2: "INV-002"}
    people = (
        names
        if names is not None
        else {
            "INV-001": PersonalData(name="山田 太郎", address="東京都千代田区丸の内一丁目1番1号"),
            "INV-002": PersonalData(name='=HYPERLINK("x")', address="大阪府"),
        }
    )
    entries = holder_entries(lots, ids, people)
    terms = BOND if kind is Kind.BOND else BeneficiaryTermsView(1_000_000, (date(2027, 9, 15),))
    reg = HolderRegister(
        "STBOND1",
        "第1回 Kabuto STデジタル社債",
        W3,
        31337,
        Category.CLASS1,
        kind,
        42,
        FEB01,
        date(2027, 6, 30),
        terms,
        entries,
        reconcile(entries, total_supply, balances or {W1: 8, W2: 5}),
    )
    return reg, write_register(reg, tmp_path)


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel shows the Japanese text
    assert b"\r\n" in raw
    return list(csv.reader(raw.decode("utf-8-sig").splitlines()))


def test_bond_register__art_681_columns_one_row_per_lot(tmp_path):
    reg, (csv_path, json_path) = make_register(tmp_path)
    assert csv_path.name == f"{reg.chain_id}-STBOND1-register-record-2027-06-30.csv"
    rows = read_csv(csv_path)
    assert rows[0] == ["社債原簿 (bond register)"]
    header = rows.index(list(table_columns(Kind.BOND)))
    assert rows[header][:7] == [
        "社債の種類",
        "各社債の金額",
        "社債権者の氏名又は名称",
        "住所",
        "投資家ID",
        "ウォレットアドレス",
        "取得日",
    ]
    body = rows[header + 1 : header + 4]
    assert body[0] == [
        "第1回 Kabuto STデジタル社債",
        "100000",
        "山田 太郎",
        "東京都千代田区丸の内一丁目1番1号",
        "INV-001",
        W1,
        "2027-01-15",
        "5",
        "500000",
        "8",
        "",
    ]
    assert body[1][6:9] == ["2027-02-01", "3", "300000"]
    terms = {r[0]: r[1] for r in rows[1:header] if len(r) == 2}
    assert terms["利率 (coupon)"] == "年0.35%"
    assert terms["社債の総額 (total amount, yen)"] == "1300000"
    assert terms["償還期限 (maturity)"] == "2028-01-14"
    assert terms["区分 (FIEA category)"] == "Class1"  # the Solidity name, as term sheets say it
    assert json.loads(json_path.read_text())["category"] == "Class1"


def test_register__formula_like_names_are_escaped_for_excel(tmp_path):
    _, (csv_path, json_path) = make_register(tmp_path)
    text = csv_path.read_bytes().decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert json.loads(json_path.read_text())["holders"][1]["name"] == '=HYPERLINK("x")'


def test_register__reconciled_statement_in_both_files(tmp_path):
    reg, (csv_path, json_path) = make_register(tmp_path)
    assert reg.reconciliation.ok
    rows = read_csv(csv_path)
    assert ["照合 (reconciliation)", "一致 (OK)"] in rows
    assert any(len(r) > 1 and r[1].startswith("RECONCILED: the register's 13 units") for r in rows)
    data = json.loads(json_path.read_text())
    assert data["reconciliation"]["reconciled"] is True
    assert data["holders"][0]["lots"] == [
        {"acquired_on": "2027-01-15", "acquired_at": JAN15, "units": 5},
        {"acquired_on": "2027-02-01", "acquired_at": FEB01, "units": 3},
    ]
    assert data["terms"]["interest_payment_dates"] == ["2027-07-15", "2028-01-14"]


def test_register__mismatch_with_chain__stated_with_every_differing_holder(tmp_path):
    reg, (csv_path, json_path) = make_register(
        tmp_path, balances={W1: 8, W2: 4, W3: 2}, total_supply=14
    )
    rec = reg.reconciliation
    assert not rec.ok and set(rec.mismatches) == {(W2, 5, 4), (W3, 0, 2)}
    rows = read_csv(csv_path)
    assert ["照合 (reconciliation)", "不一致 (MISMATCH)"] in rows
    assert ["残高不一致 (balance differs)", W3, "0", "2"] in rows
    assert json.loads(json_path.read_text())["reconciliation"]["statement"].startswith(
        "NOT RECONCILED"
    )


def test_beneficiary_register__trust_columns_and_missing_personal_data_marked(tmp_path):
    reg, (csv_path, _) = make_register(tmp_path, kind=Kind.BENEFICIARY, names={})
    rows = read_csv(csv_path)
    assert rows[0] == ["受益権原簿 (beneficiary register)"]
    header = rows.index(list(table_columns(Kind.BENEFICIARY)))
    assert rows[header][2] == "受益者の氏名又は名称"
    assert rows[header + 1][2].startswith("(個人情報未登録")
    assert rows[header + 1][8] == "5000000"


def test_dates__jst_day_boundaries():
    assert end_of_day_jst(date(2027, 6, 30)) == start_of_day_jst(date(2027, 7, 1))
    assert start_of_day_jst(date(2027, 1, 1)) == 1798729200  # 2026-12-31T15:00:00Z


def test_json__fast_writer_gives_the_bytes_of_the_indenting_encoder(tmp_path):
    # Names from outside with quotes, backslashes, control characters and non-BMP text; a
    # holder without personal data; the "holders" key text inside a note and a name.
    names = {
        "INV-001": PersonalData(
            name='A "quoted" \\ name\t𠮷', address='"holders": [] 東京都\u2028'
        ),
        "INV-002": PersonalData(name='=HYPERLINK("x")', address="大阪府"),
    }
    lots = {W1: [Lot(JAN15, 5), Lot(FEB01, 3)], W2: [Lot(JAN15, 5)], W3: [Lot(FEB01, 7)]}
    entries = holder_entries(lots, {W1: "INV-001", W2: "INV-002", W3: 'INV-"3"'}, names)
    reg = HolderRegister(
        "STBOND1",
        'Bond "holders": []',
        W3,
        31337,
        Category.CLASS1,
        Kind.BOND,
        42,
        FEB01,
        None,
        BOND,
        entries,
        reconcile(entries, 20, {W1: 8, W2: 5, W3: 6}),
        notes=('"holders": []',),
    )
    _, json_path = write_register(reg, tmp_path)
    expected = json.dumps(register_to_json(reg), ensure_ascii=False, indent=2) + "\n"
    assert json_path.read_text(encoding="utf-8") == expected
    empty = HolderRegister(
        "E",
        "E",
        W3,
        1,
        Category.CLASS1,
        Kind.BENEFICIARY,
        1,
        FEB01,
        None,
        BeneficiaryTermsView(1, ()),
        (),
        reconcile((), 0, {}),
    )
    _, empty_path = write_register(empty, tmp_path)
    assert (
        empty_path.read_text(encoding="utf-8")
        == json.dumps(register_to_json(empty), ensure_ascii=False, indent=2) + "\n"
    )


def test_write__large_register_written_at_once__same_files_as_one_after_the_other(
    tmp_path, monkeypatch
):
    """From PARALLEL_WRITE_ENTRIES holders the JSON is written by a forked child while the CSV
    is written here: the files are byte for byte those of the sequential writer; a child that
    fails is an error, not a missing file."""
    reg, (csv_one, json_one) = make_register(tmp_path / "sequential")
    monkeypatch.setattr(register_module, "PARALLEL_WRITE_ENTRIES", 1)
    csv_two, json_two = write_register(reg, tmp_path / "parallel")
    assert csv_two.read_bytes() == csv_one.read_bytes()
    assert json_two.read_bytes() == json_one.read_bytes()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / json_one.name).mkdir()  # the JSON's path is a directory
    with pytest.raises(RegisterError, match="run the export again"):
        write_register(reg, tmp_path / "broken")
