"""The README's lifecycle by hand: nothing but the operator commands, on a persistent gas-free
node like `make privnet` (chain id 2017, gas price 0, unfunded senders), in the README's order,
with the investor-side steps (locks, allowances, applications), bilateral DvP and a primary
offering. Every step that sends is run twice: the second run must send nothing.

The commands run in this process as `ape run` runs them (their click `cli`, connected to the
node): an `ape run` process costs ~10 s of start-up on a loaded CI machine. The last test runs
real `ape run` processes against the same node (a write and its rerun)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ape import chain, networks

from kabuto.environment import PROJECT_ROOT
from kabuto.localchain import PRIVNET_CHAIN_ID, privnet_node
from kabuto.ops.accounts import test_account as account_number
from kabuto.ops.chain import load_platform

EXAMPLES = PROJECT_ROOT / "examples"
NETWORK = "ethereum:privnet:node"


def _cli_support():
    path = PROJECT_ROOT / "tests" / "unit" / "tooling" / "cli_support.py"
    spec = importlib.util.spec_from_file_location("kabuto_cli_support", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


cli = _cli_support()


@pytest.fixture
def _function_isolation():
    """Ape snapshots the chain around every test and reverts it afterwards. The privnet node, like
    a real consortium node, has no snapshots: asking it makes Ape switch isolation off for the
    rest of the worker's session, and later modules then see this module's state (a frozen wallet
    here failed the venue's replay test in CI). This module's steps build on each other anyway,
    so its tests take no snapshots; the session's own chain is isolated as usual."""
    yield


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    base = tmp_path_factory.mktemp("byhand")
    with privnet_node() as anvil:
        with networks.parse_network_choice(NETWORK, provider_settings={"uri": anvil.url}):
            assert chain.chain_id == PRIVNET_CHAIN_ID
            yield anvil, base


class Operator:
    def __init__(self, base: Path):
        self.where = ["--deployments", str(base / "deployments")]
        self.keys = ["--keys", str(base / "keys")]
        self.log: list[str] = []

    def __call__(
        self,
        *args: object,
        sends: bool = True,
        rerun: bool = True,
        keys: bool = False,
        dry: bool = False,
    ) -> str:
        """Runs the command; `sends`: it must mine at least one block; `rerun`: a second run
        must mine none; `dry`: first with --dry-run, which must say what it would send and
        mine nothing. Returns the first real run's output."""
        where = [] if args[0] == "clock" else self.where
        argv = [str(a) for a in args] + where + (self.keys if keys else [])
        height = chain.blocks.height
        if dry:
            preview = cli.run(*argv, "--dry-run")
            assert preview.exit_code == 0, f"{argv} --dry-run:\n{preview.output}"
            assert "would" in preview.output and chain.blocks.height == height, preview.output
        result = cli.run(*argv)
        self.log.append(f"$ ape run {' '.join(argv)}\n{result.output}")
        assert result.exit_code == 0, f"ape run {' '.join(argv)}:\n{result.output}"
        assert cli.traceback_of(result) is None, result.output
        if sends:
            assert chain.blocks.height > height, f"{argv} sent nothing:\n{result.output}"
        else:
            assert chain.blocks.height == height, f"{argv} sent something:\n{result.output}"
        if sends and rerun:
            height = chain.blocks.height
            again = cli.run(*argv)
            assert again.exit_code == 0, f"rerun of {argv}:\n{again.output}"
            assert chain.blocks.height == height, f"rerun of {argv} sent again:\n{again.output}"
        return result.output

    def refused(self, *args: object, said: str) -> str:
        argv = [str(a) for a in args] + self.where
        height = chain.blocks.height
        result = cli.run(*argv)
        assert result.exit_code != 0 and cli.traceback_of(result) is None, result.output
        assert said in result.output, result.output
        assert chain.blocks.height == height
        return result.output


def wallet(number: int) -> str:
    return str(account_number(number).address)


@pytest.fixture
def run(node, monkeypatch) -> Operator:
    """The operator on the module's node; the tests below are the lifecycle's steps in order
    (the node keeps its state from one to the next)."""
    monkeypatch.chdir(node[1])  # registers/ and payments/ land here
    return Operator(node[1])


def test_1_deploy_onboard_fund_issue(run):
    run("deploy", rerun=False, keys=True)
    run("onboard", EXAMPLES / "investors.csv", keys=True, dry=True)
    for who, yen in (("INV-001", 10_000_000), ("INV-002", 2_000_000), ("INV-004", 3_000_000)):
        run("coin", "mint", who, yen)
    run("coin", "mint", wallet(23), 20_000_000, dry=True)  # the paying agent's deposit
    said = run("coin", "mint", wallet(23), 1, "--again", rerun=False)
    assert "minted 1 yen" in said
    run("clock", "--to", "2027-01-15")
    for name in ("stbond1", "retrust1", "protrust1"):
        run("issue", EXAMPLES / f"{name}.yaml", EXAMPLES / f"{name}-allocation.csv", dry=True)


def test_2_venue_batch_and_bilateral_dvp(run, node):
    base = node[1]
    # the venue's batch: sellers lock, buyers allow the venue their yen, the venue settles
    run("clock", "--to", "2027-02-01")
    for symbol, seller, units in (
        ("STBOND1", "INV-003", 5),
        ("STBOND1", "INV-007", 10),
        ("RETRUST1", "INV-006", 6),
        ("RETRUST1", "INV-008", 2),
    ):
        run("holder", "lock", symbol, seller, units, dry=True)
    for buyer, yen in (("INV-004", 2_510_150), ("INV-002", 1_000_300), ("INV-001", 6_030_000)):
        run("holder", "allow", buyer, yen, "--to", "venue")
    dvp = load_platform(base / "deployments").dvp.address
    run.refused("holder", "lock", "STBOND1", "INV-003", 1, "--to", dvp, said="dvp instruct")
    run.refused("holder", "lock", "STBOND1", "INV-003", 999, said="cannot be locked")
    run.refused("holder", "apply", "STBOND1", "INV-003", "INV-004", 1, said="needs no approval")
    shown = run("holder", "allowances", "INV-001", sends=False)
    assert "6,030,000" in shown
    run("settle_batch", EXAMPLES / "venue-executions.csv", dry=True)

    # bilateral DvP: the seller instructs, the buyer accepts
    run("coin", "mint", "INV-012", 300_000)
    said = run(
        "dvp", "instruct", "STBOND1", "INV-005", "INV-012", 2, 200_060, "--ref", "OTC-1", dry=True
    )
    instruction = said.split()[1]
    assert instruction.startswith("0x") and len(instruction) == 66, said
    run("dvp", "accept", instruction, dry=True)
    assert "Settled" in run("dvp", "show", instruction, sends=False)
    run.refused("dvp", "cancel", instruction, said="Settled")
    said = run("dvp", "instruct", "STBOND1", "INV-005", "INV-012", 1, 100_030, "--ref", "OTC-2")
    run.refused("dvp", "release", said.split()[1], said="the seller may cancel it")
    run.refused(
        "dvp", "instruct", "STBOND1", "INV-005", "INV-012", 999, 1, "--ref", "X", said="free"
    )
    run("dvp", "cancel", said.split()[1])


def test_3_applications_approval_dvp_and_offering(run):
    # an issuer-approved transfer after PROTRUST1's lock-up; one withdrawn, one approved
    run("clock", "--to", "2027-04-01")
    said = run("holder", "apply", "PROTRUST1", "INV-009", "INV-010", 1, "--note", "withdrawn")
    withdrawn = said.split()[2].strip("#:")
    run("holder", "cancel", "PROTRUST1", withdrawn)
    run("holder", "apply", "PROTRUST1", "INV-009", "INV-010", 5, "--note", "block trade")
    queue = run("approvals", "list", "PROTRUST1", sends=False, keys=True)
    assert "INV-009" in queue and "block trade" in queue
    run("approvals", "approve", "PROTRUST1", "--all", dry=True)
    # DvP of an approval-required token: the issuer approves before the buyer can accept
    run("coin", "mint", "INV-010", 10_000_000)
    said = run("dvp", "instruct", "PROTRUST1", "INV-009", "INV-010", 1, 10_000_000, "--ref", "X-1")
    approval = said.split()[1]
    run.refused("dvp", "accept", approval, said="needs the issuer's approval")
    run("dvp", "approve", approval, dry=True)
    run("dvp", "accept", approval)

    # a second tranche of STBOND1 by primary offering
    terms = ["--units", 10, "--max", 5, "--end", "2027-04-10"]
    run("offering", "open", "STBOND1", *terms, "--min", 1, dry=True)
    run.refused("offering", "open", "STBOND1", *terms, "--min", 6, said="--min")
    run.refused("offering", "apply", 0, "INV-001", 6, said="1-5 units")
    run.refused("offering", "allot", 0, "INV-001=3", said="close it first")
    run("offering", "apply", 0, "INV-001", 3)
    run("offering", "apply", 0, "INV-002", 2)
    run("offering", "cancel-application", 0, "INV-002")
    run("offering", "close", 0)
    run.refused("offering", "allot", 0, "INV-002=2", said="INV-002's application is Cancelled")
    run.refused("offering", "allot", 0, "INV-003=1", said="INV-003 did not apply")
    run("offering", "allot", 0, "--as-applied")
    run("holder", "allow", "INV-001", 300_000, "--to", "offering")
    run("offering", "settle", 0, dry=True)
    run("offering", "finalize", 0)
    assert "settled 3" in run("offering", "show", 0, sends=False)


def test_4_coupons_upkeep_register_maturity(run, node):
    base = node[1]
    run("clock", "--to", "2027-07-15")
    run("pay", "STBOND1", "--record-date", "2027-06-30", dry=True)
    run("investor", "renew-kyc", "INV-001", "--until", "2032-03-31")
    run("operate", "freeze", "RETRUST1", "INV-006", "--reason", "court order", dry=True)
    run("export_register", "STBOND1", "--record-date", "2027-06-30", sends=False, keys=True)
    run("clock", "--to", "2028-01-14")
    run("pay", "STBOND1", "--record-date", "2027-12-31")
    run("redeem", "STBOND1", dry=True)
    assert list((base / "registers").glob(f"{PRIVNET_CHAIN_ID}-STBOND1-*.csv"))


def test_5_ape_run_processes_on_the_same_node(node):
    """Real `ape run` processes on the persistent node: a write, then the same again."""
    anvil, base = node
    env = dict(os.environ, KABUTO_PRIVNET_RPC_URL=anvil.url)
    where = ["--network", NETWORK, "--deployments", str(base / "deployments")]

    def ape_run(*args: str) -> str:
        done = subprocess.run(
            [str(Path(sys.executable).parent / "ape"), "run", *args, *where],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Traceback" not in done.stderr, done.stderr
        return done.stdout

    height = chain.blocks.height
    assert "-> 1,000" in ape_run("holder", "allow", "INV-003", "1000", "--to", "dvp")
    assert chain.blocks.height == height + 1
    assert "nothing sent" in ape_run("holder", "allow", "INV-003", "1000", "--to", "dvp")
    assert chain.blocks.height == height + 1
