"""Seeded, chunk-independent random streams for the stochastic engines.

Trials are cut into fixed blocks of :data:`BLOCK_TRIALS`; block ``i`` always draws
from child ``i`` of the caller's :class:`numpy.random.SeedSequence` (children come
from ``SeedSequence.spawn``, whose keys depend on the index only). Results
therefore depend on the seed and the number of trials, never on how blocks are
grouped into chunks, run in parallel or interrupted for a progress bar. No global
random state is touched.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from typing import TypeVar

import numpy as np

BLOCK_TRIALS = 2048

T = TypeVar("T")

SeedLike = int | np.random.SeedSequence


def as_seed_sequence(seed: SeedLike | None) -> np.random.SeedSequence:
    """A SeedSequence from an int seed, a SeedSequence, or None (fresh entropy)."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(seed)


def block_sizes(trials: int, block: int = BLOCK_TRIALS) -> list[int]:
    """Sizes of the fixed blocks that make up ``trials`` (last one partial)."""
    if trials < 1:
        raise ValueError("trials must be at least 1")
    full, rest = divmod(trials, block)
    return [block] * full + ([rest] if rest else [])


def run_blocks(
    task: Callable[[np.random.Generator, int], T],
    seed: np.random.SeedSequence,
    trials: int,
    *,
    chunk_blocks: int = 8,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[T]:
    """Run ``task(rng, size)`` once per block and return the results in block order.

    ``chunk_blocks`` blocks are submitted together (bounding memory and the
    granularity of ``progress``, which receives the number of trials just done);
    with an ``executor`` the blocks of a chunk run concurrently. ``task`` must be
    picklable to use a process pool.
    """
    results: list[T] = []
    for chunk in _chunks(task, seed, trials, chunk_blocks, executor, progress):
        results.extend(chunk)
    return results


def fold_blocks(
    task: Callable[[np.random.Generator, int], T],
    combine: Callable[[T, T], T],
    seed: np.random.SeedSequence,
    trials: int,
    *,
    chunk_blocks: int = 8,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
) -> T:
    """:func:`run_blocks`, each block's result folded into the running one as it comes.

    Results are combined strictly in block order (``combine(so_far, next)``), so the
    answer is the same bit for bit whatever ``executor`` or ``chunk_blocks`` is, and
    at most two chunks of blocks are ever in flight (the one being folded and the next,
    already submitted to an ``executor``): memory does not grow with ``trials``.
    """
    folded: T | None = None
    for chunk in _chunks(task, seed, trials, chunk_blocks, executor, progress):
        for result in chunk:
            folded = result if folded is None else combine(folded, result)
    assert folded is not None  # block_sizes gives at least one block
    return folded


def _chunks(
    task: Callable[[np.random.Generator, int], T],
    seed: np.random.SeedSequence,
    trials: int,
    chunk_blocks: int,
    executor: Executor | None,
    progress: Callable[[int], None] | None,
) -> Iterator[list[T]]:
    """Each chunk's block results in block order, block ``i`` drawn from child ``i``.

    Children are spawned chunk by chunk: ``spawn`` numbers them on from the ones
    already spawned, so they are the children one ``spawn(len(blocks))`` would give.
    With an ``executor`` the next chunk is already submitted while this one is
    collected, so the workers never wait for the slowest block of a chunk.
    """
    sizes = block_sizes(trials)
    step = max(1, chunk_blocks)
    starts = range(0, len(sizes), step)

    def jobs_of(start: int) -> list[tuple[np.random.SeedSequence, int]]:
        stop = min(len(sizes), start + step)
        return list(zip(seed.spawn(stop - start), sizes[start:stop], strict=True))

    if executor is None:
        for start in starts:
            jobs = jobs_of(start)
            yield [task(np.random.default_rng(child), size) for child, size in jobs]
            if progress is not None:
                progress(sum(size for _, size in jobs))
        return
    pending: deque[tuple[list[Future[T]], int]] = deque()
    try:
        for start in starts:
            jobs = jobs_of(start)
            futures = [executor.submit(_run_one, task, child, size) for child, size in jobs]
            pending.append((futures, sum(size for _, size in jobs)))
            if len(pending) > 1:
                yield from _collect(pending.popleft(), progress)
        while pending:
            yield from _collect(pending.popleft(), progress)
    finally:  # interrupted (Ctrl-C, an error): blocks not yet started are dropped
        for futures, _ in pending:
            for future in futures:
                future.cancel()


def _collect(
    chunk: tuple[list[Future[T]], int], progress: Callable[[int], None] | None
) -> Iterator[list[T]]:
    futures, done = chunk
    yield [future.result() for future in futures]
    if progress is not None:
        progress(done)


def _run_one(
    task: Callable[[np.random.Generator, int], T], child: np.random.SeedSequence, size: int
) -> T:
    return task(np.random.default_rng(child), size)
