"""`ape run venue`: one trading day of the reference PTS on the demo's securities.

The platform is set up as `ape run demo` sets it up (deploy, twelve investors, STBOND1 and
RETRUST1 issued, yen minted), the investors lock units to the venue and allow it yen, then
three securities firms send random but valid order flow through a whole day: the call period,
the opening auction, the continuous session, the pre-close call period and the closing auction.
Batches settle after each auction and every hour. Before the first batch from noon compliance
freezes the wallet of a buyer with an unsettled trade, so its unsettled trades fail at
settlement and go on the fails list with their restriction code (RETRUST1's minimum holding can
fail others). The day ends with the end-of-day report.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from kabuto.domain import JST
from kabuto.ops import trading
from kabuto.ops.accounts import test_account
from kabuto.ops.chain import Platform, load_platform, send
from kabuto.ops.clock import travel_to
from kabuto.ops.deploy import Operators, deploy_platform
from kabuto.ops.issue import plan_issue, run_issue
from kabuto.ops.onboard import plan_onboarding, run_onboarding
from kabuto.venue.calendar import Phase, next_trading_day
from kabuto.venue.chainfacts import ChainFacts
from kabuto.venue.config import VenueConfig, load_venue_config
from kabuto.venue.engine import Venue
from kabuto.venue.journal import Journal
from kabuto.venue.model import Execution
from kabuto.venue.report import DayReport, day_report, write_report
from kabuto.venue.settlement import Round, Settler

Echo = Callable[[str], None]
ISSUE_DAY = date(2027, 1, 15)
FIRST_DAY = date(2027, 2, 1)
YEN_EACH = 10_000_000
YEN_ALLOWED = YEN_EACH
SECURITIES = (
    ("stbond1.yaml", "stbond1-allocation.csv"),
    ("retrust1.yaml", "retrust1-allocation.csv"),
)
# At the first batch from noon with an unsettled trade, compliance first freezes that trade's
# buyer's wallet on its security: the trade fails at settlement (RecipientFrozen).
FREEZE_FROM = time(12, 0)


@dataclass
class DayResult:
    venue: Venue
    report: DayReport
    rounds: list[Round]
    refusals: Counter[str]
    orders: int
    report_paths: tuple[Path, Path]


def prepare_platform(
    examples: Path, deployments: Path, key_dir: Path, echo: Echo
) -> tuple[Platform, Operators]:
    """Deploy, onboard and issue as the demo does (resumable), fund investors with yen."""
    ops = Operators.resolve()
    deploy_platform(ops, deployments, key_dir)
    platform = load_platform(deployments)
    plan = plan_onboarding(platform, examples / "investors.csv", str(ops.issuer.address))
    run_onboarding(plan, ops.registrar, progress=False)
    travel_to(ISSUE_DAY)
    for sheet, allocation in SECURITIES:
        issue = plan_issue(platform, examples / sheet, examples / allocation)
        run_issue(
            issue, ops.issuer, ops.paying_agent, ops.compliance, examples / sheet, progress=False
        )
    platform = platform.reload()
    wallets = [str(test_account(n).address) for n in range(1, 13)]
    trading.mint_yen(
        platform, ops.trust_bank, {w: YEN_EACH for w in wallets if not platform.yen.balanceOf(w)}
    )
    echo(
        f"  platform on chain {platform.chain_id}: STBOND1 and RETRUST1 issued, {YEN_EACH:,} yen per investor"
    )
    return platform, ops


def standing_authorisations(platform: Platform, config: VenueConfig, echo: Echo) -> None:
    """Each investor locks its units to the venue and allows it yen (what a participant's
    client does before trading)."""
    accounts = {str(test_account(n).address): test_account(n) for n in range(1, 13)}
    for participant in config.participants:
        for investor in participant.investors:
            account = accounts[investor.wallet]
            for product in config.products:
                token = platform.token(product.symbol)
                free = int(token.freeBalanceOf(investor.wallet))
                if free:
                    trading.prepare_venue_trade(platform, token, account, free)
            if int(platform.yen.allowance(investor.wallet, platform.batch)) < YEN_ALLOWED:
                trading.allow_venue_payment(platform, account, YEN_ALLOWED)
    echo(f"  every investor locked its units to the venue and allowed it {YEN_ALLOWED:,} yen")


def settlement_times(config: VenueConfig, day: date) -> list[datetime]:
    """After the opening auction, every N minutes of the continuous session, after the close."""
    s = config.sessions
    start = datetime.combine(day, s.open_auction, JST)
    end = datetime.combine(day, s.pre_close, JST)
    times = [start] if config.settlement.after_auctions else []
    step = config.settlement.every_minutes
    if step:
        moment = start + timedelta(minutes=step)
        while moment < end:
            times.append(moment)
            moment += timedelta(minutes=step)
    times.append(datetime.combine(day, s.close_auction, JST))
    return times


class OrderFlow:
    """Random order flow that passes the venue's rules: prices on the tick inside the band near
    the reference, sizes inside the product's limits, sells by investors with locked units."""

    def __init__(self, venue: Venue, seed: int):
        self.venue = venue
        self.rng = random.Random(seed)
        self.clients = [
            (p.id, inv.id, inv.wallet) for p in venue.config.participants for inv in p.investors
        ]

    def next_command(self, now: datetime) -> tuple[str, Any]:
        rng, venue = self.rng, self.venue
        live = [o for b in venue.books.values() for o in b.live.values()]
        roll = rng.random()
        if live and roll < 0.08:
            order = rng.choice(live)
            return "cancel", venue.cancel(order.participant, order.order_id, now)
        if live and roll < 0.14:
            order = rng.choice(live)
            price = self._price(order.symbol, order.price)
            if order.side == "buy":  # a buyer re-prices within the yen it has committed
                price = min(price, order.price)
            return "amend", venue.amend(order.participant, order.order_id, now, price=price)
        for _ in range(8):  # a few tries at an order the investor can cover
            symbol = rng.choice(list(venue.books))
            participant, investor, wallet = rng.choice(self.clients)
            low = venue.config.product_by_symbol[symbol].min_order
            center = venue.stats[symbol].close or venue.references[symbol]
            side = rng.choice(("sell", "buy"))
            price = self._price(symbol, center, lean=-1 if side == "sell" else 1)
            if side == "sell":
                can = venue.facts.locked(symbol, wallet)
                can -= venue.committed_units.get((symbol, wallet), 0)
            else:
                can = venue.facts.yen(wallet) - venue.committed_yen.get(wallet, 0)
                can //= price
            if can >= low:
                break
        else:  # nobody picked can cover an order: a participant frees buying power instead
            if live:
                order = rng.choice(live)
                return "cancel", venue.cancel(order.participant, order.order_id, now)
        quantity = rng.randint(low, max(low, min(low + 4, can)))
        return "submit", venue.submit(participant, investor, symbol, side, price, quantity, now)

    def _price(self, symbol: str, center: int, lean: int = 0) -> int:
        rules = self.venue.rules[symbol]
        tick = rules.ticks.tick_at(center)
        price = center + tick * (self.rng.randint(-4, 4) + lean)
        return min(max(rules.ticks.round_down(price), rules.lower), rules.upper)


def trade_day(
    platform: Platform,
    ops: Operators,
    config: VenueConfig,
    day: date,
    out_dir: Path,
    seed: int,
    orders: int,
    echo: Echo,
) -> DayResult:
    symbols = [p.symbol for p in config.products]
    facts = ChainFacts(platform, symbols)
    path = out_dir / f"{config.venue}-{day}-journal.jsonl"
    if path.exists():  # an earlier demo's day, on another chain: kept, not continued
        kept = path.with_name(f"{path.name}.{int(path.stat().st_mtime)}")
        path.rename(kept)
        echo(f"  an earlier run's journal moved to {kept}")
    journal = Journal(path)
    venue = Venue(config, facts, day, None, journal)
    settler = Settler(venue, platform, ops.venue_agent, out_dir / "batches", echo)
    flow = OrderFlow(venue, seed)
    refusals: Counter[str] = Counter()
    s = config.sessions
    begin = datetime.combine(day, s.order_entry, JST)
    finish = datetime.combine(day, s.close_auction, JST)
    span = (finish - begin).total_seconds()
    order_times = sorted(
        begin + timedelta(seconds=flow.rng.uniform(0, span - 1)) for _ in range(orders)
    )
    due = settlement_times(config, day)
    rounds: list[Round] = []
    frozen = False
    events = [(t, "order") for t in order_times] + [(t, "settle") for t in due]
    events.sort(key=lambda e: (e[0], e[1] != "settle"))
    travel_to(day, 8 * 3600)
    echo(
        f"  {day} (JST): order entry {s.order_entry:%H:%M}, open {s.open_auction:%H:%M}, close {s.close_auction:%H:%M}"
    )
    for moment, kind in events:
        auction = venue.advance(moment)
        if auction:
            echo(f"  {moment:%H:%M} {auction[0].phase}: {len(auction)} executions")
        if kind == "order" and venue.phase is not Phase.CLOSED:
            _, ack = flow.next_command(moment)
            if ack.status == "refused":
                refusals[ack.reason] += 1
            elif ack.reason:
                refusals[f"rest cancelled: {ack.reason}"] += 1
        elif kind == "settle":
            if not frozen and moment.time() >= FREEZE_FROM and venue.unsettled():
                frozen = _freeze(platform, ops, venue.unsettled()[-1], moment, echo)
            travel_to(day, int((moment - datetime.combine(day, time(0), JST)).total_seconds()))
            echo(f"  {moment:%H:%M} settlement round")
            rounds.append(settler.settle_round())
    venue.advance(finish)
    rounds.append(settler.settle_round())
    report = day_report(venue)
    paths = write_report(report, out_dir)
    journal.close()
    return DayResult(venue, report, rounds, refusals, orders, paths)


def _freeze(
    platform: Platform, ops: Operators, trade: Execution, moment: datetime, echo: Echo
) -> bool:
    token = platform.token(trade.symbol)
    send(token.setAddressFrozen, trade.buyer_wallet, True, sender=ops.compliance)
    echo(
        f"  {moment:%H:%M} compliance freezes {trade.buyer}'s {trade.symbol} wallet "
        f"{trade.buyer_wallet} (it bought in {trade.trade_id}, not settled yet)"
    )
    return True


def run_venue_demo(
    examples: Path,
    config_path: Path,
    out_dir: Path,
    deployments: Path,
    key_dir: Path,
    seed: int,
    orders: int,
    echo: Echo,
) -> DayResult:
    config = load_venue_config(config_path)
    echo("== the platform and the securities (as `ape run demo` sets them up)")
    platform, ops = prepare_platform(examples, deployments, key_dir, echo)
    standing_authorisations(platform, config, echo)
    day = FIRST_DAY if FIRST_DAY > ISSUE_DAY else next_trading_day(ISSUE_DAY)
    echo(
        f"== a trading day of {config.venue}: {orders} random orders from {len(config.participants)} participants"
    )
    result = trade_day(platform, ops, config, day, out_dir, seed, orders, echo)
    echo("== end of day")
    for line in result.report.lines():
        echo(line)
    echo(f"  refusals by reason: {dict(result.refusals) or 'none'}")
    echo(f"  report {result.report_paths[0]}; fails {result.report_paths[1]}")
    return result
