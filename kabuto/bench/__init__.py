"""The benchmark of issue 10: Kabuto and its peers measured side by side on one chain, in one run.

``make bench`` (scripts/bench.py) starts its own anvil, runs every peer in
``kabuto.bench.registry`` and every throughput job, and writes bench/results/latest.json and
latest.md with the targets of docs/performance.md marked met or not met.
"""
