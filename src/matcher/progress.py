"""Progress of a stage as a few lines of overall progress: "embedding resumes 120/400".

A run shows one progress display per stage, counted in what the stage works through (resumes,
jobs), rather than a bar per internal call. The library reports through a :data:`Progress`
callback; the flow turns it into log lines with :func:`progress_lines`, so ``--quiet`` (which
silences information lines) silences progress too.

Example:
    >>> lines = []
    >>> report = progress_lines("job", lines.append, steps=4)
    >>> for done in range(1, 20):
    ...     report(done, 19)
    >>> lines
    ['job 1/19', 'job 5/19', 'job 10/19', 'job 15/19', 'job 19/19']
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Progress", "progress_lines"]

#: Called with ``(done, total)`` as a stage advances.
Progress = Callable[[int, int], None]


def progress_lines(stage: str, write: Callable[[str], None], steps: int = 4) -> Progress:
    """A :data:`Progress` that writes ``"<stage> <done>/<total>"`` about ``steps`` times.

    The first item, each further ``1/steps`` of the total, and the last are written; a stage
    with nothing to do writes nothing.

    Args:
        stage: What is counted, e.g. ``"embedding resumes"``.
        write: Takes each line, e.g. a logger's ``info``.
        steps: How many lines at most between the first and the last.
    """
    last_step = -1

    def report(done: int, total: int) -> None:
        nonlocal last_step
        if total <= 0:
            return
        step = done * steps // total
        if step > last_step or done == total:
            last_step = step
            write(f"{stage} {done}/{total}")

    return report
