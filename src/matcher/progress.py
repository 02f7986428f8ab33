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
    with nothing to do writes nothing. A report of another total, or of fewer done than the
    report before, starts a new pass that is written the same way (one reporter can follow
    several calls that each count their own items).

    Args:
        stage: What is counted, e.g. ``"embedding resumes"``.
        write: Takes each line, e.g. a logger's ``info``.
        steps: How many lines at most between the first and the last.

    Example:
        >>> lines = []
        >>> report = progress_lines("encoding texts", lines.append, steps=2)
        >>> for done, total in [(1, 4), (2, 4), (4, 4), (1, 2), (2, 2), (1, 2), (2, 2)]:
        ...     report(done, total)
        >>> lines  # doctest: +NORMALIZE_WHITESPACE
        ['encoding texts 1/4', 'encoding texts 2/4', 'encoding texts 4/4',
         'encoding texts 1/2', 'encoding texts 2/2', 'encoding texts 1/2', 'encoding texts 2/2']
    """
    last_step = -1
    last_done = 0
    last_total = 0

    def report(done: int, total: int) -> None:
        nonlocal last_step, last_done, last_total
        if total <= 0:
            return
        if total != last_total or done < last_done:
            last_step = -1
        last_done, last_total = done, total
        step = done * steps // total
        if step > last_step or done == total:
            last_step = step
            write(f"{stage} {done}/{total}")

    return report
