"""The benchmark's measurement context on the test session's chain (Ape's foundry anvil)."""

import pytest

from kabuto.bench.context import BenchContext


@pytest.fixture(scope="session")
def new_bench_context(project, accounts, chain):
    """Factory: a context whose generated "new holder" addresses are unique to ``label``."""

    def create(label):
        return BenchContext(
            project=project, accounts=accounts, chain=chain, label=f"tests.unit.bench.{label}"
        )

    return create
