"""matcher's Prefect flows: Prefect's :class:`~prefect.flows.Flow`, without flow run heartbeats
where nothing reads them.

A flow run's heartbeats tell a lasting Prefect server that the run is alive, so that it can
mark a run that crashed. Prefect's heartbeat thread sleeps in one-second steps, and every
flow run waits for it to wake at its end: 0-1 s, half a second on average, of every run
(RJDB's in-process reruns took 5.09, 5.09, 5.09 and 5.35 s, 6.09, 7.10, 6.09 and 6.10 s:
whole seconds from the start). A flow called in a process with no Prefect API set (a
notebook, a script) runs on Prefect's ephemeral API, which ends with the process: nothing
reads its heartbeats. So a :class:`MatcherFlow` called there runs without them. With an API
set (the project's server, ``matcher schedule``, or one the user set) they are kept. A
command's temporary API has none either (:func:`matcher.orchestration.temporary_api.flows_on`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

from prefect.flows import Flow

R = TypeVar("R")


class MatcherFlow(Flow[..., R]):
    """A Prefect flow whose runs send no heartbeats when no Prefect API is set
    (:func:`heartbeats_if_read`)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with heartbeats_if_read():
            return super().__call__(*args, **kwargs)

    def with_options(self, **options: Any) -> MatcherFlow[R]:
        """Prefect's :meth:`~prefect.flows.Flow.with_options` (the batch flow on the Dask
        task runner, for one), still a :class:`MatcherFlow`: Prefect's copy is a plain
        ``Flow``, which would send heartbeats where nothing reads them. The class adds no
        state of its own, so the copy is Prefect's with this class."""
        copy = super().with_options(**options)
        copy.__class__ = type(self)
        return cast("MatcherFlow[R]", copy)


def matcher_flow(name: str, **options: Any) -> Callable[[Callable[..., R]], MatcherFlow[R]]:
    """``@flow(name=..., ...)`` making a :class:`MatcherFlow`."""

    def decorate(function: Callable[..., R]) -> MatcherFlow[R]:
        return MatcherFlow(function, name=name, **options)

    return decorate


@contextlib.contextmanager
def heartbeats_if_read() -> Iterator[None]:
    """The block's flow runs without heartbeats if no Prefect API is set (Prefect's
    ephemeral API, which nothing outlives); as they are otherwise."""
    from prefect.settings import get_current_settings

    if get_current_settings().api.url:
        yield
        return
    with without_heartbeats():
        yield


@contextlib.contextmanager
def without_heartbeats() -> Iterator[None]:
    """The block's flow runs send no heartbeats (nor wait for the heartbeat thread)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield
