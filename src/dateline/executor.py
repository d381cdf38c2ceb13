"""Where batches of per-article work run: inline, on a local pool of processes, or on a Dask cluster.

The work is a pure function of a batch (`pipeline.parse_batch`), so the caller gets the
same results, in input order, whichever executor ran it. An executor keeps only a few
batches in flight, so memory stays flat however many are fed to it.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import multiprocessing
import os
import socket
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import TypeVar

IN_FLIGHT_PER_WORKER = 2
WORKER_MEMORY = 1 << 30  # bytes to allow a spaCy worker: bench/cluster.py measures a peak of ~0.4 GB
# (1.9 GB before spaCy got bounded pieces, extract/batch.py); over twice that leaves room for odd inputs
SCHEDULER_ENV = "DATELINE_SCHEDULER"
LOCAL = "local"  # the scheduler address that starts a LocalCluster on this machine
DEFAULT_PORT = 8786  # `dask scheduler`'s
CONNECT_TIMEOUT = 4.0  # seconds to reach a scheduler: a user waits at most twice this for the error
WORKERS_TIMEOUT = 60.0  # seconds to wait for a scheduler with no workers to get one
RETRIES = 3  # a batch that raised on a worker runs again (a worker's lost batches are recomputed anyway)
# Dask keeps each connection's last `low-level-log-length` (default 1,000) messages under 1 MB for
# debugging, and a batch ships inside its task's message: the client (and a LocalCluster's scheduler,
# which runs in the client) grew ~23 MB per 1,000 articles, towards ~1 GB (bench/RESULTS.md). A remote
# `dask scheduler` needs the same: DASK_DISTRIBUTED__ADMIN__LOW_LEVEL_LOG_LENGTH=20 (README).
LOG_LENGTH = 20
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)

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


class SchedulerError(Exception):
    """A Dask scheduler that cannot be used; the message names the address and what to do."""


class SchedulerLost(SchedulerError):
    """The scheduler went away mid-run. What was stored stays; the same ingest again finishes it."""


def scheduler_address(scheduler: str | None) -> str | None:
    """`scheduler` as given, else $DATELINE_SCHEDULER, else None (no cluster)."""
    if scheduler is None:
        scheduler = os.environ.get(SCHEDULER_ENV)
    return (scheduler.strip() or None) if scheduler else None


def start(workers: int | None = None, preload: tuple[str, ...] = (), scheduler: str | None = None):
    """The executor for these settings: a Dask cluster when a scheduler is named, else the local pool."""
    address = scheduler_address(scheduler)
    if address is None:
        return Executor(workers, preload)
    return DaskExecutor(address, workers)


class DaskExecutor:
    """Map a function over batches as tasks on a Dask cluster, in input order.

    The client ships each batch with its task, so workers need not see the files, and keeps
    only a few batches per worker in flight. The tasks are pure: when a worker is lost, the
    scheduler runs its batches again elsewhere and each result still arrives exactly once.
    `address` "local" starts a LocalCluster of `workers` single-threaded processes.
    """

    def __init__(self, address: str, workers: int | None = None):
        self.address = address
        self.workers = resolve(workers)
        self.cluster = None
        self.client = None

    def __enter__(self) -> DaskExecutor:
        # A lost scheduler is reported once, as SchedulerLost; the client would log each of its
        # reconnection attempts with a traceback on stderr.
        self.quieted = logging.getLogger("distributed.client")
        self.level = self.quieted.level
        self.quieted.setLevel(logging.CRITICAL)
        import dask

        # for as long as the cluster runs: the scheduler's and nannies' connections are made later
        self.config = dask.config.set({"distributed.admin.low-level-log-length": LOG_LENGTH})
        try:
            self.client = self._connect()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.client is not None:
                self.client.close()
            if self.cluster is not None:
                self.cluster.close()
        finally:
            self.quieted.setLevel(self.level)
            self.config.__exit__(None, None, None)

    def _connect(self):
        from distributed import Client, LocalCluster

        if self.address.lower() == LOCAL:
            # One thread per process: spaCy holds the GIL, and one model per process is the memory budget.
            self.cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                # its HTTP endpoints (health, metrics) on any free port: two ingests at once must not clash on 8787
                scheduler_kwargs={"dashboard_address": ":0"},
                silence_logs=logging.ERROR,
            )
            return Client(self.cluster, set_as_default=False)
        address = full_address(self.address)
        reachable(address, CONNECT_TIMEOUT)
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as error:
            raise SchedulerError(f"--scheduler {self.address}: no Dask scheduler answered ({error})") from None
        try:
            client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
        except (OSError, TimeoutError):
            client.close()
            raise SchedulerError(
                f"--scheduler {self.address}: the scheduler has no workers after {WORKERS_TIMEOUT:.0f} s "
                f"(start some with: dask worker {address})"
            ) from None
        return client

    def in_flight(self) -> int:
        """Batches to keep submitted: a few per worker thread, however many workers there are now."""
        threads = self.client.scheduler_info(n_workers=0).get("total_threads", 0)
        return max(2, threads * IN_FLIGHT_PER_WORKER)

    def map(self, fn: Callable[..., Result], batches: Iterable[Batch], *args: object) -> Iterator[tuple[Batch, Result]]:
        """Yield (batch, fn(batch, *args)) in input order."""
        pending: deque = deque()
        for batch in batches:
            # pure=False: a fresh key per batch, so two equal batches are two tasks, and no hashing of records
            pending.append((batch, self.client.submit(on_worker, fn, batch, *args, pure=False, retries=RETRIES)))
            limit = self.in_flight()  # one round trip a batch: workers may join or leave mid-run
            while len(pending) >= limit:
                yield self._result(*pending.popleft())
        while pending:
            yield self._result(*pending.popleft())

    def _result(self, batch: Batch, future) -> tuple[Batch, Result]:
        from concurrent.futures import CancelledError

        try:
            result = future.result()
        except CancelledError:  # the scheduler went away: Dask cancels every future
            raise SchedulerLost(
                f"--scheduler {self.address}: lost the connection to the Dask scheduler mid-run; "
                "the batches stored so far stay: run the same ingest again to finish it"
            ) from None
        except (ImportError, AttributeError) as error:  # a worker without dateline (or another version)
            raise SchedulerError(
                f"--scheduler {self.address}: a worker could not run the work ({type(error).__name__}: {error}); "
                "install this dateline version on every worker"
            ) from None
        future.release()  # the worker may drop the result now
        return batch, result


def on_worker(fn: Callable[..., Result], batch: Batch, *args: object) -> Result:
    """fn(batch, *args) on a Dask worker, its allocator set up first."""
    keep_freed_memory()
    return fn(batch, *args)


@functools.cache  # once per process
def keep_freed_memory() -> None:
    """Undo the Dask nanny's MALLOC_TRIM_THRESHOLD_=65536 in this worker process.

    With it glibc hands freed memory back to the OS at once and maps every block over 128 KB
    afresh, and spaCy allocates and frees large arrays for every batch: on t17-dev batches that
    was 25x the page faults and 25 % more CPU (sys 1 → 15 s over 441 articles), the Dask
    workers' whole extra cost over the process pool's. The limits set instead are about what
    glibc's own adaptive ones reach; the worker's peak memory is unchanged (~325 MB).
    """
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: the variable means nothing there
        return
    libc.mallopt(M_MMAP_THRESHOLD, 32 << 20)
    libc.mallopt(M_TRIM_THRESHOLD, 64 << 20)


def full_address(address: str) -> str:
    """tcp://HOST:PORT from what a user may type (HOST, HOST:PORT, tcp://HOST); the port defaults to 8786."""
    from distributed.comm.addressing import parse_address, unparse_address

    try:
        scheme, location = parse_address(address if "://" in address else f"tcp://{address}")
    except ValueError as error:
        raise SchedulerError(
            f"--scheduler {address}: not a scheduler address ({error}); use tcp://HOST:8786 or local"
        ) from None
    host, _, port = location.rpartition(":")
    if not host or not port.isdigit() or location.endswith("]"):
        location = f"{location}:{DEFAULT_PORT}"
    return unparse_address(scheme, location)


def reachable(address: str, timeout: float) -> None:
    """Raise SchedulerError unless something listens at `address` within `timeout` seconds.

    Checked before Dask's client is made: a client that failed to connect stalls the
    interpreter's exit by another 10 s and prints a traceback while it does.
    """
    from distributed.comm.addressing import get_address_host_port

    try:
        host, port = get_address_host_port(address)
    except ValueError as error:
        raise SchedulerError(
            f"--scheduler {address}: not a scheduler address ({error}); use tcp://HOST:8786 or local"
        ) from None
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=max(0.1, deadline - time.monotonic())):
                return
        except OSError as error:
            if time.monotonic() >= deadline or isinstance(error, socket.gaierror):
                raise SchedulerError(
                    f"--scheduler {address}: no Dask scheduler answers there ({error.strerror or error}); "
                    f"start one with: dask scheduler (or use --scheduler local)"
                ) from None
        time.sleep(0.25)  # a scheduler that is just starting up gets a few more tries
