"""A resumable batch runner: long jobs (onboarding, issuance, payments) that a user may stop
at any moment and simply run again.

What is done is always read from the chain, never from a local progress file: each run asks
``done_keys`` which of its items the chain already shows as done, sends only the rest in
chunks, and checks each chunk on the chain again right before sending it (another operator,
or a transaction of an earlier run that landed late, may have done it meanwhile) and right
after (the send really had its effect).

Ctrl-C is deferred while a chunk is being sent: the chunk finishes (sent and confirmed) and
the job stops before the next one with :class:`~kabuto.errors.BatchInterrupted`. A second
Ctrl-C during the same chunk is also deferred; the job cannot be left half-sent by the
keyboard. (A crash or a node restart can still stop a send midway; the next run then
reads the chain, so whatever landed is not sent again.)
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Collection, Hashable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import FrameType
from typing import Generic, TypeVar

from tqdm import tqdm

from kabuto.errors import BatchInterrupted, ChainStateError

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

# Told (description, done, total) after each chunk, in the running thread's context: the
# service (kabuto.service.jobs) records a job's progress this way; scripts show a bar.
PROGRESS: ContextVar[Callable[[str, int, int], None] | None] = ContextVar(
    "kabuto_batch_progress", default=None
)


@dataclass(frozen=True)
class BatchReport:
    """What one run did."""

    total: int
    already_done: int  # found done on the chain when the run started
    sent: int  # items this run sent
    skipped_late: int  # found done on the chain just before their chunk was sent
    batches: int  # chunks this run sent


@dataclass(frozen=True)
class BatchJob(Generic[T, K]):
    """One resumable job.

    Attributes:
        items: the work, in order; each item has a stable key.
        key: an item's key (e.g. investor id, allocation row, trade id).
        done_keys: reads from the CHAIN which of the given keys are done; returns that subset.
        send: sends one chunk (a transaction or a few) and returns once it is confirmed.
        batch_size: items per chunk.
        description: the progress bar's label.
        unit: the progress bar's unit name.
    """

    items: Sequence[T]
    key: Callable[[T], K]
    done_keys: Callable[[Sequence[K]], Collection[K]]
    send: Callable[[list[T]], None]
    batch_size: int = 100
    description: str = "sending"
    unit: str = "item"


class _DeferredInterrupt:
    """Holds SIGINT back while a chunk is being sent; remembers that it came."""

    def __init__(self) -> None:
        self.requested = False

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True

    @contextmanager
    def deferred(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # signals are only delivered to the main thread
            return
        previous = signal.signal(signal.SIGINT, self._handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


def _chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def run_batches(job: BatchJob[T, K], *, progress: bool = True) -> BatchReport:
    """Runs `job` to the end, doing only what the chain does not show as done.

    Raises:
        BatchInterrupted: Ctrl-C; every chunk is either fully sent or not at all.
        ChainStateError: after a send, the chain does not show its items as done.
        ValueError: two items share a key (resuming could not tell them apart).
    """
    if job.batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    keys = [job.key(item) for item in job.items]
    if len(set(keys)) != len(keys):
        raise ValueError("two work items share a key; keys must identify items uniquely")
    done_at_start = set(job.done_keys(keys)) if keys else set()
    todo = [item for item, k in zip(job.items, keys, strict=True) if k not in done_at_start]
    interrupt = _DeferredInterrupt()
    sent = late = batches = 0
    bar = tqdm(
        total=len(keys),
        initial=len(done_at_start),
        desc=job.description,
        unit=job.unit,
        disable=not progress,
        leave=True,
    )
    try:
        for chunk in _chunks(todo, job.batch_size):
            if interrupt.requested:
                raise BatchInterrupted(len(done_at_start) + sent + late, len(keys))
            with interrupt.deferred():
                chunk_keys = [job.key(item) for item in chunk]
                done_now = set(job.done_keys(chunk_keys))
                remaining = [
                    item for item, k in zip(chunk, chunk_keys, strict=True) if k not in done_now
                ]
                late += len(chunk) - len(remaining)
                if remaining:
                    job.send(remaining)
                    _verify(job, remaining)
                    sent += len(remaining)
                    batches += 1
                bar.update(len(chunk))
                if (listener := PROGRESS.get()) is not None:
                    listener(job.description, len(done_at_start) + sent + late, len(keys))
        if interrupt.requested and sent + late < len(todo):
            raise BatchInterrupted(len(done_at_start) + sent + late, len(keys))
    finally:
        bar.close()
    return BatchReport(len(keys), len(done_at_start), sent, late, batches)


def _verify(job: BatchJob[T, K], chunk: list[T]) -> None:
    keys = [job.key(item) for item in chunk]
    missing = set(keys) - set(job.done_keys(keys))
    if missing:
        shown = ", ".join(sorted(map(str, missing))[:5])
        raise ChainStateError(
            f"a batch was sent, but the chain does not show {len(missing)} of "
            f"its {len(keys)} items as done (e.g. {shown}); check the "
            "transaction and the node before running again"
        )
