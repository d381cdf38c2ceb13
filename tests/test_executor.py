"""Where batches run: results in input order whichever executor ran them."""

from __future__ import annotations

import os

import pytest

from dateline import executor


def square_all(batch: list[int], offset: int) -> list[int]:
    return [x * x + offset for x in batch]


def pid_of(batch: list[int]) -> int:
    return os.getpid()


def test_a_pool_keeps_input_order():
    batches = [[i, i + 1] for i in range(0, 40, 2)]
    with executor.Executor(2) as pool:
        results = list(pool.map(square_all, batches, 1))
    assert [b for b, _ in results] == batches
    assert [r for _, r in results] == [square_all(b, 1) for b in batches]
    assert pool.pool is not None  # more than one batch: processes really ran


def test_a_single_batch_runs_inline():
    with executor.Executor(2) as pool:
        results = list(pool.map(pid_of, [[1]]))
    assert results == [([1], os.getpid())]
    assert pool.pool is None


def test_no_batches_yield_nothing():
    with executor.Executor(2) as pool:
        assert list(pool.map(square_all, [], 0)) == []


def test_default_workers_use_the_cores_memory_allows():
    n = executor.default_workers()
    assert 1 <= n <= (os.cpu_count() or 1)
    assert executor.resolve(None) == executor.resolve(0) == n
    assert executor.resolve(3) == 3


def test_negative_workers_name_the_mistake():
    with pytest.raises(ValueError, match="workers -2: must be 1 or more"):
        executor.resolve(-2)


def test_a_dask_worker_undoes_the_nannys_malloc_trim(monkeypatch):
    """The nanny's MALLOC_TRIM_THRESHOLD_=65536 cost Dask workers 25 % more CPU (bench/RESULTS.md)."""
    calls: list[tuple[int, int]] = []

    class Libc:
        def mallopt(self, parameter: int, value: int) -> int:
            calls.append((parameter, value))
            return 1

    monkeypatch.setattr(executor.ctypes, "CDLL", lambda name: Libc())
    for environ, expected in (({}, []), ({"MALLOC_TRIM_THRESHOLD_": "65536"}, [(-3, 32 << 20), (-1, 64 << 20)])):
        calls.clear()
        executor.keep_freed_memory.cache_clear()
        monkeypatch.setattr(executor.os, "environ", environ)
        assert executor.on_worker(lambda batch, k: [x * k for x in batch], [1, 2], 3) == [3, 6]
        assert calls == expected
    executor.keep_freed_memory.cache_clear()
