"""A district solve spread over the queue: the django-q2 executor of ``solver/executor.py``.

A district solve runs in one queue worker, its *coordinator* (``solver/district.py``): it keeps the roster and
the bound and merges results under the version check. Each neighbourhood it hands out (a group of the sweep, a
second run, a join, a move) becomes a ``SolverPiece`` row and a ``shifts.tasks.solver_piece_run`` task that any
``qcluster`` on any machine may take; the task writes the outcome into the row, and a thread of the coordinator
collects finished rows and resolves the solver's futures.

A queue worker may not fork (it is a daemonic process), which is why the pieces go over the queue rather than
into a process pool. The coordinator itself is a queue worker too: a piece nobody has taken after
``TAKE_OVER_SECONDS`` is taken by the coordinator's own thread (the row's state decides who runs it, so a piece
runs once), so a cluster whose other workers are busy still finishes the sweep.

The problem is published once per solve (``SolverProblem``, pickled and compressed, 0.4 MB for 9,000 members) and
read once per worker process; the rows are deleted when the solve ends (``close``), and left-overs of a solve that
died are purged by ``solver_pieces_purge`` (run with the stale-solve recovery).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import pickle
import socket
import threading
import time
import uuid
import zlib
from collections import OrderedDict
from concurrent.futures import Future

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django_q import tasks as django_q_tasks

from shifts.models import SolverPiece, SolverProblem
from solver.executor import Piece, run_piece

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.1
TAKE_OVER_SECONDS = 0.5     # a piece still queued this long is taken by the coordinator's own thread
PURGE_AFTER = dt.timedelta(hours=1)
_CACHED_PROBLEMS = 2        # problems a worker process keeps read (one district at a time, plus the next)
_problems: OrderedDict[str, object] = OrderedDict()


def queue_executor() -> QueueExecutor | None:
    """The executor a district solve in a queue worker uses (None: settings say the district stays local)."""
    if settings.SOLVER_QUEUE_SLOTS < 1 or settings.Q_CLUSTER.get("sync"):
        return None
    return QueueExecutor(slots=settings.SOLVER_QUEUE_SLOTS)


class QueueExecutor:
    """Pieces as django-q2 tasks; results collected from their ``SolverPiece`` rows."""

    def __init__(self, *, slots: int, take_over: bool = True):
        self.slots = slots
        self.take_over = take_over
        self.ran_here = 0
        self._problems: dict[str, object] = {}
        self._futures: dict[int, Future] = {}
        self._queued: dict[int, tuple[float, Piece]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------ the executor protocol
    def publish(self, problem) -> str:
        key = uuid.uuid4().hex
        SolverProblem.objects.create(key=key, data=zlib.compress(pickle.dumps(problem, pickle.HIGHEST_PROTOCOL), 1))
        self._problems[key] = problem
        if not self._threads:
            self._start(self._collect, "solver-collect")
            if self.take_over:
                self._start(self._take_over, "solver-take-over")
        return key

    def submit(self, piece: Piece) -> Future:
        row = SolverPiece.objects.create(problem_id=piece.problem, payload=pickle.dumps(piece, pickle.HIGHEST_PROTOCOL))
        future = Future()
        with self._lock:
            self._futures[row.pk] = future
            self._queued[row.pk] = (time.monotonic(), piece)
        django_q_tasks.async_task("shifts.tasks.solver_piece_run", row.pk, task_name=f"solver-piece-{row.pk}",
                                  group=f"solver-{piece.problem}")
        return future

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        with self._lock:
            for future in self._futures.values():
                future.cancel()
            self._futures.clear()
            self._queued.clear()
        try:
            SolverProblem.objects.filter(key__in=list(self._problems)).delete()     # its pieces go with it
        except DatabaseError as exc:
            # Tidying only: the solve's roster is already made. A database that refuses now (SQLite while another
            # writer holds it) leaves the rows to solver_pieces_purge rather than losing the solve with them.
            logger.warning("solver queue: problems %s left for the purge (%s)", sorted(self._problems), exc)
        self._problems.clear()

    # ------------------------------------------------------------ the coordinator's threads
    def _start(self, target, name):
        thread = threading.Thread(target=self._guarded, args=(target,), name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _guarded(self, target):
        try:
            target()
        except Exception:  # a lost thread loses pieces (the solve ends at its deadline), never the roster
            logger.exception("solver queue: %s stopped", threading.current_thread().name)
        finally:
            connection.close()     # this thread's own database connection

    def _collect(self):
        """Resolve the futures of pieces that finished elsewhere."""
        while not self._stop.wait(POLL_SECONDS):
            with self._lock:
                waiting = list(self._futures)
            if not waiting:
                continue
            rows = SolverPiece.objects.filter(pk__in=waiting, state__in=[SolverPiece.State.DONE,
                                                                         SolverPiece.State.FAILED])
            for pk, state, result, error in rows.values_list("pk", "state", "result", "error"):
                if state == SolverPiece.State.DONE:
                    self._resolve(pk, result=pickle.loads(result))
                else:
                    self._resolve(pk, error=RuntimeError(error or "the piece failed"))

    def _take_over(self):
        """Run, in this process, the oldest piece that no worker has taken for ``TAKE_OVER_SECONDS``."""
        while not self._stop.wait(POLL_SECONDS):
            with self._lock:
                due = [(queued, pk, piece) for pk, (queued, piece) in self._queued.items()
                       if time.monotonic() - queued >= TAKE_OVER_SECONDS]
            for _, pk, piece in sorted(due, key=lambda item: item[0]):
                claimed = SolverPiece.objects.filter(pk=pk, state=SolverPiece.State.QUEUED).update(
                    state=SolverPiece.State.RUNNING, taken_by="coordinator")
                with self._lock:
                    self._queued.pop(pk, None)
                if not claimed:
                    continue            # a worker has it
                self.ran_here += 1
                try:
                    outcome = run_piece(piece, self._problems[piece.problem])
                except Exception as exc:
                    logger.exception("solver queue: piece %s failed in the coordinator", pk)
                    self._resolve(pk, error=exc)
                else:
                    self._resolve(pk, result=outcome)
                SolverPiece.objects.filter(pk=pk).update(state=SolverPiece.State.DONE, finished_at=timezone.now())
                break                   # look again: a worker may have taken the others meanwhile

    def _resolve(self, pk, *, result=None, error=None):
        with self._lock:
            future = self._futures.pop(pk, None)
            self._queued.pop(pk, None)
        if future is None or future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)


# ------------------------------------------------------------------ the worker's side


def solver_piece_run(*, piece_id: int) -> str:
    """The queue task's body: take the piece unless someone has, solve it, write the outcome into its row."""
    worker = f"{socket.gethostname()}:{os.getpid()}"[:100]
    taken = SolverPiece.objects.filter(pk=piece_id, state=SolverPiece.State.QUEUED).update(
        state=SolverPiece.State.RUNNING, taken_by=worker)
    if not taken:
        return "taken"          # by the coordinator, or the solve has ended and deleted it
    row = SolverPiece.objects.filter(pk=piece_id).values_list("problem_id", "payload").first()
    if row is None:
        return "gone"
    key, payload = row
    try:
        problem = _problem(key)
        if problem is None:
            return "gone"
        outcome = run_piece(pickle.loads(payload), problem)
    except Exception as exc:
        logger.exception("solver piece %s failed", piece_id)
        SolverPiece.objects.filter(pk=piece_id).update(state=SolverPiece.State.FAILED, error=str(exc)[:2000],
                                                       finished_at=timezone.now())
        return "failed"
    SolverPiece.objects.filter(pk=piece_id).update(state=SolverPiece.State.DONE, finished_at=timezone.now(),
                                                   result=pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL))
    return "done" if outcome is not None else "expired"


def _problem(key: str):
    """The published problem, read once per worker process."""
    if key in _problems:
        _problems.move_to_end(key)
        return _problems[key]
    data = SolverProblem.objects.filter(key=key).values_list("data", flat=True).first()
    if data is None:
        return None
    problem = pickle.loads(zlib.decompress(data))
    _problems[key] = problem
    while len(_problems) > _CACHED_PROBLEMS:
        _problems.popitem(last=False)
    return problem


def solver_pieces_purge() -> int:
    """Problems (and their pieces) of solves that ended without closing their executor (a killed worker)."""
    deleted, _ = SolverProblem.objects.filter(created_at__lt=timezone.now() - PURGE_AFTER).delete()
    return deleted


__all__ = ["QueueExecutor", "queue_executor", "solver_piece_run", "solver_pieces_purge"]
