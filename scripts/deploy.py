"""Deploy the Kabuto platform and write deployments/<chain-id>.json.

Deploys the investor registry, the yen coin, bilateral (DvP) and venue batch settlement and
corporate actions; grants the roles to the named accounts; creates the issuer's key pair
in keys/ (if absent; X25519 unless --issuer-key-type rsa) and registers its public key. Run again to complete a stopped run:
what the manifest and the chain already have is kept. The paying agent, the tax account and the
contracts that hold yen are system accounts of the coin, so --coin-eligibility (the coin accepts
only registered investors and system accounts) works now or switched on later.
"""

import click
from ape.cli import ConnectedProviderCommand, network_option

from kabuto.crypto import DEFAULT_KEY_TYPE, KeyType
from kabuto.ops.cli import deployments_option, keys_option, quiet_ape, reports_errors, role_option
from kabuto.ops.deploy import Operators, deploy_platform

ROLES = (
    "deployer",
    "registrar",
    "issuer",
    "trust_bank",
    "paying_agent",
    "venue_agent",
    "compliance",
    "tax_account",
)


def _with_roles(f):
    for role in reversed(ROLES):
        f = role_option(role)(f)
    return f


@click.command(cls=ConnectedProviderCommand, help=__doc__)
@network_option()
@deployments_option
@keys_option
@click.option(
    "--issuer-key-type",
    type=click.Choice([t.value for t in KeyType]),
    default=DEFAULT_KEY_TYPE.value,
    show_default=True,
    help="type of a NEW issuer key (rsa for an HSM without X25519); an existing key is kept",
)
@click.option(
    "--coin-eligibility",
    is_flag=True,
    help="switch the yen coin's eligibility mode on (or keep it on)",
)
@_with_roles
@reports_errors
def cli(deployments, key_dir, issuer_key_type, coin_eligibility, **aliases):
    quiet_ape()
    ops = Operators.resolve({role: aliases.get(role) for role in ROLES})
    report = deploy_platform(
        ops,
        deployments,
        key_dir,
        echo=click.echo,
        key_type=KeyType(issuer_key_type),
        coin_eligibility=coin_eligibility,
    )
    if report.kept:
        click.echo(f"  kept (already deployed): {', '.join(report.kept)}")
    for grant in report.roles_granted:
        click.echo(f"  granted {grant}")
    if report.system_accounts:
        click.echo(f"  yen system accounts: {', '.join(report.system_accounts)}")
    if report.eligibility_switched_on:
        click.echo("  yen coin eligibility mode switched on")
    if report.key_files is not None:
        state = "created" if report.key_created else "existing"
        click.echo(
            f"  issuer key ({state}): {report.key_files.private} (private, keep it safe), "
            f"{report.key_files.public}"
        )
    click.echo(f"manifest: {report.manifest_path}")
