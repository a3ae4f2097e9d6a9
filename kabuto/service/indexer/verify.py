"""Reconciling the index with the chain at the block the index ends at: every token's (and
the yen coin's) supply, every indexed balance and every wallet the chain says holds units,
each token's holder count, and every passed record date's entitlements (the index's
balances at the record date's cutoff against the token's record-date snapshot). Each
difference is named; none means the index is exact."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from kabuto.chainread import address_calldata, calldata
from kabuto.service import db
from kabuto.service.indexer.rpc import IndexReader


@dataclass
class VerifyReport:
    block: int
    checked: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences

    def statement(self) -> str:
        if self.ok:
            return f"EXACT: {self.checked} values at block {self.block} agree with the chain"
        return (
            f"DIFFERENT: {len(self.differences)} of {self.checked} values at block "
            f"{self.block} differ from the chain:\n  " + "\n  ".join(self.differences)
        )


def _uint(raw: bytes) -> int:
    return int.from_bytes(raw[:32], "big")


def verify(database: db.Database, rpc_url: str) -> VerifyReport:
    reader = IndexReader(rpc_url)
    with database.session() as session:
        cursor = session.get(db.IndexCursor, 1)
        if cursor is None or cursor.block_number < 0:
            return VerifyReport(-1, 0, ["the index is empty: run the indexer first"])
        block = cursor.block_number
        report = VerifyReport(block)
        tokens = session.scalars(select(db.TokenRow)).all()
        holdings: dict[str, dict[str, int]] = defaultdict(dict)
        for h in session.scalars(select(db.Holding)):
            holdings[h.token][h.wallet] = h.units
        record_dates = session.scalars(select(db.RecordDateRow)).all()
        transfers = session.execute(
            select(
                db.TransferRow.token,
                db.TransferRow.timestamp,
                db.TransferRow.sender,
                db.TransferRow.recipient,
                db.TransferRow.value,
            ).order_by(db.TransferRow.block_number, db.TransferRow.log_index)
        ).all()
    block_time = reader.headers([block])[block][1]
    for token in tokens:
        wallets = sorted(holdings[token.address])
        answers = reader.eth_call_many(
            [(token.address, calldata("totalSupply()", [], []))]
            + [(token.address, address_calldata("balanceOf(address)", w)) for w in wallets],
            block,
        )
        report.checked += 1 + len(wallets) + 1
        supply = _uint(answers[0])
        if supply != token.total_supply:
            report.differences.append(
                f"{token.symbol}: supply indexed {token.total_supply}, on chain {supply}"
            )
        holders = 0
        for wallet, raw in zip(wallets, answers[1:], strict=True):
            units = _uint(raw)
            holders += units > 0
            if units != holdings[token.address][wallet]:
                report.differences.append(
                    f"{token.symbol}: {wallet} balance indexed "
                    f"{holdings[token.address][wallet]}, on chain {units}"
                )
        if holders != token.holders:
            report.differences.append(
                f"{token.symbol}: holder count indexed {token.holders}, on chain {holders} "
                "(wallets the index knows)"
            )
    # record-date entitlements: the index's balances at each passed cutoff vs the snapshot
    by_token = {t.address: t for t in tokens}
    for record in record_dates:
        if record.record_date >= block_time or record.token not in by_token:
            continue
        balances: dict[str, int] = defaultdict(int)
        for row in transfers:
            if row.token != record.token or row.timestamp > record.record_date:
                continue
            balances[row.sender] -= row.value
            balances[row.recipient] += row.value
        zero = "0x" + "0" * 40
        balances.pop(zero, None)
        wallets = sorted(balances)
        answers = reader.eth_call_many(
            [
                (
                    record.token,
                    calldata("totalSupplyAtRecordDate(uint256)", ["uint256"], [record.index]),
                )
            ]
            + [
                (
                    record.token,
                    calldata(
                        "balanceOfAtRecordDate(address,uint256)",
                        ["address", "uint256"],
                        [w, record.index],
                    ),
                )
                for w in wallets
            ],
            block,
        )
        symbol = by_token[record.token].symbol
        report.checked += 1 + len(wallets)
        supply = sum(balances.values())
        if _uint(answers[0]) != supply:
            report.differences.append(
                f"{symbol} record date #{record.index}: entitled units indexed {supply}, "
                f"on chain {_uint(answers[0])}"
            )
        for wallet, raw in zip(wallets, answers[1:], strict=True):
            if _uint(raw) != balances[wallet]:
                report.differences.append(
                    f"{symbol} record date #{record.index}: {wallet} entitled to "
                    f"{balances[wallet]} by the index, {_uint(raw)} on chain"
                )
    return report
