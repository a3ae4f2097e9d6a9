"""The register export of `make bench-scale` in a process of its own, so that its peak RSS is
the export's: kabuto.ops.export.export_register against a node, as `ape run export_register`
runs it. Prints one JSON line: seconds, phases, peak RSS (MiB) of this process and of its
decryption workers.

    python -m kabuto.bench.scale_export URL DEPLOYMENTS KEYS SYMBOL ISSUER BLOCK OUT
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> None:
    url, deployments, keys, symbol, issuer, block, out = argv
    from ape import networks

    from kabuto.ops.chain import load_platform
    from kabuto.ops.export import export_register

    with networks.parse_network_choice("ethereum:local:node", provider_settings={"uri": url}):
        platform = load_platform(Path(deployments))
        phases: dict[str, float] = {}
        started = time.monotonic()
        report = export_register(
            platform, symbol, issuer, Path(out), Path(keys), block=int(block), phases=phases
        )
        seconds = time.monotonic() - started
    if not report.reconciled or not all(e.personal_data for e in report.register.entries):
        raise SystemExit("the register does not reconcile or misses names")
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "phases": phases,
                "holders": len(report.register.entries),
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "workers_peak_rss_mib": round(
                    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
                ),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
