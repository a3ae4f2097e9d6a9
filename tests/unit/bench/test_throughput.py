"""The throughput jobs at a small scale (the bench runs them at 10,000 / 100,000) and the fast
helpers the register export reads the chain with, checked against the general encoders."""

import os

import pytest
from eth_abi import encode
from eth_utils import to_checksum_address
from fixtures.platform import deploy_registry, onboard

from kabuto.bench import throughput
from kabuto.bench.rawrpc import RawRpc, address_calldata, calldata, checksum_address
from kabuto.bench.signing import wallet
from kabuto.chainread import ChainReader
from kabuto.errors import ChainReadError
from kabuto.ops.export import event_ciphertext, read_replaced_wallets


@pytest.mark.parametrize("seed", range(20))
def test_checksum_address__same_as_eth_utils(seed):
    hex40 = os.urandom(20).hex() if seed else "00" * 20
    assert checksum_address(hex40) == to_checksum_address("0x" + hex40)
    assert checksum_address(hex40.upper()) == to_checksum_address("0x" + hex40)


def test_address_calldata__same_as_abi_encoder():
    wallet = to_checksum_address("0x" + os.urandom(20).hex())
    assert address_calldata("balanceOf(address)", wallet) == calldata(
        "balanceOf(address)", ["address"], [wallet]
    )
    with pytest.raises(ChainReadError, match="not a 0x-prefixed 20-byte address"):
        address_calldata("balanceOf(address)", wallet[2:])


@pytest.mark.parametrize("length", [0, 1, 32, 158, 261, 1000])
def test_personal_data_ciphertext__same_as_abi_decoder(length):
    ciphertext = os.urandom(length)
    data = "0x" + encode(["bytes32", "bytes"], [os.urandom(32), ciphertext]).hex()
    assert event_ciphertext(data) == ciphertext


def test_issue_and_export__small_scale__register_complete_and_reconciled(new_bench_context):
    ctx = new_bench_context("throughput")
    ctx.scale_investors, ctx.scale_transfers = 12, 60
    issued = throughput.issue_to_investors(ctx)
    # one onboardInvestors for the 12 (batches of 100) + one batchIssue
    assert issued.txs == 1 + 1 and "x25519 issuer key" in issued.note
    exported = throughput.register_export_job(ctx)  # checks reconciliation and every name
    assert exported.txs == 60
    # the operators' export_register timed, phase by phase
    for phase in ("personal data", "Transfer logs", "lots", "write CSV + JSON"):
        assert phase in exported.note


def test_replaced_wallets__read_from_the_registry_log(accounts, chain):
    """What the export merges lots by (kabuto.ops.export.read_replaced_wallets)."""
    admin, old, new = accounts[0], accounts[6], accounts[7]
    registry = deploy_registry(admin)
    investor_id = onboard(registry, admin, old)
    registry.replaceWallet(investor_id, new, sender=admin)
    reader = ChainReader(str(chain.provider.http_uri))
    assert read_replaced_wallets(reader, str(registry.address), chain.blocks.height) == {
        (str(old.address), str(new.address))
    }


def test_send_all__holders_sign_their_own__mined_from_their_wallets(accounts, chain):
    """A sender with a key in ``signers`` sends eth_sendRawTransaction (signed here, nonces in
    order); the others are signed by anvil; both kinds end in the same blocks."""
    rpc = RawRpc(str(chain.provider.http_uri))
    holders = [wallet(f"tests.send_all.{chain.blocks.height}.{i}") for i in range(3)]
    target = str(accounts[5].address)
    txs = [
        {"from": h.address, "to": target, "data": "0x" + bytes([i, k]).hex(), "gas": 30_000}
        for k in range(2)
        for i, h in enumerate(holders)
    ]
    txs.append({"from": str(accounts[4].address), "to": target, "data": "0x01", "gas": 30_000})
    sent = rpc.send_all(txs, chunk=4, signers={h.address: h for h in holders})
    assert sent.txs == 7 and sent.last_block - sent.first_block == 1  # blocks of at most 4
    mined = [
        tx
        for n in range(sent.first_block, sent.last_block + 1)
        for tx in rpc.call("eth_getBlockByNumber", hex(n), True)["transactions"]
    ]
    by_sender = {}
    for tx in mined:
        by_sender.setdefault(tx["from"].lower(), []).append((int(tx["nonce"], 16), tx["input"]))
    for i, h in enumerate(holders):
        assert sorted(by_sender[h.address.lower()]) == [(0, f"0x{i:02x}00"), (1, f"0x{i:02x}01")]
    assert len(by_sender[str(accounts[4].address).lower()]) == 1


def test_send_all__node_refuses_a_signed_transaction__raises(chain):
    """A refusal from the node (here: gas under the intrinsic 21,000) is raised, not lost in
    the thread that posts."""
    rpc = RawRpc(str(chain.provider.http_uri))
    holder = wallet(f"tests.send_all.refused.{chain.blocks.height}")
    with pytest.raises(ChainReadError, match="eth_sendRawTransaction calls failed"):
        rpc.send_all(
            [{"from": holder.address, "to": holder.address, "data": "0x", "gas": 1_000}],
            signers={holder.address: holder},
        )


# A contract whose every call emits LOG1(topic = the call's first word), no data: creation code
# (12 bytes: copy the 9-byte runtime at offset 12 and return it) + runtime.
_LOGGER_CODE = "0x600960" + "0c600039600960" + "00f3" + "600035600060" + "00a100"
_LOGGER_TOPIC = bytes(31) + b"\x07"


def _dense_log_blocks(rpc, deployer, chain, blocks):
    """The logger contract, then ``blocks`` blocks of 40 of its logs each."""
    created = rpc.call(
        "eth_sendTransaction",
        {"from": str(deployer.address), "data": _LOGGER_CODE, "gas": hex(100_000)},
    )
    rpc.call("evm_mine")  # mined whether or not the session's chain automines
    logger_address = rpc.call("eth_getTransactionReceipt", created)["contractAddress"]
    holders = [wallet(f"tests.logs_sized.{chain.blocks.height}.{i}") for i in range(40)]
    call = {"to": logger_address, "data": "0x" + _LOGGER_TOPIC.hex(), "gas": 30_000}
    sent = rpc.send_all(
        [{**call, "from": h.address} for _ in range(blocks) for h in holders],
        chunk=40,
        signers={h.address: h for h in holders},
    )
    assert sent.last_block - sent.first_block == blocks - 1
    return logger_address, sent


def _sized_answers(rpc, address, first, last):
    """logs_sized's logs with per_request=10, and how many logs each of its answers held."""
    answers: list[int] = []
    post = rpc._post

    def counting_post(calls):
        raw = post(calls)
        answers.append(raw.count(b'"logIndex"'))
        return raw

    rpc._post = counting_post  # type: ignore[method-assign]
    try:
        return rpc.logs_sized(address, _LOGGER_TOPIC, first, last, per_request=10), answers
    finally:
        rpc._post = post  # type: ignore[method-assign]


def test_logs_sized__dense_blocks__same_logs_and_no_answer_beyond_one_block(accounts, chain):
    """The register's log reader on a chain of dense blocks (the scale bench mines 10,000
    transfers a block): the same logs as the plain block-chunked reader, and while it learns the
    density no answer spans more than one block's logs over what it asked for."""
    rpc = RawRpc(str(chain.provider.http_uri))
    logger_address, sent = _dense_log_blocks(rpc, accounts[6], chain, blocks=6)
    sized, answers = _sized_answers(rpc, logger_address, sent.first_block, sent.last_block)
    plain = rpc.logs(logger_address, _LOGGER_TOPIC, sent.first_block, sent.last_block, step=2)
    assert [(log.blockNumber, log.topics) for log in sized] == [
        (log.blockNumber, log.topics) for log in plain
    ]
    assert len(sized) == 240
    assert len(answers) == 6 and max(answers) == 40  # one block an answer


def test_logs_sized__dense_blocks_after_empty_ones__widens_slowly(accounts, chain):
    """Empty answers say nothing of the blocks after them: the span widens x2 over them, so the
    first dense blocks are not read in one answer (widening x8, 7 of these 8 blocks of 40 logs
    came in one answer; on the scale bench, 550,000 logs, most of the export's memory)."""
    rpc = RawRpc(str(chain.provider.http_uri))
    logger_address, sent = _dense_log_blocks(rpc, accounts[6], chain, blocks=8)
    first = sent.first_block - 3  # three blocks without its logs (its deployment among them)
    sized, answers = _sized_answers(rpc, logger_address, first, sent.last_block)
    assert len(sized) == 320
    assert max(answers) <= 80  # two blocks an answer at most
