"""Following the chain: blocks in order, each group of blocks' rows committed in one database
transaction together with the cursor (the last block whose rows are all in). A stop at any
moment (SIGKILL included) leaves the database at the end of the last committed group, and
the next run starts at the block after it: no event is applied twice or skipped.

The index belongs to one chain: the cursor keeps the chain id and the hash of its first block,
and the hash of the last indexed block; a node of another chain, or one that was reset or
reorganised below the cursor, is refused (:class:`ChainMismatchError`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from eth_utils import keccak
from sqlalchemy import Connection, select

from kabuto.chainread import calldata, checksum_address
from kabuto.errors import KabutoError
from kabuto.manifest import Manifest, load_manifest
from kabuto.service import db
from kabuto.service.indexer.events import (
    TRANSFER_TOPIC,
    call_outputs,
    decode_log,
    decode_outputs,
    event_specs,
)
from kabuto.service.indexer.projections import Event, State
from kabuto.service.indexer.rpc import FullLog, IndexReader

LOGS_PER_COMMIT = 20_000
FIRST_SPAN = 2_000  # blocks per log request at first; halved or doubled by how dense they are
TERMS_UPDATED_TOPIC = "0x" + keccak(text="TermsUpdated(uint8)").hex()
BLOCKS_PER_FETCH = 20_000
ADDRESS_CACHE = 1_000_000  # topics kept checksummed (~150 MB at most)


class ChainMismatchError(KabutoError):
    """The node is not the chain the index was built from."""


@dataclass(frozen=True)
class Followed:
    address: str
    name: str  # manifest contract name or token symbol
    role: str  # manifest contract name, or "token"


def followed_contracts(manifest: Manifest) -> list[Followed]:
    found = [
        Followed(address, name, name)
        for name, address in manifest.contracts.items()
        if name in ("InvestorRegistry", "YenCoin", "Settlement", "BatchSettlement")
        or name in ("CorporateActions", "PrimaryOffering")
    ]
    return found + [Followed(t.address, symbol, "token") for symbol, t in manifest.tokens.items()]


@dataclass
class SyncReport:
    first_block: int
    last_block: int
    events: int = 0
    commits: int = 0
    seconds: float = 0.0


@dataclass
class Indexer:
    """Indexes the contracts of `manifest_path` from the node at `rpc_url` into `database`."""

    database: db.Database
    rpc_url: str
    manifest_path: Path
    logs_per_commit: int = LOGS_PER_COMMIT
    reader: IndexReader = field(init=False)
    state: State | None = field(default=None, init=False)
    # called after each commit with the last committed block (tests, progress)
    on_commit: Callable[[int], None] | None = None
    # log topic -> checksummed address, across groups: EIP-55 (a keccak each) of the same
    # 10,000 holders again in every group was a third of the indexer's time
    _addresses: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.reader = IndexReader(self.rpc_url)

    # -- the cursor and the chain's identity ----------------------------------------------

    def _identity(self, anchor: int | None = None) -> tuple[int, str]:
        """The chain id and the chain's anchor: "<n>:<hash of block n>" for block 1 (block 0
        where the chain has no other yet). Not block 0 itself: anvil makes a new genesis
        block each time it reloads a state file, while the blocks after it stay."""
        chain_id = self.reader.chain_id()
        if anchor is None:
            anchor = min(1, self.reader.head())
        return chain_id, f"{anchor}:{self.reader.headers([anchor])[anchor][0]}"

    def check_chain(self, connection: Connection) -> db.IndexCursor | None:
        """The cursor row after checking that the node is the indexed chain."""
        row = connection.execute(select(db.IndexCursor.__table__)).mappings().first()
        if row is None:
            return None
        chain_id, genesis = self._identity(int(row["genesis_hash"].split(":")[0]))
        if chain_id != row["chain_id"] or genesis != row["genesis_hash"]:
            raise ChainMismatchError(
                f"the index in {self.database.url} follows chain {row['chain_id']} (block "
                f"{row['genesis_hash'][:16]}..), but the node at {self.rpc_url} is chain "
                f"{chain_id} (block {genesis[:16]}..): use another database for it"
            )
        if row["block_number"] >= 0:
            head = self.reader.head()
            current = (
                self.reader.headers([row["block_number"]])[row["block_number"]][0]
                if head >= row["block_number"]
                else None
            )
            if current != row["block_hash"]:
                raise ChainMismatchError(
                    f"block {row['block_number']} of the node at {self.rpc_url} is not the "
                    f"block the index ends at ({row['block_hash'][:12]}..): the node was reset "
                    "or its chain reorganised; rebuild the index in a new database"
                )
        return row  # type: ignore[return-value]

    def _start(self, connection: Connection, manifest: Manifest) -> int:
        row = self.check_chain(connection)
        if row is None:
            chain_id, genesis = self._identity()
            if chain_id != manifest.chain_id:
                raise ChainMismatchError(
                    f"{self.manifest_path} is chain {manifest.chain_id}'s manifest but the node "
                    f"at {self.rpc_url} is chain {chain_id}"
                )
            connection.execute(
                db.IndexCursor.__table__.insert(),
                {
                    "id": 1,
                    "chain_id": chain_id,
                    "genesis_hash": genesis,
                    "block_number": -1,
                    "block_hash": "",
                    "manifest": manifest.model_dump(mode="json"),
                },
            )
            return -1
        return int(row["block_number"])  # type: ignore[index]

    # -- syncing --------------------------------------------------------------------------

    def _followed(
        self, state: State, manifest: Manifest, connection: Connection, cursor: int
    ) -> dict[str, Followed]:
        """The contracts to follow; any new in the manifest is backfilled up to the cursor."""
        wanted = {f.address: f for f in followed_contracts(manifest)}
        known = {key[0] for key in state.contracts.rows}
        new = [f for address, f in wanted.items() if address not in known]
        for f in new:
            state.contracts.put(
                {
                    "address": f.address,
                    "name": f.name,
                    "role": f.role,
                    "category": manifest.tokens[f.name].category if f.role == "token" else None,
                    "kind": manifest.tokens[f.name].kind if f.role == "token" else None,
                }
            )
            if f.role in ("token", "YenCoin"):
                state.tokens.put(
                    {
                        "address": f.address,
                        "symbol": f.name if f.role == "token" else "YEN",
                        "category": manifest.tokens[f.name].category
                        if f.role == "token"
                        else "cash",
                        "kind": manifest.tokens[f.name].kind if f.role == "token" else "cash",
                        "total_supply": 0,
                        "issued_total": 0,
                        "holders": 0,
                        "name": "" if f.role == "token" else "Yen coin",
                        "terms": None,
                    }
                )
        if new and cursor >= 0:  # a contract added to the manifest later: its past first
            self._apply(state, new, self.reader.logs([f.address for f in new], 0, cursor))
            self._token_facts(state, {f.address for f in new}, cursor)
        return wanted

    def _apply(self, state: State, followed: list[Followed], logs: list[FullLog]) -> int:
        by_lower = {f.address.lower(): f for f in followed}
        by_address = {log.address: by_lower[log.address.lower()] for log in logs}
        blocks = {x: int(x, 16) for x in {log.blockNumber for log in logs}}  # hex once a block
        headers = self.reader.headers(sorted(blocks.values())) if blocks else {}
        stamps = {x: headers[n][1] for x, n in blocks.items()}
        addresses = self._addresses
        if len(addresses) > ADDRESS_CACHE:
            addresses.clear()

        def address(topic: str) -> str:
            found = addresses.get(topic)
            if found is None:
                found = addresses[topic] = checksum_address(topic[-40:])
            return found

        for log in logs:
            f = by_address[log.address]
            block, index = blocks[log.blockNumber], int(log.logIndex, 16)
            stamp = stamps[log.blockNumber]
            topic0 = log.topics[0] if log.topics else ""
            if topic0 == TRANSFER_TOPIC and f.role in ("token", "YenCoin") and len(log.topics) == 3:
                sender, recipient, value = (
                    address(log.topics[1]),
                    address(log.topics[2]),
                    int(log.data, 16),
                )
                state.transfer(f.address, block, index, stamp, sender, recipient, value)
                state.events.append(
                    (
                        block,
                        index,
                        log.transactionHash,
                        stamp,
                        f.address,
                        f.name,
                        "Transfer",
                        {"from": sender, "to": recipient, "value": value},
                    )
                )
                continue
            spec = event_specs("token" if f.role == "token" else f.role).get(topic0)
            if spec is None:
                continue  # an event of a base contract the ABI does not list
            state.apply(
                Event(
                    block,
                    index,
                    log.transactionHash,
                    stamp,
                    f.address,
                    f.name,
                    f.role,
                    spec.name,
                    decode_log(spec, log.topics, log.data),
                )
            )
        return len(logs)

    def _token_facts(self, state: State, addresses: set[str], block: int) -> None:
        """Reads name() and the terms of `addresses` (new tokens, or terms updated) at
        `block` into the tokens table (the register's header comes from there)."""
        for address in sorted(addresses):
            row = state.tokens.get(address)
            if row is None or row["kind"] not in ("bond", "beneficiary"):
                continue
            function = "bondTerms" if row["kind"] == "bond" else "beneficiaryTerms"
            name_raw, terms_raw = self.reader.eth_call_many(
                [
                    (address, calldata("name()", [], [])),
                    (address, calldata(f"{function}()", [], [])),
                ],
                block,
            )
            if not name_raw or not terms_raw:
                continue  # not deployed yet at `block`: read at a later group
            row["name"] = decode_outputs(call_outputs("token", "name"), name_raw)[0]
            row["terms"] = decode_outputs(call_outputs("token", function), terms_raw)[0]
            state.tokens.dirty.add((address,))

    def _load_state(self, connection: Connection) -> State:
        if self.state is None:
            self.state = State().load(connection)
        return self.state

    def sync(self, to_block: int | None = None, stop: threading.Event | None = None) -> SyncReport:
        """Indexes from the block after the cursor to `to_block` (default: the node's head)."""
        started = time.monotonic()
        manifest = load_manifest(self.manifest_path)
        try:
            with self.database.engine.begin() as connection:
                cursor = self._start(connection, manifest)
                state = self._load_state(connection)
                followed = self._followed(state, manifest, connection, cursor)
                state.flush(connection)
            head = self.reader.head() if to_block is None else to_block
            report = SyncReport(cursor + 1, cursor)
            addresses = list(followed)
            span = FIRST_SPAN
            prefetch = ThreadPoolExecutor(max_workers=1)  # the node works while we apply
            pending = None
            while cursor < head and not (stop and stop.is_set()):
                if pending is None:
                    end = min(head, cursor + span)
                    pending = (end, prefetch.submit(self.reader.logs, addresses, cursor + 1, end))
                last, future = pending
                logs = future.result()
                if len(logs) > 2 * self.logs_per_commit and span > 1:
                    span = max(1, span // 2)  # dense blocks: smaller ranges, applied sooner
                elif len(logs) < self.logs_per_commit // 4:
                    span = min(BLOCKS_PER_FETCH, span * 2)
                pending = None
                if last < head:
                    end = min(head, last + span)
                    pending = (end, prefetch.submit(self.reader.logs, addresses, last + 1, end))
                for group_end, group in _groups(logs, cursor + 1, last, self.logs_per_commit):
                    block_hash = self.reader.headers([group_end])[group_end][0]
                    with self.database.engine.begin() as connection:
                        report.events += self._apply(state, list(followed.values()), group)
                        self._token_facts(state, _facts_needed(state, group), group_end)
                        state.flush(connection)
                        connection.execute(
                            db.IndexCursor.__table__.update().values(
                                block_number=group_end,
                                block_hash=block_hash,
                                manifest=manifest.model_dump(mode="json"),
                                updated_at=db._now(),
                            )
                        )
                    cursor = group_end
                    report.commits += 1
                    report.last_block = cursor
                    if self.on_commit is not None:
                        self.on_commit(cursor)
                    if stop and stop.is_set():
                        break
        except BaseException:
            self.state = None  # memory may be ahead of the database: reload next time
            raise
        report.seconds = time.monotonic() - started
        return report


def _facts_needed(state: State, group: list[FullLog]) -> set[str]:
    """Tokens whose name/terms to (re)read: never read, or terms updated in `group`."""
    unread = {key[0] for key, row in state.tokens.rows.items() if not row.get("name")}
    updated = {
        checksum_address(log.address[2:])
        for log in group
        if log.topics and log.topics[0] == TERMS_UPDATED_TOPIC
    }
    return (unread | updated) & {key[0] for key in state.tokens.rows}


def _groups(
    logs: list[FullLog], first: int, last: int, size: int
) -> list[tuple[int, list[FullLog]]]:
    """The logs of blocks first..last cut at block boundaries into groups of about `size`
    logs: (last block of the group, its logs); the final group ends at `last`."""
    groups: list[tuple[int, list[FullLog]]] = []
    current: list[FullLog] = []
    for position, log in enumerate(logs):
        current.append(log)
        following = logs[position + 1] if position + 1 < len(logs) else None
        if (
            len(current) >= size
            and following is not None
            and following.blockNumber != log.blockNumber
        ):
            groups.append((int(log.blockNumber, 16), current))
            current = []
    groups.append((last, current))
    return groups
