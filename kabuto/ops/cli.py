"""Command-line pieces the Ape scripts share: options for the manifest folder and the named
operator accounts, and turning tooling errors into a clear message with exit status 1."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from ape.exceptions import ApeException, ContractLogicError
from ape.logging import LogLevel, logger

from kabuto.errors import KabutoError, OptionError
from kabuto.manifest import DEFAULT_DIR
from kabuto.ops.accounts import ROLE_INDEX
from kabuto.ops.chain import revert_reason

F = TypeVar("F", bound=Callable[..., Any])


def deployments_option(f: F) -> F:
    return click.option(
        "--deployments",
        "deployments",
        type=click.Path(path_type=Path),
        default=DEFAULT_DIR,
        show_default=True,
        help="folder of the deployment manifests (<chain-id>.json)",
    )(f)


def keys_option(f: F) -> F:
    return click.option(
        "--keys",
        "key_dir",
        type=click.Path(path_type=Path),
        default=Path("keys"),
        show_default=True,
        help="folder of the issuer key files (<issuer address>.pem)",
    )(f)


def role_option(role: str) -> Callable[[F], F]:
    """--<role> ALIAS: the Ape account alias signing as `role` (default on local networks:
    test account ROLE_INDEX[role])."""
    flag = "--" + role.replace("_", "-")

    def decorate(f: F) -> F:
        return click.option(
            flag,
            role,
            default=None,
            metavar="ALIAS",
            help=f"Ape account alias of the {role.replace('_', ' ')} "
            f"(local networks: test account {ROLE_INDEX[role]})",
        )(f)

    return decorate


def quiet_ape() -> None:
    """Keep Ape's per-transaction INFO lines out of the operator's output."""
    if logger.level <= LogLevel.INFO:
        logger.set_level(LogLevel.WARNING)


def reports_errors(f: F) -> F:
    """Tooling errors and chain refusals end the command with their message, no traceback."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except OptionError as exc:
            raise click.BadParameter(
                f"{exc.message}; nothing was sent", param_hint=f"'{exc.option}'"
            ) from exc
        except KabutoError as exc:
            raise click.ClickException(str(exc)) from exc
        except ContractLogicError as exc:
            raise click.ClickException(
                f"the chain refused the transaction: {revert_reason(exc)}"
            ) from exc
        except ApeException as exc:  # the node, an account, a network: said in Ape's words
            raise click.ClickException(f"{type(exc).__name__}: {exc}") from exc

    return wrapper  # type: ignore[return-value]


def records_option(default: Path) -> Callable[[F], F]:
    """--out DIR: where `ape run pay` / `ape run redeem` write the per-holder payment records."""
    return click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=default,
        show_default=True,
        help="folder for the per-holder payment records",
    )


def batch_size_option(default: int, what: str) -> Callable[[F], F]:
    """--batch-size N: how many `what` go into one transaction."""
    return click.option(
        "--batch-size",
        type=click.IntRange(min=1, max=10_000),
        default=default,
        show_default=True,
        help=f"{what} per transaction",
    )


def claim_days_option(default: int) -> Callable[[F], F]:
    """--claim-days N: how long holders may still claim a payment."""
    return click.option(
        "--claim-days",
        type=click.IntRange(min=0, max=36_500),
        default=default,
        show_default=True,
        help="days after the payment date that holders may still claim",
    )


def account_option(f: F) -> F:
    """--account ALIAS: the investor's own Ape account (investor-side commands)."""
    return click.option(
        "--account",
        "account",
        default=None,
        metavar="ALIAS",
        help="Ape account alias of the investor who signs (local networks: the investor's "
        "test account, found by its wallet)",
    )(f)


DRY_RUN = click.option("--dry-run", is_flag=True, help="check and say what would be sent")


def subcommand(
    group: click.Group, name: str, short: str, *decorators: Callable[[Any], Any]
) -> Callable[[F], F]:
    """`group`'s subcommand `name` on a connected chain (Ape's --network first), with
    `decorators` applied as if written above the function in this order."""
    from ape.cli import ConnectedProviderCommand, network_option

    def decorate(f: F) -> F:
        for decorator in reversed(decorators):
            f = decorator(f)
        f = network_option()(f)
        return group.command(name, cls=ConnectedProviderCommand, short_help=short)(f)  # type: ignore[return-value]

    return decorate
