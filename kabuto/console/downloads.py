"""The register download: the very files ``ape run export_register`` writes (CSV for Excel,
JSON), made by the same code (kabuto.ops.export.export_register) in the service process, on
the service's Ape connection (one at a time: kabuto.service.jobs.chain.CHAIN_LOCK), so a
download is byte for byte the export script's. Roles that may not see personal data get the
same files with names and addresses withheld (and a note saying so)."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

from fastapi import HTTPException, Request

from kabuto.console.web import Viewer
from kabuto.errors import KabutoError
from kabuto.register import HolderEntry, write_register
from kabuto.service.jobs.chain import CHAIN_LOCK, ensure_connected

WITHHELD = "names and addresses withheld: the {role} role does not see personal data"


def _platform_and_issuer(request: Request):  # type: ignore[no-untyped-def]
    from kabuto.ops.chain import load_platform
    from kabuto.service.indexer.rpc import IndexReader
    from kabuto.service.jobs.chain import account

    settings = request.app.state.settings
    manifest = settings.manifest_for(IndexReader(settings.node_url()).chain_id())
    issuer = settings.issuer or str(account(settings, "issuer").address)
    return load_platform(manifest.parent), issuer


def register_download(
    request: Request,
    who: Viewer,
    symbol: str,
    ext: str,
    record_date: date | None,
    block: int | None,
) -> tuple[str, bytes]:
    """(file name, bytes) of the register of `symbol` at `block` or `record_date`."""
    from kabuto.ops.export import export_register

    settings = request.app.state.settings
    with CHAIN_LOCK, tempfile.TemporaryDirectory(prefix="kabuto-console-") as tmp:
        try:
            ensure_connected(settings)
            platform, issuer = _platform_and_issuer(request)
            report = export_register(
                platform,
                symbol,
                issuer,
                Path(tmp),
                settings.key_dir,
                block=block,
                record_date=record_date,
            )
        except KabutoError as exc:
            raise HTTPException(422, str(exc)) from exc
        path = report.csv_path if ext == "csv" else report.json_path
        if not who.sees_personal_data:
            register = report.register
            register = replace(
                register,
                entries=tuple(
                    HolderEntry(e.wallet, e.investor_id, None, e.lots, e.tax_status)
                    for e in register.entries
                ),
                notes=(*register.notes, WITHHELD.format(role=who.role.value)),
            )
            csv_path, json_path = write_register(register, Path(tmp) / "withheld")
            path = csv_path if ext == "csv" else json_path
        return path.name, path.read_bytes()
