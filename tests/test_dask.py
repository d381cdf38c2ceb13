"""Ingest on a real Dask cluster gives what a local ingest gives (issue 14, part 1).

A `dask scheduler` and two `dask worker` processes on 127.0.0.1 (random free ports, no
dashboards), started for this module and stopped after it. The cluster's results — ids,
dates, duplicates, stories, entities, quotes, rejects and the timeline — must equal an
ingest on this process, also when a worker is killed in the middle of the run.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import dateline
from conftest import SAMPLE
from dateline import executor

SRC = Path(__file__).resolve().parents[1] / "src"
BATCH_SIZE = 2  # many batches (the sample corpus has 34 inputs), so a run is still going when a worker dies
START_TIMEOUT = 120  # seconds for a scheduler or worker to come up on a busy machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def spawn(module: str, *args: str) -> subprocess.Popen:
    """A Dask command line (`dask scheduler`, `dask worker`) on this interpreter, seeing this tree's dateline."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])))
    env["DASK_DISTRIBUTED__ADMIN__LOW_LEVEL_LOG_LENGTH"] = str(executor.LOG_LENGTH)  # as the README says
    env.pop(executor.SCHEDULER_ENV, None)
    return subprocess.Popen(
        [sys.executable, "-m", f"distributed.cli.{module}", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def listening(port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the dask scheduler exited on start-up"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"no dask scheduler listening on 127.0.0.1:{port} after {timeout} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclasses.dataclass
class Cluster:
    address: str
    scheduler: subprocess.Popen
    workers: list[subprocess.Popen]

    def worker_pids(self) -> dict[str, int]:
        """Worker address → process id, as the scheduler knows them."""
        from distributed import Client

        with Client(self.address, timeout=10, set_as_default=False) as client:
            return client.run(os.getpid)

    def busiest_worker(self) -> subprocess.Popen:
        """The worker process with the most tasks running or queued (to kill it where it hurts)."""
        from distributed import Client

        with Client(self.address, timeout=10, set_as_default=False) as client:
            processing = client.processing()
            pids = client.run(os.getpid)
        address = max(processing, key=lambda a: len(processing[a]))
        assert processing[address], "no worker had a batch in hand"
        return next(w for w in self.workers if w.pid == pids[address])


@contextmanager
def cluster(workers: int = 2) -> Iterator[Cluster]:
    """A scheduler and `workers` single-threaded workers (no nanny: a killed worker stays dead)."""
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = spawn("dask_scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
    started = [scheduler]
    try:
        listening(port, scheduler, START_TIMEOUT)
        for _ in range(workers):
            started.append(
                spawn(
                    "dask_worker",
                    address,
                    "--host",
                    "127.0.0.1",
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--no-dashboard",
                    "--memory-limit",
                    "0",
                )
            )
        with Client(address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=START_TIMEOUT)
        yield Cluster(address, scheduler, started[1:])
    finally:
        for process in reversed(started):
            stop(process)


def results(db: Path) -> dict:
    """Everything an ingest stored that a user can ask for, in a comparable form."""
    with dateline.open(db) as corpus:
        return {
            "articles": sorted((dataclasses.asdict(a) for a in corpus.articles()), key=lambda a: a["id"]),
            "rejects": sorted(json.dumps(dataclasses.asdict(r), default=str) for r in corpus.rejects()),
            "dupes": list(corpus.dupes()),
            "stories": list(corpus.stories()),
            "entities": list(corpus.entities()),
            "quotes": list(corpus.quotes()),
            "timeline": corpus.timeline().to_json(),
        }


def ingest(db: Path, **options) -> dict:
    with dateline.open(db) as corpus:
        return corpus.ingest([SAMPLE], batch_size=BATCH_SIZE, **options).to_dict()


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    """A local ingest of the sample corpus, in batches as small as the cluster's: (report, results)."""
    db = tmp_path_factory.mktemp("local") / "local.db"
    report = ingest(db, workers=1, scheduler="")
    return report, results(db)


def test_a_cluster_ingest_equals_a_local_one(local, tmp_path, monkeypatch):
    with cluster(2) as running:
        assert len(running.worker_pids()) == 2
        report = ingest(tmp_path / "cluster.db", scheduler=running.address)
        assert (report, results(tmp_path / "cluster.db")) == local
        # $DATELINE_SCHEDULER names the cluster too; ingesting again changes nothing
        monkeypatch.setenv(executor.SCHEDULER_ENV, running.address)
        again = ingest(tmp_path / "cluster.db")
    assert again["read"] == again["unchanged"] == report["read"]
    assert results(tmp_path / "cluster.db") == local[1]


def test_a_worker_lost_mid_run_loses_nothing(local, tmp_path):
    with cluster(2) as running:
        killed: list[int] = []

        def kill_one(progress) -> None:
            if not killed and progress.read:  # one batch stored, more in flight on both workers
                victim = running.busiest_worker()
                os.kill(victim.pid, signal.SIGKILL)
                victim.wait()
                killed.append(victim.pid)

        with dateline.open(tmp_path / "cluster.db") as corpus:
            report = corpus.ingest(
                [SAMPLE], scheduler=running.address, batch_size=BATCH_SIZE, progress=kill_one
            ).to_dict()
        assert killed, "the run ended before a worker could be killed"
        assert len(running.worker_pids()) == 1
    assert (report, results(tmp_path / "cluster.db")) == local


def test_a_scheduler_lost_mid_run_is_said_and_the_ingest_resumes(local, tmp_path):
    db = tmp_path / "cluster.db"
    with cluster(1) as running:

        def kill_scheduler(progress) -> None:
            if progress.read and running.scheduler.poll() is None:
                running.scheduler.kill()
                running.scheduler.wait()

        with pytest.raises(executor.SchedulerLost, match="run the same ingest again to finish it"):
            ingest(db, scheduler=running.address, progress=kill_scheduler)
    with dateline.open(db) as corpus:
        assert 0 < len(list(corpus.articles())) < local[0]["stored"]
    resumed = ingest(db, workers=1, scheduler="")
    assert resumed["read"] == local[0]["read"] and resumed["unchanged"] > 0
    assert results(db) == local[1]


def test_parse_on_a_cluster_prints_what_it_prints_here():
    here = [dataclasses.asdict(r) for r in dateline.parse([SAMPLE], workers=1, scheduler="")]
    assert len(here) == 34
    with cluster(1) as running:
        assert [dataclasses.asdict(r) for r in dateline.parse([SAMPLE], scheduler=running.address)] == here


def test_a_local_cluster_equals_a_local_ingest(local, tmp_path):
    report = ingest(tmp_path / "localcluster.db", scheduler="local", workers=1)
    assert (report, results(tmp_path / "localcluster.db")) == local


def test_an_unreachable_scheduler_fails_fast_naming_it(tmp_path, monkeypatch):
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    start = time.monotonic()
    with pytest.raises(executor.SchedulerError, match=f"--scheduler {address}: no Dask scheduler answers there"):
        ingest(tmp_path / "x.db", scheduler=address)
    assert time.monotonic() - start < 10
    monkeypatch.setenv(executor.SCHEDULER_ENV, address)
    with pytest.raises(executor.SchedulerError, match=address):
        ingest(tmp_path / "x.db")


@pytest.mark.parametrize("command", ["ingest", "parse"])
def test_the_command_line_says_so_without_a_traceback(command, tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"
    env = dict(os.environ)
    env.pop(executor.SCHEDULER_ENV, None)
    start = time.monotonic()
    store = ["--db", str(tmp_path / "x.db")] if command == "ingest" else []
    done = subprocess.run(
        [sys.executable, "-c", "from dateline.cli import app; app()", command, str(SAMPLE)]
        + [*store, "--scheduler", address],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    elapsed = time.monotonic() - start
    assert done.returncode == 2
    assert f"--scheduler {address}: no Dask scheduler answers there" in done.stderr
    assert "dask scheduler" in done.stderr  # how to start one
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert elapsed < 20, f"took {elapsed:.1f} s (the connection attempt is bounded at {executor.CONNECT_TIMEOUT} s)"


@pytest.mark.parametrize(
    "given, expected",
    [
        ("127.0.0.1", "tcp://127.0.0.1:8786"),
        ("tcp://10.0.0.5", "tcp://10.0.0.5:8786"),
        ("tcp://10.0.0.5:9000", "tcp://10.0.0.5:9000"),
        ("[::1]:8786", "tcp://[::1]:8786"),
    ],
)
def test_scheduler_addresses_default_to_tcp_and_port_8786(given, expected):
    assert executor.full_address(given) == expected


def test_no_scheduler_means_the_local_pool(monkeypatch):
    monkeypatch.delenv(executor.SCHEDULER_ENV, raising=False)
    assert isinstance(executor.start(1), executor.Executor)
    assert isinstance(executor.start(1, scheduler=" "), executor.Executor)
    monkeypatch.setenv(executor.SCHEDULER_ENV, "tcp://h:1")
    assert isinstance(executor.start(1), executor.DaskExecutor)
    assert isinstance(executor.start(1, scheduler=""), executor.Executor)  # an explicit "" = no cluster
