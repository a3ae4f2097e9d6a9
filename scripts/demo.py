"""The Kabuto demo: runs the platform's main job on a local chain Ape starts itself."""

import click
from ape import accounts, chain, project
from ape.cli import ConnectedProviderCommand, network_option


@click.command(cls=ConnectedProviderCommand)
@network_option()
def cli(network):
    operator = accounts.test_accounts[0]
    click.echo(f"kabuto demo on {network.name} (chain id {chain.chain_id}, provider {chain.provider.name})")
    token = project.PlainERC20.deploy("Demo", "DMO", 1_000, sender=operator)
    click.echo(f"deployed PlainERC20 at {token.address}; operator holds {token.balanceOf(operator)}")
