"""Where a district's pieces of work run: an executor that the solver takes as a parameter.

A district solve (``solver/district.py``) is a coordinator: it keeps the roster, hands out
neighbourhoods (the sweep's groups, second runs, joins, and the large-neighbourhood moves) as
*pieces*, and merges each result under the version check (``Neighbourhoods.merge``). A piece is
picklable and names its problem by a key, so it can run anywhere that can read that problem:

- ``InlineExecutor``: in the calling process, at once (tests, and one process on the command line);
- ``ForkExecutor``: forked worker processes on this machine (``solve(processes=N)``);
- ``shifts.rostering.solver_queue.QueueExecutor``: tasks on the django-q2 queue, taken by any
  ``qcluster`` on any machine (a queue worker is a daemonic process, which may not fork).

An executor has

    slots: int                   how many pieces it runs at the same time
    publish(problem) -> str      make ``problem`` readable by the pieces; returns its key
    submit(piece) -> Future      a ``concurrent.futures.Future`` resolved with ``run_piece``'s result
    close() -> None              no further pieces; what ``publish`` stored may go

This module knows nothing of Django (``tests/solver/test_executor.py`` checks that ``solver/``
imports none of it).
"""

from __future__ import annotations

import logging
import multiprocessing
import time
import uuid
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Piece:
    """One neighbourhood to re-solve (``district.Task``), for the problem published as ``problem``.

    ``expires`` is wall-clock time (``time.time()``, comparable across machines) after which the
    coordinator no longer waits for it: a piece taken from a queue later returns ``None`` at once."""
    problem: str
    task: object
    workers: int
    seed: int
    expires: float


def run_piece(piece: Piece, problem):
    """The piece's work: ``district.solve_task``'s outcome, or None if it expired before it started."""
    from solver.district import solve_task

    if time.time() > piece.expires:
        return None
    return solve_task(problem, piece.task, piece.workers, piece.seed)


class InlineExecutor:
    """Runs each piece at once in this process; ``submit`` returns a finished future."""

    slots = 1

    def __init__(self):
        self._problems: dict[str, object] = {}

    def publish(self, problem) -> str:
        key = uuid.uuid4().hex
        self._problems[key] = problem
        return key

    def submit(self, piece: Piece) -> Future:
        future = Future()
        try:
            future.set_result(run_piece(piece, self._problems[piece.problem]))
        except Exception as exc:  # handed to the coordinator like a remote failure
            future.set_exception(exc)
        return future

    def close(self) -> None:
        self._problems.clear()


# Read by forked worker processes: set before the pool forks, so the problem is never pickled.
_PUBLISHED: dict[str, object] = {}


def _run_published(piece: Piece):
    return run_piece(piece, _PUBLISHED[piece.problem])


class ForkExecutor:
    """Forked worker processes on this machine. ``publish`` starts the pool (after the problem is in
    place); a process that may not fork (a daemonic queue worker) raises from ``submit``, and the
    coordinator then runs its pieces itself."""

    def __init__(self, processes: int):
        self.slots = processes
        self._pool = None
        self._keys: list[str] = []

    def publish(self, problem) -> str:
        key = uuid.uuid4().hex
        _PUBLISHED[key] = problem
        self._keys.append(key)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.slots, mp_context=multiprocessing.get_context("fork"))
        return key

    def submit(self, piece: Piece) -> Future:
        return self._pool.submit(_run_published, piece)

    def close(self) -> None:
        if self._pool is not None:
            # Work still running ends by its own time limit (within the deadline).
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        for key in self._keys:
            _PUBLISHED.pop(key, None)
        self._keys.clear()
