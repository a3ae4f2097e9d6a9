"""The enums shared by the contracts and the input files: one enum each, whose labels are the
Solidity member names that operators write in CSV/YAML files."""

import re
from pathlib import Path

import pytest

from kabuto.onchain_types import Category, InvestorClass, Kind

INTERFACES = Path(__file__).resolve().parents[3] / "interfaces"


def solidity_members(file: str, enum: str) -> list[str]:
    source = (INTERFACES / file).read_text(encoding="utf-8")
    body = re.search(rf"enum\s+{enum}\s*\{{([^}}]*)\}}", source)
    assert body, f"no enum {enum} in {file}"
    without_comments = re.sub(r"//[^\n]*", "", body.group(1))
    return [name.strip() for name in without_comments.split(",") if name.strip()]


@pytest.mark.parametrize(
    "enum, file, name",
    [
        (InvestorClass, "IInvestorRegistry.sol", "InvestorClass"),
        (Category, "ISecurityToken.sol", "Category"),
        (Kind, "ISecurityToken.sol", "Kind"),
    ],
)
def test_labels__are_the_solidity_members_in_declaration_order(enum, file, name):
    assert [member.label for member in enum] == solidity_members(file, name)
    assert [int(member) for member in enum] == list(range(len(enum)))


def test_from_label__ignores_case_and_spaces_only():
    qii = InvestorClass.QUALIFIED_INSTITUTIONAL
    assert InvestorClass.from_label(" qualifiedINSTITUTIONAL ") is qii
    assert Category.from_label("ExcludedClass2") is Category.EXCLUDED_CLASS2
    assert Kind.from_label("bond") is Kind.BOND
    with pytest.raises(
        ValueError,
        match=r"'EXCLUDED_CLASS2' is not a Category \(one of: Class1, "
        r"Class2, ExcludedClass2\)",
    ):
        Category.from_label("EXCLUDED_CLASS2")


def test_former_domain_spellings__are_aliases_of_the_same_members():
    assert Kind.Bond is Kind.BOND and Category.Class1 is Category.CLASS1
    assert InvestorClass.QualifiedInstitutional is InvestorClass.QUALIFIED_INSTITUTIONAL
    assert len(InvestorClass) == 4 and len(Category) == 3 and len(Kind) == 2
