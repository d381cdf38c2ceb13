"""Where batches of per-article work run: inline, or on a local pool of processes.

The work is a pure function of a batch (`pipeline.parse_batch`), so the caller gets the
same results, in input order, whichever executor ran it. An executor keeps only a few
batches in flight, so memory stays flat however many are fed to it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import TypeVar

IN_FLIGHT_PER_WORKER = 2
WORKER_MEMORY = 2 << 30  # bytes a spaCy worker may grow to (bench/ingest.py measures ~1.8 GB)

Batch = TypeVar("Batch")
Result = TypeVar("Result")


def default_workers() -> int:
    """One process per core, as far as memory allows a spaCy worker each (at least one)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return cores
    return max(1, min(cores, memory // WORKER_MEMORY))


def resolve(workers: int | None) -> int:
    """`workers` as given, or the default for None or 0."""
    if workers is not None and workers < 0:
        raise ValueError(f"workers {workers}: must be 1 or more (0 = one per core)")
    return workers or default_workers()


class Executor:
    """Map a function over batches on `workers` processes (inline for one), in input order.

    A pool only pays for itself past one batch (each process loads spaCy), so a run of a
    single batch stays inline whatever `workers` says: a demo of five files starts at once.
    """

    def __init__(self, workers: int | None = None, preload: tuple[str, ...] = ()):
        self.workers = resolve(workers)
        self.preload = list(preload)
        self.pool = None

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()

    def map(self, fn: Callable[..., Result], batches: Iterable[Batch], *args: object) -> Iterator[tuple[Batch, Result]]:
        """Yield (batch, fn(batch, *args)) in input order."""
        batches = iter(batches)
        first = next(batches, None)
        if first is None:
            return
        second = next(batches, None)
        if self.workers == 1 or second is None:
            for batch in chain([first], [] if second is None else [second], batches):
                yield batch, fn(batch, *args)
            return
        yield from self._pooled(fn, chain([first, second], batches), args)

    def _pooled(
        self, fn: Callable[..., Result], batches: Iterable[Batch], args: tuple
    ) -> Iterator[tuple[Batch, Result]]:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(self.preload)
        self.pool = context.Pool(self.workers)
        pending: deque = deque()
        for batch in batches:
            pending.append((batch, self.pool.apply_async(fn, (batch, *args))))
            if len(pending) >= self.workers * IN_FLIGHT_PER_WORKER:
                done, result = pending.popleft()
                yield done, result.get()
        while pending:
            done, result = pending.popleft()
            yield done, result.get()
