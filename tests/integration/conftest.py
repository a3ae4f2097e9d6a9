"""The operator jobs on the test chain: a platform deployed and the twelve example investors
onboarded once per module (Ape reverts each test's own changes), accounts named by role.
A module may build on it by overriding `module_world` (see test_trading_jobs.py)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from jobs_support import EXAMPLES

from kabuto.ops.chain import Platform, load_platform
from kabuto.ops.deploy import DeployReport, Operators, deploy_platform
from kabuto.ops.onboard import plan_onboarding, run_onboarding


@dataclass
class World:
    ops: Operators
    deployments: Path
    keys: Path
    deploy_report: DeployReport

    @property
    def platform(self) -> Platform:
        return load_platform(self.deployments)


@pytest.fixture(scope="module")
def module_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    base = tmp_path_factory.mktemp("kabuto")
    ops = Operators.resolve()
    report = deploy_platform(ops, base / "deployments", base / "keys")
    platform = load_platform(base / "deployments")
    plan = plan_onboarding(platform, EXAMPLES / "investors.csv", str(ops.issuer.address))
    run_onboarding(plan, ops.registrar, progress=False)
    return World(ops, base / "deployments", base / "keys", report)


@pytest.fixture
def world(module_world: World, tmp_path: Path) -> World:
    """The module's platform with a private copy of the manifest: Ape reverts each test's
    chain changes, so the tokens a test adds to its manifest must go with them."""
    deployments = tmp_path / "deployments"
    shutil.copytree(module_world.deployments, deployments)
    return replace(module_world, deployments=deployments)


@pytest.fixture
def no_transaction_sent(chain):
    """Asserts (after the test body) that no block was mined: nothing was sent."""
    height = chain.blocks.height
    yield
    assert chain.blocks.height == height, "a transaction was sent"
