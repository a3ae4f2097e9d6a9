"""Named operator accounts: who signs what.

Each operator task is signed by an account with one role. On local networks (Ape's anvil,
the gas-free privnet that `make privnet` starts) the roles default to fixed accounts of the
test mnemonic (``test test ... junk``), far from the investors' accounts 1..12 the examples
use; on any other network every role must be an Ape account alias (``ape accounts import``).

| role          | default test account | holds                                                    |
|---------------|---------------------:|----------------------------------------------------------|
| deployer      | 0  | admin of the registry, settlement and corporate-actions contracts |
| registrar     | 20 | REGISTRAR_ROLE of the investor registry (a securities firm)      |
| issuer        | 21 | token admin and agent; its key (X25519 or RSA) decrypts personal data |
| trust_bank    | 22 | the yen coin's admin roles and its minter                         |
| paying_agent  | 23 | token agent for payments; funds coupons and redemptions           |
| venue_agent   | 24 | admin and settlement agent of the venue's BatchSettlement         |
| compliance    | 25 | COMPLIANCE_ROLE of tokens (freeze, pause)                         |
| tax_account   | 26 | receives withheld tax (never signs)                               |
"""

from __future__ import annotations

from typing import Any

from ape import accounts, networks
from ape.utils import generate_dev_accounts

from kabuto.errors import KabutoError

ROLE_INDEX: dict[str, int] = {
    "deployer": 0,
    "registrar": 20,
    "issuer": 21,
    "trust_bank": 22,
    "paying_agent": 23,
    "venue_agent": 24,
    "compliance": 25,
    "tax_account": 26,
}
LOCAL_NETWORKS = frozenset({"local", "privnet"})


class AccountError(KabutoError):
    """An operator account cannot be found or is not allowed on this network."""


def test_account(index: int) -> Any:
    """Account `index` of the test mnemonic, also beyond the ones Ape funds (gas-free chains
    need no funds)."""
    manager = accounts.test_accounts
    if index < manager.number_of_accounts:
        return manager[index]
    container = manager.containers["test"]
    for account in container.generated_accounts:
        if account.index == index:
            return account
    generated = generate_dev_accounts(
        container.mnemonic, 1, hd_path=container.hd_path, start_index=index
    )[0]
    account = container.init_test_account(index, generated.address, generated.private_key)
    container.generated_accounts.append(account)
    return account


def is_local_network() -> bool:
    return networks.provider.network.name in LOCAL_NETWORKS


def account_for(role: str, alias: str | None = None) -> Any:
    """The account that signs as `role`: the Ape alias if given (an integer picks a test
    account), else the role's test account on local networks.

    Raises:
        AccountError: unknown role or alias, or no alias on a non-local network.
    """
    if role not in ROLE_INDEX:
        raise AccountError(f"unknown role {role!r}; roles: {', '.join(ROLE_INDEX)}")
    if alias:
        if alias.isdigit():
            return test_account(int(alias))
        try:
            return accounts.load(alias)
        except Exception as exc:  # ape raises several kinds for a missing alias
            raise AccountError(
                f"no Ape account {alias!r} for the {role}: import it with "
                f"`ape accounts import {alias}`"
            ) from exc
    if not is_local_network():
        raise AccountError(
            f"network {networks.provider.network.name!r} is not local: give the "
            f"{role}'s Ape account alias (--{role.replace('_', '-')} ALIAS)"
        )
    return test_account(ROLE_INDEX[role])


def address_of(role: str, alias: str | None = None) -> str:
    return str(account_for(role, alias).address)


def local_account_of(wallet: str, what: str = "HOLDER") -> Any:
    """The test account whose address is `wallet`: investor-side actions are signed by the
    investor, which only local and test chains can do for them (accounts 0-40 searched).

    Raises:
        AccountError: not a local network, or no test account has that address.
    """
    if not is_local_network():
        raise AccountError(
            f"{what}: investor-side actions are signed by the investor's own wallet; only "
            "on a local chain does this tooling hold it"
        )
    for index in range(41):
        account = test_account(index)
        if str(account.address) == wallet:
            return account
    raise AccountError(f"{what}: {wallet} is not one of this local chain's test accounts")


def investor_account(wallet: str, alias: str | None = None, what: str = "HOLDER") -> Any:
    """The account an investor signs with: the Ape alias if given (it must be `wallet`), else
    on local chains the test account whose address is `wallet`.

    Raises:
        AccountError: no such alias, an alias of another wallet, or no local account.
    """
    if not alias:
        return local_account_of(wallet, what)
    if alias.isdigit():
        account = test_account(int(alias))
    else:
        try:
            account = accounts.load(alias)
        except Exception as exc:  # ape raises several kinds for a missing alias
            raise AccountError(
                f"--account: no Ape account {alias!r}: import it with `ape accounts import {alias}`"
            ) from exc
    if str(account.address) != wallet:
        raise AccountError(
            f"--account {alias} is {account.address}, not {what}'s wallet {wallet}; "
            "an investor signs with its own wallet"
        )
    return account
