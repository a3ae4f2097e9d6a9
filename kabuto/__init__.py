"""Kabuto: tooling shared by the operator scripts and tests of the security-token platform."""

__version__ = "0.1.0"
