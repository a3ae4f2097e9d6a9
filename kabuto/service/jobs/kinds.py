"""The job kinds: each checks its input at submission (raising InputError naming the file,
row and field, before anything is sent) and runs with kabuto.ops."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kabuto.errors import InputError
from kabuto.inputs.fields import checksum_address
from kabuto.service.jobs.chain import account
from kabuto.service.settings import ServiceSettings


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Approve(Params):
    symbol: str
    ids: list[int] | None = Field(default=None, description="None: every pending application")
    reason: str = ""


class Reject(Params):
    symbol: str
    ids: list[int] = Field(min_length=1)
    reason: str = Field(min_length=1)


class Pay(Params):
    symbol: str
    record_date: date
    amount_per_unit: int | None = Field(default=None, gt=0)


class Redeem(Params):
    symbol: str


class Freeze(Params):
    symbol: str
    wallet: str
    units: int | None = Field(default=None, gt=0, description="None: the whole wallet")
    unfreeze: bool = False
    reason: str = Field(min_length=1)

    _wallet = field_validator("wallet")(lambda cls, v: checksum_address(v))


class ForcedTransfer(Params):
    symbol: str
    source: str
    recipient: str
    units: int = Field(gt=0)
    reason_code: Literal["court-order", "inheritance", "correction", "other"]
    reason: str = Field(min_length=1)

    _addresses = field_validator("source", "recipient")(lambda cls, v: checksum_address(v))


class Recovery(Params):
    investor_id: str = Field(min_length=1)
    new_wallet: str

    _wallet = field_validator("new_wallet")(lambda cls, v: checksum_address(v))


class SettleOptions(Params):
    reference: str | None = Field(
        default=None, description="the batch's reference (default: the file's content digest)"
    )


class IssueOptions(Params):
    tranche: str | None = None
    allow_early: bool = False


@dataclass(frozen=True)
class Context:
    settings: ServiceSettings
    job_id: str
    params: dict[str, Any]
    files: dict[str, Path]  # uploaded files by form field, saved under the state folder
    batch_size: int


def _platform(settings: ServiceSettings) -> Any:
    from kabuto.ops.chain import load_platform
    from kabuto.service.indexer.rpc import IndexReader

    manifest = settings.manifest_for(IndexReader(settings.node_url()).chain_id())
    return load_platform(manifest.parent)


def _token(settings: ServiceSettings, symbol: str) -> Any:
    from kabuto.errors import ManifestError

    try:
        return _platform(settings).token(symbol)
    except ManifestError as exc:
        raise InputError.single("request", str(exc), field="symbol") from exc


# -- checks at submission (nothing sent); they may add facts to the params ---------------


def check_onboard(c: Context) -> dict[str, Any]:
    from kabuto.ops.onboard import plan_onboarding

    plan_onboarding(
        _platform(c.settings), c.files["investors"], str(account(c.settings, "issuer").address)
    )
    return c.params


def check_issue(c: Context) -> dict[str, Any]:
    from kabuto.ops.issue import plan_issue

    options = IssueOptions.model_validate(c.params)
    plan_issue(
        _platform(c.settings),
        c.files["term_sheet"],
        c.files["allocation"],
        options.tranche,
        options.allow_early,
    )
    return c.params


def check_decision(c: Context) -> dict[str, Any]:
    from kabuto.ops.approvals import applications

    token = _token(c.settings, c.params["symbol"])
    pending = {a.id for a in applications(token)}
    unknown = [i for i in c.params.get("ids") or [] if i not in pending]
    if unknown:
        raise InputError.single(
            "request",
            f"not pending applications of {c.params['symbol']}: {unknown}; pending: {sorted(pending)}",
            field="ids",
        )
    return c.params


def check_symbol(c: Context) -> dict[str, Any]:
    _token(c.settings, c.params["symbol"])
    return c.params


def check_freeze(c: Context) -> dict[str, Any]:
    token = _token(c.settings, c.params["symbol"])
    if c.params.get("units") and not c.params.get("unfreeze"):
        free = int(token.freeBalanceOf(c.params["wallet"]))
        if c.params["units"] > free:
            raise InputError.single(
                "request", f"{c.params['wallet']} has only {free} free units", field="units"
            )
    # what a finished partial (un)freeze leaves on the chain: the re-run's test
    return {**c.params, "frozen_before": int(token.frozenTokensOf(c.params["wallet"]))}


def check_forced(c: Context) -> dict[str, Any]:
    token = _token(c.settings, c.params["symbol"])
    movable = int(token.freeBalanceOf(c.params["source"])) + int(
        token.frozenTokensOf(c.params["source"])
    )
    if c.params["units"] > movable:
        raise InputError.single(
            "request", f"{c.params['source']} has {movable} free or frozen units", field="units"
        )
    return c.params


def check_recovery(c: Context) -> dict[str, Any]:
    from kabuto.domain import investor_id_to_bytes32
    from kabuto.lots import ZERO_ADDRESS

    registry = _platform(c.settings).registry
    if str(registry.walletOf(investor_id_to_bytes32(c.params["investor_id"]))) == ZERO_ADDRESS:
        raise InputError.single(
            "request", f"{c.params['investor_id']} is not registered", field="investor_id"
        )
    return c.params


def _settle_plan(c: Context) -> Any:
    import hashlib

    from kabuto.ops.settle import plan_batch

    path = c.files["executions"]
    reference = (
        c.params.get("reference") or "sha256-" + hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    )
    return plan_batch(_platform(c.settings), path, account(c.settings, "venue_agent"), reference)


def check_settle(c: Context) -> dict[str, Any]:
    _settle_plan(c)
    return c.params


# -- running (resumable) ------------------------------------------------------------------


def run_settle(c: Context) -> dict[str, Any]:
    from kabuto.ops.settle import settle

    report = settle(_settle_plan(c), account(c.settings, "venue_agent"))
    return {
        "batch_id": "0x" + bytes(report.batch_id).hex(),
        "already_settled": report.already_settled,
        "moved_yen": report.moved_yen,
    }


def run_onboard(c: Context) -> dict[str, Any]:
    from kabuto.ops.onboard import plan_onboarding, run_onboarding

    plan = plan_onboarding(
        _platform(c.settings), c.files["investors"], str(account(c.settings, "issuer").address)
    )
    report = run_onboarding(
        plan, account(c.settings, "registrar"), batch_size=c.batch_size, progress=False
    )
    return {"total": report.total, "already_done": report.already_done, "sent": report.sent}


def run_issue_job(c: Context) -> dict[str, Any]:
    from kabuto.ops.issue import plan_issue, run_issue

    options = IssueOptions.model_validate(c.params)
    plan = plan_issue(
        _platform(c.settings),
        c.files["term_sheet"],
        c.files["allocation"],
        options.tranche,
        options.allow_early,
    )
    report = run_issue(
        plan,
        account(c.settings, "issuer"),
        account(c.settings, "paying_agent"),
        account(c.settings, "compliance"),
        c.files["term_sheet"],
        batch_size=c.batch_size,
        progress=False,
    )
    return {
        "token": str(report.token_address) if hasattr(report, "token_address") else None,
        "summary": str(report)[:2000],
    }


def _decide(c: Context, approve: bool) -> dict[str, Any]:
    from kabuto.ops.approvals import decide

    token = _token(c.settings, c.params["symbol"])
    report = decide(
        token,
        account(c.settings, "issuer"),
        approve,
        c.params.get("ids"),
        c.params.get("reason", ""),
        batch_size=c.batch_size,
        progress=False,
    )
    return {"total": report.total, "already_done": report.already_done, "sent": report.sent}


def run_pay(c: Context) -> dict[str, Any]:
    from kabuto.ops.payments import pay_record_date

    report = pay_record_date(
        _platform(c.settings),
        c.params["symbol"],
        date.fromisoformat(c.params["record_date"]),
        account(c.settings, "paying_agent"),
        amount_per_unit=c.params.get("amount_per_unit"),
        batch_size=c.batch_size,
        progress=False,
        records_dir=c.settings.state_dir / "payments",
    )
    return {
        "payment_id": report.payment_id,
        "gross": report.gross,
        "tax": report.tax,
        "net": report.net,
    }


def run_redeem(c: Context) -> dict[str, Any]:
    from kabuto.ops.payments import redeem_at_maturity

    report = redeem_at_maturity(
        _platform(c.settings),
        c.params["symbol"],
        account(c.settings, "paying_agent"),
        batch_size=c.batch_size,
        progress=False,
        records_dir=c.settings.state_dir / "payments",
    )
    return {
        "payment_id": report.payment_id,
        "gross": report.gross,
        "tax": report.tax,
        "net": report.net,
    }


def run_freeze(c: Context) -> dict[str, Any]:
    from kabuto.ops.operations import freeze

    token = _token(c.settings, c.params["symbol"])
    units, unfreeze = c.params.get("units"), c.params.get("unfreeze", False)
    if units:
        now = int(token.frozenTokensOf(c.params["wallet"]))
        target = c.params["frozen_before"] + (-units if unfreeze else units)
        if now == target:
            return {"message": "already done (found on the chain)"}
    message = freeze(
        token,
        account(c.settings, "compliance"),
        c.params["wallet"],
        units,
        c.params["reason"],
        unfreeze,
    )
    return {"message": message}


def run_forced(c: Context) -> dict[str, Any]:
    from ape import chain

    from kabuto.ops.operations import force_transfer

    token = _token(c.settings, c.params["symbol"])
    tag = f"{c.params['reason']} [kabuto job {c.job_id}]"
    for log in token.ForcedTransfer.range(0, chain.blocks.height + 1):
        if bytes(log.data).decode("utf-8", "replace") == tag:
            return {"message": f"already done in transaction {log.transaction_hash}"}
    message = force_transfer(
        token,
        account(c.settings, "issuer"),
        c.params["source"],
        c.params["recipient"],
        c.params["units"],
        c.params["reason_code"],
        tag,
    )
    return {"message": message}


def run_recovery(c: Context) -> dict[str, Any]:
    from kabuto.ops.operations import recover

    done = recover(
        _platform(c.settings),
        account(c.settings, "registrar"),
        account(c.settings, "issuer"),
        c.params["investor_id"],
        c.params["new_wallet"],
    )
    return {"done": done}


@dataclass(frozen=True)
class Kind:
    params: type[BaseModel] | None
    files: tuple[str, ...]
    check: Callable[[Context], dict[str, Any]]
    run: Callable[[Context], dict[str, Any]]


KINDS: dict[str, Kind] = {
    "onboard": Kind(None, ("investors",), check_onboard, run_onboard),
    "issue": Kind(IssueOptions, ("term_sheet", "allocation"), check_issue, run_issue_job),
    "approve": Kind(Approve, (), check_decision, lambda c: _decide(c, True)),
    "reject": Kind(Reject, (), check_decision, lambda c: _decide(c, False)),
    "pay": Kind(Pay, (), check_symbol, run_pay),
    "redeem": Kind(Redeem, (), check_symbol, run_redeem),
    "freeze": Kind(Freeze, (), check_freeze, run_freeze),
    "forced_transfer": Kind(ForcedTransfer, (), check_forced, run_forced),
    "recovery": Kind(Recovery, (), check_recovery, run_recovery),
    "settle_batch": Kind(SettleOptions, ("executions",), check_settle, run_settle),
}
