"""Bulk work in Python: the cyclic garbage collector paused while a job builds many objects.

A register export makes over a million small containers (Transfer events, lots, log structs,
dict entries); CPython's collector runs a pass every 700 new containers and, in a process that
already holds much (Ape, a benchmark's transaction lists), those passes took ~1.5 s of a 5.8 s
export. The objects built have no reference cycles, so reference counting frees them as usual;
the collector resumes afterwards and catches up on anything cyclic then.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pauses the cyclic garbage collector for the block (restores its previous state)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
