"""Stateful property-based tests of the whole platform (issue 9)."""
