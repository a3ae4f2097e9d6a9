"""One slither analysis, two answers: the detectors' findings and the analysed contracts.

The slither CLI runs no detector when a printer is given (slither/__main__.py, _process:
`if not printer_classes: run_detectors()`), so `--print contract-summary` alone reported no
finding at all. This script parses its arguments with slither's own parser (so
slither.config.json is read exactly as the CLI reads it), compiles and analyses once, runs every
detector, and prints one JSON object on stdout:
{"success": bool, "error": str|null, "contracts": [names], "detectors": [slither's result dicts]}.

Usage: python slither_scan.py TARGET --config-file slither.config.json
"""

from __future__ import annotations

import json
import sys
import traceback

from slither.__main__ import choose_detectors, get_detectors_and_printers, parse_args
from slither.slither import Slither


def scan() -> dict:
    detectors, printers = get_detectors_and_printers()
    args = parse_args(detectors, printers)
    slither = Slither(args.filename, ast_format="--ast-compact-json", **vars(args))
    for detector in choose_detectors(args, detectors):
        slither.register_detector(detector)
    findings = [result for results in slither.run_detectors() for result in results]
    return {
        "success": True,
        "error": None,
        "contracts": sorted({contract.name for contract in slither.contracts}),
        "detectors": findings,
    }


def main() -> int:
    try:
        report = scan()
    except Exception:  # noqa: BLE001 - reported as JSON to the test, which fails on it
        report = {
            "success": False,
            "error": traceback.format_exc(),
            "contracts": [],
            "detectors": [],
        }
    json.dump(report, sys.stdout)
    return 0 if report["success"] else 1


if __name__ == "__main__":
    sys.exit(main())
