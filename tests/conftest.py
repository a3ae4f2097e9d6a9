"""Accounts named by the role they play on the platform, shared by every test."""

import pytest


@pytest.fixture(scope="session")
def deployer(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def outsider(accounts):
    """An account that holds no role anywhere."""
    return accounts[9]


_SUMMARY_LINES: list[str] = []


@pytest.fixture(scope="session")
def suite_summary():
    """Append a line (matrix cells, analysed contracts, property steps, gas) to the summary
    printed at the end of the run, whatever pytest captures."""
    return _SUMMARY_LINES.append


def pytest_terminal_summary(terminalreporter):
    if _SUMMARY_LINES:
        terminalreporter.section("kabuto assurance summary")
        for line in _SUMMARY_LINES:
            terminalreporter.write_line(line)
