"""Every script and subcommand run with malformed values for every option and argument, on a
test chain with the platform deployed, the example investors onboarded and STBOND1 issued:
no invocation may end in a Python traceback or send a transaction. Also: every option of
every command is documented in its --help.

Each invocation changes one value of a valid command line (BASELINES) to a malformed one of
its kind (MALFORMED, by parameter type); the commands run in this process, as `ape run` runs
them (their click `cli`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from cli_support import SCRIPTS, run, script, traceback_of

from kabuto.ops import params
from kabuto.ops.accounts import test_account as account_number
from kabuto.ops.chain import load_platform
from kabuto.ops.deploy import Operators, deploy_platform
from kabuto.ops.issue import plan_issue, run_issue
from kabuto.ops.onboard import plan_onboarding, run_onboarding

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
WALLET_1 = str(account_number(1).address)
LOWER = WALLET_1.lower()
# Commands that start chains, servers or long jobs when valid: only values their parameter
# types refuse are tried on them (never a value that could be valid).
TYPE_ONLY = {"deploy", "demo", "venue", "bench", "bench_scale", "venue_server", "venue_replay"}
# Ape's own options (--network, --provider-settings) are Ape's to check: a bad network makes
# Ape start another local node, which an in-process run cannot afford.
SKIP_PARAMS = {"help", "verbosity", "network", "provider_settings"}

UNKNOWN_ID = "0x" + "11" * 32
DVP_STEPS = ("show", "accept", "approve", "reject", "cancel", "refuse", "release")
OFFERING_STEPS = ("close", "settle", "finalize", "cancel", "show")
# A valid command line per command (name -> value); files are the examples.
BASELINES: dict[str, dict[str, str]] = {
    "onboard": {"investors_csv": str(EXAMPLES / "investors.csv")},
    "issue": {
        "term_sheet": str(EXAMPLES / "stbond1.yaml"),
        "allocation_csv": str(EXAMPLES / "stbond1-allocation.csv"),
    },
    "settle_batch": {"executions_csv": str(EXAMPLES / "venue-executions.csv")},
    "pay": {"symbol": "STBOND1", "--record-date": "2027-06-30"},
    "redeem": {"symbol": "STBOND1"},
    "export_register": {"symbol": "STBOND1"},
    "operate freeze": {"symbol": "STBOND1", "holder": "INV-001", "--reason": "fuzz"},
    "operate force-transfer": {
        "symbol": "STBOND1",
        "source": "INV-001",
        "recipient": "INV-002",
        "units": "1",
        "--reason-code": "correction",
        "--reason": "fuzz",
    },
    "operate recover": {"investor_id": "INV-001", "new_wallet": WALLET_1, "--reason": "fuzz"},
    "approvals list": {"symbol": "STBOND1"},
    "approvals approve": {"symbol": "STBOND1", "--id": "0"},
    "approvals reject": {"symbol": "STBOND1", "--id": "0", "--reason": "fuzz"},
    "clock": {"--to": "2020-01-01"},
    "coin mint": {"holder": "INV-001", "amount": "1"},
    "coin burn": {"amount": "1"},
    "coin redeem": {"holder": "INV-001", "amount": "1", "--bank-ref": "fuzz"},
    "coin balance": {"holder": "INV-001"},
    "investor renew-kyc": {"investor_id": "INV-001", "--until": "2031-01-01"},
    "investor set-class": {"investor_id": "INV-001", "investor_class": "General"},
    "investor set-tax-status": {"investor_id": "INV-001", "status": "ResidentIndividual"},
    "investor suspend": {"investor_id": "INV-001"},
    "investor reactivate": {"investor_id": "INV-001"},
    "investor revoke": {"investor_id": "INV-001"},
    "holder lock": {"symbol": "STBOND1", "holder": "INV-001", "units": "1"},
    "holder allow": {"holder": "INV-001", "amount": "1", "--to": "venue"},
    "holder allowances": {"holder": "INV-001"},
    "holder apply": {
        "symbol": "STBOND1",
        "holder": "INV-001",
        "recipient": "INV-002",
        "units": "1",
        "--note": "fuzz",
    },
    "holder cancel": {"symbol": "STBOND1", "application_id": "0"},
    "dvp instruct": {
        "symbol": "STBOND1",
        "seller": "INV-001",
        "buyer": "INV-002",
        "units": "1",
        "amount": "1",
        "--ref": "fuzz",
    },
    **{f"dvp {step}": {"instruction_id": UNKNOWN_ID} for step in DVP_STEPS},
    "offering open": {
        "symbol": "STBOND1",
        "--units": "10",
        "--min": "1",
        "--max": "5",
        "--end": "2020-01-01",
    },
    "offering apply": {"offering_id": "0", "holder": "INV-001", "units": "1"},
    "offering cancel-application": {"offering_id": "0", "holder": "INV-001"},
    "offering allot": {"offering_id": "0", "allotments": "INV-001=1"},
    **{f"offering {step}": {"offering_id": "0"} for step in OFFERING_STEPS},
    "deploy": {},
    "demo": {},
    "venue": {},
    "bench": {},
    "bench_scale": {},
    "venue_server": {},
    "venue_replay": {
        "orders_csv": str(EXAMPLES / "venue-orders.csv"),
        "--day": "2027-02-01",
    },
}
# Values a type cannot refuse but the command must (checked against the chain or together).
EXTRA = {
    ("export_register", "--block"): ["99999999"],
    ("clock", "--to"): ["2020-01-01"],
    ("investor renew-kyc", "--until"): ["2020-01-01"],
    ("pay", "--treaty-rate"): ["INV-012", "INV-012=abc", "=10"],
    ("holder lock", "--to"): ["INV-001", "0x1234", LOWER, WALLET_1],
    ("holder lock", "units"): ["99999"],
    ("holder apply", "recipient"): ["INV-001"],
    ("holder cancel", "application_id"): ["99"],
    ("dvp instruct", "buyer"): ["INV-001"],
    ("dvp instruct", "units"): ["99999"],
    ("offering allot", "allotments"): ["INV-001", "INV-001=0", "INV 1=2", "INV-001=x", "=3"],
}
PAIRS = [
    ("export_register", {"symbol": "STBOND1", "--block": "1", "--record-date": "2027-06-30"}),
    ("approvals approve", {"symbol": "STBOND1", "--id": "0", "--all": None}),
    ("approvals approve", {"symbol": "STBOND1"}),
    ("approvals reject", {"symbol": "STBOND1", "--id": "0"}),
    ("offering allot", {"offering_id": "0", "--as-applied": None, "allotments": "INV-001=1"}),
    ("offering allot", {"offering_id": "0"}),
]


def commands() -> Iterator[tuple[str, click.Command]]:
    for path in sorted(SCRIPTS.glob("*.py")):
        cli = script(path.stem).cli
        if isinstance(cli, click.Group):
            for name, sub in sorted(cli.commands.items()):
                yield f"{path.stem} {name}", sub
        else:
            yield path.stem, cli


def key(param: click.Parameter) -> str:
    return param.name if isinstance(param, click.Argument) else param.opts[0]


def malformed(param: click.Parameter, files: dict[str, str], type_only: bool) -> list[str]:
    kind = param.type
    if isinstance(param, click.Option) and param.is_flag:
        return []
    if isinstance(kind, click.IntRange):
        values = ["abc", "1.5"]
        if kind.min is not None:
            values.append(str(kind.min - 1))
        if kind.max is not None:
            values.append(str(kind.max + 1))
        return values
    if isinstance(kind, click.types.IntParamType):
        return ["abc", "1.5"]
    if isinstance(kind, params.DateType | click.DateTime):
        return ["2027-02-30", "30/06/2027", "2027-6", "tomorrow"]
    if isinstance(kind, params.HolderType):
        return [LOWER, "0x1234", "INV 001", "INV-404", "0x" + "0" * 40]
    if isinstance(kind, params.AddressType):
        return ["INV-001", LOWER, "0x1234", WALLET_1[:-1] + "x"]
    if isinstance(kind, params.InvestorIdType):
        return [WALLET_1, "INV 001", "INV-404"]
    if isinstance(kind, params.SymbolType):
        return ["stbond1", "NOPE1", ""]
    if isinstance(kind, params.Bytes32Type):
        return ["0x1234", "abc", UNKNOWN_ID[:-1] + "g", UNKNOWN_ID]
    if isinstance(kind, params.TextType):
        return ["", "   "]
    if isinstance(kind, click.Choice):
        return ["bogus"]
    if isinstance(kind, click.Path):
        if not kind.exists:
            return []
        values = ["/nonexistent/kabuto-fuzz.csv"]
        if not kind.dir_okay:
            values.append(files["dir"])
        if not kind.file_okay:
            values.append(files["empty"])
        if type_only:
            # Only what the type itself refuses: an existing file a type-only command accepts
            # would start that command for real (bench_scale's --earlier ran the whole scale
            # bench inside the suite and hung CI).
            return values
        if kind.dir_okay:
            values.append(files["empty"])
        else:
            values += [files["ragged"], files["binary"], files["empty"]]
        return values
    if type_only:
        return []
    if isinstance(param, click.Argument) and isinstance(kind, click.types.StringParamType):
        return ["bogus"]
    if isinstance(param, click.Option) and param.metavar == "ALIAS":
        return ["no-such-alias"]
    return []


def argv(command: click.Command, values: dict[str, str | None]) -> list[str]:
    positional, options = [], []
    for param in command.params:
        name = key(param)
        if name not in values:
            continue
        if isinstance(param, click.Argument):
            positional.append(values[name])
        else:
            options += [name] if values[name] is None else [name, values[name]]
    return [str(v) for v in positional] + options


@pytest.fixture(scope="module")
def fuzz_chain(tmp_path_factory):
    base = tmp_path_factory.mktemp("fuzz")
    ops = Operators.resolve()
    deploy_platform(ops, base / "deployments", base / "keys")
    platform = load_platform(base / "deployments")
    run_onboarding(
        plan_onboarding(platform, EXAMPLES / "investors.csv", str(ops.issuer.address)),
        ops.registrar,
        progress=False,
    )
    sheet, allocation = EXAMPLES / "stbond1.yaml", EXAMPLES / "stbond1-allocation.csv"
    plan = plan_issue(platform, sheet, allocation, allow_early=True)
    run_issue(plan, ops.issuer, ops.paying_agent, ops.compliance, sheet, progress=False)
    files = {"dir": str(base), "empty": str(base / "empty.csv")}
    (base / "empty.csv").write_text("")
    files["ragged"] = str(base / "ragged.csv")
    (base / "ragged.csv").write_text("a,b\n1,2,3,4\n\x00\n")
    files["binary"] = str(base / "binary.csv")
    (base / "binary.csv").write_bytes(bytes(range(256)))
    return base, files


def test_every_command_every_bad_value__no_traceback_nothing_sent(fuzz_chain, chain, suite_summary):
    base, files = fuzz_chain
    common = {"--deployments": str(base / "deployments"), "--keys": str(base / "keys")}
    cwd = os.getcwd()
    os.chdir(base)  # anything a command writes by default lands here
    tried, failures = 0, []
    try:
        for name, command in commands():
            assert name in BASELINES, f"add a valid command line for {name!r} to BASELINES"
            script_name, *sub = name.split()
            type_only = script_name in TYPE_ONLY
            baseline = dict(BASELINES[name])
            for param in command.params:
                if key(param) in common and key(param) not in baseline:
                    baseline[key(param)] = common[key(param)]
            cases = [
                (key(p), value)
                for p in command.params
                if p.name not in SKIP_PARAMS
                for value in malformed(p, files, type_only) + EXTRA.get((name, key(p)), [])
            ]
            runs = [dict(baseline, **{k: v}) for k, v in cases]
            runs += [dict(common, **v) for n, v in PAIRS if n == name]
            for values in runs:
                height = chain.blocks.height
                if os.environ.get("KABUTO_FUZZ_TRACE"):
                    print("fuzz:", name, argv(command, values), flush=True)
                result = run(script_name, *sub, *argv(command, values))
                tried += 1
                problem = traceback_of(result)
                if problem or result.exit_code == 0 or chain.blocks.height != height:
                    failures.append(
                        f"ape run {name} {argv(command, values)}: exit {result.exit_code}, "
                        f"blocks {height}->{chain.blocks.height}: {problem or result.output}"
                    )
    finally:
        os.chdir(cwd)
    suite_summary(f"CLI fuzz: {tried} invocations of every script and subcommand, no traceback")
    print(f"CLI fuzz: {tried} invocations tried")
    for failure in failures:
        print("FUZZ FAILURE:", failure)
    assert not failures, f"{len(failures)} of {tried} invocations:\n" + "\n".join(failures)


def test_every_option_documented_in_help():
    undocumented = [
        f"{name} {key(param)}"
        for name, command in commands()
        for param in command.params
        if isinstance(param, click.Option) and not (param.help or "").strip()
    ]
    assert not undocumented, undocumented


def test_upkeep_coin_clock__send_once_then_nothing(fuzz_chain, chain):
    """The lifecycle commands each send what differs, and a rerun sends nothing."""
    base, _ = fuzz_chain
    where = ["--deployments", str(base / "deployments")]
    for args, said in (
        (["investor", "set-class", "INV-001", "Specified"], "class General -> Specified"),
        (["investor", "renew-kyc", "INV-001", "--until", "2032-03-31"], "-> 2032-03-31"),
        (["investor", "set-tax-status", "INV-001", "Exempt"], "-> Exempt"),
        (["investor", "suspend", "INV-002"], "active -> suspended"),
        (["coin", "mint", "INV-003", "5000"], "minted 5,000 yen"),
    ):
        height = chain.blocks.height
        first = run(*args, *where)
        assert first.exit_code == 0 and said in first.output, first.output
        assert chain.blocks.height == height + 1
        again = run(*args, *where)  # a rerun: the coin's too (same amount, account and day)
        assert "nothing sent" in again.output and chain.blocks.height == height + 1
    dry = run("coin", "burn", "1", "--dry-run", *where)
    assert "holds 0 yen" in dry.output or "dry run" in dry.output
    height = chain.blocks.height
    moved = run("clock", "--to", "2031-07-15")
    assert moved.exit_code == 0 and "2031-07-15" in moved.output
    same = run("clock", "--to", "2031-07-15")  # a rerun: already that day, nothing mined
    assert same.exit_code == 0 and "already" in same.output, same.output
    back = run("clock", "--to", "2031-07-01")
    assert back.exit_code != 0 and "never goes back" in back.output
    assert chain.blocks.height == height + 1


def test_recover__moves_tokens_and_yen_coin_with_reason(fuzz_chain, chain):
    base, _ = fuzz_chain
    where = ["--deployments", str(base / "deployments")]
    platform = load_platform(base / "deployments")
    lost, fresh = str(account_number(4).address), str(account_number(30).address)
    units = int(platform.token("STBOND1").balanceOf(lost))
    assert units > 0
    assert run("coin", "mint", "INV-004", "7000", *where).exit_code == 0
    height = chain.blocks.height
    preview = run("operate", "recover", "INV-004", fresh, "--reason", "x", "--dry-run", *where)
    assert preview.exit_code == 0 and chain.blocks.height == height, preview.output
    assert f"would move {units} STBOND1" in preview.output and "7,000 yen" in preview.output
    result = run("operate", "recover", "INV-004", fresh, "--reason", "phone lost", *where)
    assert result.exit_code == 0, result.output
    assert "7,000 yen moved" in result.output
    assert platform.token("STBOND1").balanceOf(fresh) == units
    assert platform.yen.balanceOf(fresh) == 7000 and platform.yen.balanceOf(lost) == 0
    again = run("operate", "recover", "INV-004", fresh, "--reason", "phone lost", *where)
    assert again.exit_code == 0 and "holds none" in again.output
