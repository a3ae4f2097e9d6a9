"""A contract importing OpenZeppelin compiles and deploys on every network Kabuto supports."""

import os

import pytest
from ape import networks

from kabuto.localchain import PRIVNET_CHAIN_ID, privnet_node


def test_local_network__runs_on_anvil_with_the_configured_hardfork(chain, project, deployer):
    provider = chain.provider
    assert provider.name == "foundry"
    # ape-foundry picked a free port, never a node someone left on 8545.
    assert provider.evm_version == os.environ["KABUTO_EVM_VERSION"]
    assert chain.provider.web3.client_version.startswith("anvil")
    token = project.PlainERC20.deploy("Probe", "PRB", 1_000, sender=deployer)
    assert token.balanceOf(deployer) == 1_000


def test_compiled_for_the_configured_evm_target(project):
    settings = project.PlainERC20.contract_type
    compiler = next(c for c in project.manifest.compilers if "PlainERC20" in c.contractTypes)
    assert compiler.settings["evmVersion"] == os.environ["KABUTO_EVM_VERSION"]
    assert settings.deployment_bytecode.bytecode


@pytest.fixture
def privnet():
    with privnet_node() as node:
        with networks.parse_network_choice(
            "ethereum:privnet:node", provider_settings={"uri": node.url}
        ) as provider:
            yield provider


def test_privnet__unfunded_account_deploys_and_transacts_with_zero_gas_price(
    privnet, project, accounts
):
    unfunded = accounts.generate_test_account()
    assert privnet.chain_id == PRIVNET_CHAIN_ID
    assert privnet.get_balance(unfunded.address) == 0
    token = project.PlainERC20.deploy("Probe", "PRB", 500, sender=unfunded, gas_price=0, type=0)
    receipt = token.transfer(accounts[1], 200, sender=unfunded, gas_price=0, type=0)
    assert receipt.gas_price == 0
    assert token.balanceOf(accounts[1]) == 200
    assert privnet.get_balance(unfunded.address) == 0
