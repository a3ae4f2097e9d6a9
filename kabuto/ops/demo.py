"""The demo's storyline, step by step, on the connected (local) chain."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from ape import chain

from kabuto.errors import ChainStateError
from kabuto.ops import approvals, trading
from kabuto.ops.accounts import test_account
from kabuto.ops.chain import Platform, load_platform
from kabuto.ops.clock import today, travel_to
from kabuto.ops.deploy import Operators, deploy_platform
from kabuto.ops.export import export_register
from kabuto.ops.issue import plan_issue, run_issue
from kabuto.ops.onboard import plan_onboarding, run_onboarding
from kabuto.ops.payments import PaymentReport, pay_record_date, redeem_at_maturity
from kabuto.ops.settle import plan_batch, settle

Echo = Callable[[str], None]
ISSUE_DAY = date(2027, 1, 15)
TRADE_DAY = date(2027, 2, 1)
AFTER_LOCK_UP = date(2027, 4, 1)
FIRST_COUPON_DAY = date(2027, 7, 15)
MATURITY = date(2028, 1, 14)  # the terms say 2028-01-15, a Saturday: paid the business day before
YEN_PER_INVESTOR = 10_000_000
PAYING_AGENT_DEPOSIT = 12_100_000  # 120 bonds redeemed at 100,000 yen plus two coupons of 175


def investor(number: int) -> Any:
    """INV-0nn of examples/investors.csv: account nn of the test mnemonic."""
    return test_account(number)


def _payment_line(echo: Echo, symbol: str, report: PaymentReport) -> None:
    echo(
        f"  {symbol} {report.kind} (payment #{report.payment_id}): {report.batches.sent} "
        f"holders paid, gross {report.gross:,} yen, tax withheld {report.tax:,}, "
        f"net {report.net:,}"
    )
    if report.records:
        echo(f"    payment records (per holder, tax by component): {report.records[0]}")


def _step(echo: Echo, title: str) -> None:
    echo("")
    echo(f"== {title} ({today()}, block {chain.blocks.height})")


def run_demo(
    examples: Path,
    out: Path,
    deployments: Path,
    key_dir: Path,
    echo: Echo,
    coin_eligibility: bool = False,
    progress: bool = True,
) -> None:
    """The whole lifecycle; with `coin_eligibility` the yen coin accepts only registered
    investors and the platform's system accounts from the start. `progress`: a progress bar
    on the long steps (onboarding, issuing)."""
    ops = Operators.resolve()
    records = out / "payments"
    echo(
        f"Kabuto demo on chain {chain.chain_id} ({chain.provider.network.name}); operators: "
        f"deployer {ops.deployer.address}, registrar {ops.registrar.address}, "
        f"issuer {ops.issuer.address}"
    )

    _step(echo, "1. deploy the platform")
    report = deploy_platform(
        ops, deployments, key_dir, echo=echo, coin_eligibility=coin_eligibility
    )
    if coin_eligibility:
        echo("  yen coin in eligibility mode: registered investors and system accounts only")
    echo(
        f"  manifest {report.manifest_path}; issuer key {report.key_files.private if report.key_files else '-'}"
    )
    platform = load_platform(deployments)

    _step(echo, "2. onboard investors (examples/investors.csv)")
    plan = plan_onboarding(platform, examples / "investors.csv", str(ops.issuer.address))
    run_onboarding(plan, ops.registrar, progress=progress)
    for row in plan.investors:
        echo(
            f"  {row.investor_id} {row.investor_class.label:<22} {row.tax_status.label:<20} "
            f"{row.wallet}"
        )

    travel_to(ISSUE_DAY)
    _step(echo, "3. issue the securities")
    for sheet, allocation in (
        ("stbond1.yaml", "stbond1-allocation.csv"),
        ("retrust1.yaml", "retrust1-allocation.csv"),
        ("protrust1.yaml", "protrust1-allocation.csv"),
    ):
        iplan = plan_issue(platform, examples / sheet, examples / allocation)
        result = run_issue(
            iplan, ops.issuer, ops.paying_agent, ops.compliance, examples / sheet, progress=progress
        )
        units = sum(a.units for a in iplan.allotments)
        echo(
            f"  {iplan.sheet.symbol:<10} {iplan.sheet.category.label:<15} {result.token}: "
            f"{units} units to {len(iplan.allotments)} investors"
        )

    platform = platform.reload()
    stbond, retrust, protrust = (platform.token(s) for s in ("STBOND1", "RETRUST1", "PROTRUST1"))

    _step(echo, "4. the trust bank funds investors with yen coin")
    amounts = {str(investor(n).address): YEN_PER_INVESTOR for n in range(1, 13)}
    amounts[str(ops.paying_agent.address)] = PAYING_AGENT_DEPOSIT
    total = trading.mint_yen(platform, ops.trust_bank, amounts)
    echo(
        f"  minted {total:,} JPYK: {YEN_PER_INVESTOR:,} to each investor, "
        f"{PAYING_AGENT_DEPOSIT:,} to the paying agent (the issuer's deposit)"
    )

    _step(echo, "5. a refused transfer")
    refusal = trading.checked_transfer(retrust, investor(1), str(investor(4).address), 1)
    echo(
        f"  INV-001 -> INV-004, 1 RETRUST1 (INV-001 holds 2, minimum holding 2): "
        f"{'REFUSED: ' + str(refusal) if refusal else 'sent'}; nothing was sent"
    )
    refusal = trading.checked_transfer(protrust, investor(9), str(investor(1).address), 1)
    echo(
        f"  INV-009 -> INV-001 (General), 1 PROTRUST1: "
        f"{'REFUSED: ' + str(refusal) if refusal else 'sent'}"
    )

    travel_to(TRADE_DAY)
    _step(echo, "6. bilateral DvP: INV-005 sells 2 STBOND1 to INV-012 for 200,060 yen")
    try:
        instruction = trading.instruct_dvp(
            platform, stbond, investor(5), str(investor(12).address), 2, 200_060
        )
    except ChainStateError as exc:
        echo(f"  NOT RUN: {exc}")
    else:
        trading.accept_dvp(platform, instruction, investor(12))
        echo(
            f"  settled in one transaction: INV-012 holds {stbond.balanceOf(investor(12))} "
            f"STBOND1, INV-005 received 200,060 yen (balance "
            f"{platform.yen.balanceOf(investor(5)):,})"
        )

    _step(echo, "7. venue batch: examples/venue-executions.csv")
    _prepare_venue(platform, examples / "venue-executions.csv")
    plan = plan_batch(platform, examples / "venue-executions.csv", ops.venue_agent)
    result = settle(plan, ops.venue_agent)
    echo(
        f"  batch {plan.reference} (id 0x{result.batch_id.hex()[:16]}..): {result.trades} "
        f"trades, gross {result.gross_yen:,} yen, {result.moved_yen:,} yen moved after netting"
    )

    travel_to(AFTER_LOCK_UP)
    _step(echo, "8. an issuer-approved transfer (PROTRUST1, excluded Class 2)")
    app_id = trading.apply_for_transfer(
        protrust, investor(9), str(investor(10).address), 5, "block trade 2027-04-01"
    )
    for app in approvals.applications(protrust):
        echo(f"  queue: {app.describe()}")
    approvals.decide(
        protrust, ops.issuer, approve=True, reason="approved by issuer", progress=False
    )
    echo(f"  approved #{app_id}: INV-010 now holds {protrust.balanceOf(investor(10))} PROTRUST1")

    travel_to(FIRST_COUPON_DAY)
    _step(echo, "9. first coupon of STBOND1 (record date 2027-06-30), tax withheld")
    _payment_line(
        echo,
        "STBOND1",
        pay_record_date(
            platform,
            "STBOND1",
            date(2027, 6, 30),
            ops.paying_agent,
            progress=False,
            records_dir=records,
        ),
    )

    travel_to(MATURITY)
    _step(echo, "10. maturity of STBOND1 (2028-01-15, a Saturday): last coupon and redemption")
    _payment_line(
        echo,
        "STBOND1",
        pay_record_date(
            platform,
            "STBOND1",
            date(2027, 12, 31),
            ops.paying_agent,
            progress=False,
            records_dir=records,
        ),
    )
    _payment_line(
        echo,
        "STBOND1",
        redeem_at_maturity(
            platform, "STBOND1", ops.paying_agent, progress=False, records_dir=records
        ),
    )
    echo(f"  STBOND1 total supply now {stbond.totalSupply()}, redeemed: {stbond.isRedeemed()}")

    _step(echo, "11. holder registers")
    issuer = str(ops.issuer.address)
    for symbol, at_record in (
        ("STBOND1", date(2027, 6, 30)),
        ("RETRUST1", None),
        ("PROTRUST1", None),
    ):
        export = export_register(platform, symbol, issuer, out, key_dir, record_date=at_record)
        reg = export.register
        echo(
            f"  {symbol}: {len(reg.entries)} holders, {reg.reconciliation.register_units} "
            f"units; {reg.reconciliation.statement().split(':')[0]}"
        )
        echo(f"    {export.csv_path}")
        echo(f"    {export.json_path}")
    echo("")
    echo(
        f"done: manifest {platform.path}, issuer key {report.key_files.private if report.key_files else ''}"
    )
    for line in NEXT_STEPS:
        echo(line)


NEXT_STEPS = (
    "",
    "What to try next (docs/tooling.md lists every command):",
    "  make privnet                      a chain that persists, in another terminal; then",
    '  N="--network ethereum:privnet:node" and the README\'s lifecycle by hand, e.g.',
    "  ape run deploy $N && ape run onboard examples/investors.csv $N",
    "  ape run issue examples/stbond1.yaml examples/stbond1-allocation.csv --allow-early $N",
    "  ape run investor renew-kyc INV-001 --until 2032-03-31 $N   (--dry-run first)",
    "  ape run approvals list PROTRUST1 $N;  ape run <command> --help for any of them",
    "  make venue-demo                   a trading day of the reference PTS",
)


def _prepare_venue(platform: Platform, executions_csv: Path) -> None:
    """Each seller locks its units to the venue, each buyer allows the venue its yen."""
    from kabuto.inputs import load_executions

    rows = list(load_executions(executions_csv))
    wallets = {str(investor(n).address): investor(n) for n in range(1, 13)}
    for row in rows:
        trading.prepare_venue_trade(
            platform, platform.token(row.symbol), wallets[row.seller_wallet], row.quantity
        )
    for buyer in {row.buyer_wallet for row in rows}:
        pays = sum(r.yen_amount for r in rows if r.buyer_wallet == buyer)
        trading.allow_venue_payment(platform, wallets[buyer], pays)
