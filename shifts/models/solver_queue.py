"""A district solve's pieces of work on the queue (shifts.rostering.solver_queue): the problem its coordinator
published, and each piece with its result. Rows live only while the solve runs."""

from django.db import models


class SolverProblem(models.Model):
    """A problem published by a district coordinator for its pieces (pickled and compressed)."""

    key = models.CharField(max_length=32, primary_key=True)
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)


class SolverPiece(models.Model):
    """One neighbourhood of a district solve (solver.executor.Piece, pickled) and its outcome."""

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    problem = models.ForeignKey(SolverProblem, on_delete=models.CASCADE, related_name="pieces")
    payload = models.BinaryField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    taken_by = models.CharField(max_length=100, blank=True)     # host:pid, or "coordinator"
    result = models.BinaryField(null=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["problem", "state"])]
