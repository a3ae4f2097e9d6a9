"""The throughput jobs at a small scale (the bench runs them at 10,000 / 100,000) and the fast
helpers the register export reads the chain with, checked against the general encoders."""

import os

import pytest
from eth_abi import encode
from eth_utils import to_checksum_address
from fixtures.platform import deploy_registry, onboard

from kabuto.bench import throughput
from kabuto.bench.rawrpc import address_calldata, calldata, checksum_address
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
