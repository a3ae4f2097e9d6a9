"""A token's static facts read from the chain for its page: name, terms, rules, issue limit
and ERC-1643 documents (read calls at the latest block, a few per page; the index keeps
events and balances, the contract keeps these). Nothing here is indexed or stored."""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi import decode

from kabuto.chainread import ChainReader, ChainReadError, calldata
from kabuto.domain import jst_date
from kabuto.onchain_types import InvestorClass

_BOND = "(uint256,uint32,uint8,uint40,uint40,uint256,uint40[],uint40[],address)"
_TRUST = "(uint256,uint40[],uint40[],address)"
_RULES = ["uint8", "uint32", "uint64", "uint32", "uint40", "bool", "bool"]


@dataclass(frozen=True)
class Document:
    name: str
    uri: str
    document_hash: str
    last_modified: int


@dataclass(frozen=True)
class TokenFacts:
    name: str
    terms: dict[str, str]  # label key -> shown value
    rules: dict[str, str]
    holder_cap: int  # 0 = none
    issue_limit: int | None  # None: the token has no issueLimit(); 0: no limit
    documents: tuple[Document, ...]


def _one(reader: ChainReader, to: str, data: str, block: int) -> bytes | None:
    try:
        return reader.eth_call([(to, data)], block)[0]
    except ChainReadError:
        return None


def _classes(mask: int) -> str:
    return ", ".join(c.label for c in InvestorClass if mask & (1 << int(c))) or "-"


def _day(timestamp: int) -> str:
    return jst_date(int(timestamp)).isoformat() if timestamp else "-"


def _terms(raw: bytes | None, kind: str) -> dict[str, str]:
    if raw is None:
        return {}
    if kind == "bond":
        (face, rate, per_year, issued, maturity, redemption, pays, records, coin) = decode(
            [_BOND], raw
        )[0]
        return {
            "face_value": f"¥{face:,}",
            "coupon_rate": f"{rate / 10_000:g}%",
            "coupons_per_year": str(per_year),
            "issue_date": _day(issued),
            "maturity_date": _day(maturity),
            "redemption_value": f"¥{redemption:,}",
            "interest_payment_dates": " / ".join(_day(d) for d in pays),
            "interest_record_dates": " / ".join(_day(d - 1) for d in records),
            "payment_token": coin,
        }
    price, records, pays, coin = decode([_TRUST], raw)[0]
    return {
        "issue_price": f"¥{price:,}",
        "distribution_record_dates": " / ".join(_day(d - 1) for d in records),
        "distribution_payment_dates": " / ".join(_day(d) for d in pays),
        "payment_token": coin,
    }


def _rules(raw: bytes | None) -> tuple[dict[str, str], int]:
    if raw is None:
        return {}, 0
    classes, cap, max_balance, min_holding, lock_up, qii, approval = decode(_RULES, raw)
    return {
        "allowed_classes": _classes(classes),
        "holder_cap": f"{cap:,}" if cap else "-",
        "max_balance": f"{max_balance:,}" if max_balance else "-",
        "min_holding": f"{min_holding:,}" if min_holding else "-",
        "lock_up_until": _day(lock_up),
        "qii_resale_only": "yes" if qii else "no",
        "approval_required": "yes" if approval else "no",
    }, cap


def _documents(reader: ChainReader, token: str, block: int) -> tuple[Document, ...]:
    raw = _one(reader, token, calldata("getAllDocuments()", [], []), block)
    if raw is None:
        return ()
    names = decode(["bytes32[]"], raw)[0]
    answers = reader.eth_call(
        [(token, calldata("getDocument(bytes32)", ["bytes32"], [n])) for n in names], block
    )
    found = []
    for name, answer in zip(names, answers, strict=True):
        uri, digest, modified = decode(["string", "bytes32", "uint256"], answer)
        found.append(
            Document(
                name.rstrip(b"\0").decode("utf-8", "replace"), uri, "0x" + digest.hex(), modified
            )
        )
    return tuple(found)


def token_facts(reader: ChainReader, token: str, kind: str) -> TokenFacts:
    """The facts of `token` ("bond" or "beneficiary") at the node's latest block."""
    block = reader.block_number()
    name_raw = _one(reader, token, calldata("name()", [], []), block)
    terms_call = "bondTerms()" if kind == "bond" else "beneficiaryTerms()"
    rules, cap = _rules(_one(reader, token, calldata("rules()", [], []), block))
    limit_raw = _one(reader, token, calldata("issueLimit()", [], []), block)
    return TokenFacts(
        name=decode(["string"], name_raw)[0] if name_raw else "",
        terms=_terms(_one(reader, token, calldata(terms_call, [], []), block), kind),
        rules=rules,
        holder_cap=cap,
        issue_limit=int.from_bytes(limit_raw, "big") if limit_raw else None,
        documents=_documents(reader, token, block),
    )
