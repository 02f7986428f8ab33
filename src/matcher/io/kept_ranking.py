"""The kept ranking of the state folder: what an incremental rerun needs to score only its new
resumes' pairs (:mod:`matcher.ranking.incremental`).

``<state_dir>/kept_ranking/`` holds these files, each written atomically:

- ``statistics.pkl``: the pool statistics the full run fitted (extensible:
  :meth:`matcher.ranking.features.PoolStatistics.extended`), pickled. The state folder is the
  runs' own, as the embedding cache is: a pickle is read only from there. An incremental
  rerun keeps the statistics it read, so it does not write them again.
- ``pairs-<n>-<hash>.parquet``, the segments: every pair the last run scored
  (:class:`KeptPairs`), in one file or more. A full run writes them batch by batch into
  ``pairs.next.parquet`` (:func:`open_kept_pairs`), moved into place as the first segment
  when the run is saved. An incremental rerun that dropped no pair (no resume removed or
  changed) writes its new pairs only, as one more segment, instead of every pair again
  (RJDB, 10 new resumes: 5,000 rows against 500,000); one that dropped some, or would make
  more than :data:`MOST_SEGMENTS`, writes them all as one.
- ``kept.json``: the key they hold for (the scorer, its settings and the postings), the run
  that fitted the statistics and its pool size, the last run's resumes' text hashes, the
  warnings, the segments in order with their rows, and the SHA-256 of every other file.
  Written last: a run stopped between the files leaves a ``kept.json`` whose files or hashes
  do not match, and the kept ranking is not used. Files it does not list are deleted after
  it is written.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from matcher import schema
from matcher.io.atomic import atomic_open, atomic_write_bytes, atomic_write_text
from matcher.io.manifest import file_sha256
from matcher.io.state_store import fingerprint
from matcher.ranking.decisions import DecisionFile
from matcher.ranking.features import PoolStatistics
from matcher.ranking.incremental import KeptPairs
from matcher.ranking.shortlist import EXPLANATION_COLUMNS
from matcher.ranking.two_stage import ENCODED_TEXT, POINTS, VALUE

#: The kept ranking's folder in the state folder.
FOLDER = "kept_ranking"
_STATISTICS, _META = "statistics.pkl", "kept.json"
#: The segments' files: ``pairs-<n>-<hash>.parquet`` (and ``pairs.parquet``, format 1's).
_SEGMENT_GLOB = "pairs*.parquet"
#: The most segments a kept ranking is read from: a rerun that would add one more writes
#: every pair as one segment instead.
MOST_SEGMENTS = 8
#: The pairs of a run in progress (:func:`open_kept_pairs`), moved into place as a segment
#: when saved.
_NEXT_PAIRS = "pairs.next.parquet"
#: Bumped when what is kept changes meaning: an older kept ranking is then not used.
#: 2: the explanations are dictionary-encoded in the pairs files, which are segments.
FORMAT = 2


@dataclass(frozen=True)
class Segment:
    """One file of a kept ranking's pairs: its name in the folder, SHA-256 and rows."""

    name: str
    sha256: str
    rows: int


@dataclass(frozen=True)
class KeptRanking:
    """What a run kept for the next one.

    Attributes:
        key: What the kept pairs hold for (:func:`ranking_key`); another key needs a full run.
        fitted_by: When the run that fitted the statistics started (``started``, ISO UTC) and
            the incremental runs since (``reruns``).
        fitted_resumes: The resumes the statistics were fitted on.
        fitted_hashes: Their text hashes by resume ID: how far a pool is from the fitted one.
        statistics: The fitted statistics (extensible).
        pairs: The last run's pairs.
        pairs_file: Where the last run wrote its pairs batch by batch
            (:func:`open_kept_pairs`), if it did: ``pairs.pairs`` then holds their columns
            only, and :func:`save_kept` moves the file into place. Otherwise the file that
            :func:`write_kept_pairs` wrote the pairs after the ``segments`` to, if it did.
        segments: The segments in place that hold the first rows of ``pairs.pairs``, in
            order (:func:`appended_kept`): only the rows after theirs are written. Empty:
            every pair is written.
        statistics_sha256: The SHA-256 of the statistics file in place, if it holds
            ``statistics`` (they were read from it): it is not written again.
    """

    key: str
    fitted_by: dict[str, Any]
    fitted_hashes: dict[str, str]
    statistics: PoolStatistics
    pairs: KeptPairs
    pairs_file: Path | None = None
    segments: tuple[Segment, ...] = ()
    statistics_sha256: str | None = None

    @property
    def fitted_resumes(self) -> int:
        """The size of the pool the statistics were fitted on."""
        return len(self.fitted_hashes)


def ranking_key(scorer: dict[str, Any], postings: dict[str, str], candidates: int) -> str:
    """The key of a kept ranking: the scorer (model, ranker, settings, day), the postings'
    content hashes in order and stage 1's ``candidates``."""
    return fingerprint(
        {"format": FORMAT, "scorer": scorer, "postings": postings, "candidates": candidates}
    )


def kept_path(state_dir: Path) -> Path:
    """The kept ranking's folder in ``state_dir``."""
    return Path(state_dir) / FOLDER


def appended_kept(
    previous: KeptRanking, key: str, fitted_by: dict[str, Any], pairs: KeptPairs
) -> KeptRanking:
    """What an incremental rerun keeps: ``pairs`` (merged from ``previous``'s by
    :func:`matcher.ranking.incremental.rank_incremental`, its kept rows first) with
    ``previous``'s statistics, which are not written again. If no pair was dropped (every
    row of ``previous`` is still first, in order) and ``previous`` has fewer than
    :data:`MOST_SEGMENTS` segments, ``previous``'s segments hold those rows and only the
    new ones are written, as one more segment; otherwise every pair is written."""
    rows = len(previous.pairs.pairs)
    appended = (
        len(previous.segments) < MOST_SEGMENTS
        and sum(segment.rows for segment in previous.segments) == rows
        and len(pairs.pairs) >= rows
        and _same_ids(pairs.pairs.iloc[:rows], previous.pairs.pairs)
    )
    return KeptRanking(
        key,
        fitted_by,
        previous.fitted_hashes,
        previous.statistics,
        pairs,
        segments=previous.segments if appended else (),
        statistics_sha256=previous.statistics_sha256,
    )


def _same_ids(pairs: pd.DataFrame, kept: pd.DataFrame) -> bool:
    """Whether ``pairs`` are the pairs of ``kept``, row for row (their IDs, compared as
    Arrow arrays: 2 ms for RJDB's 500,000 pairs)."""
    return all(
        bool(pairs[column].array.equals(kept[column].array))
        for column in (schema.JOB_ID, schema.RESUME_ID)
    )


def save_kept(state_dir: Path, kept: KeptRanking) -> None:
    """Write ``kept`` into ``state_dir`` (each file atomically, ``kept.json`` last), then
    delete the segments it does not list."""
    folder = kept_path(state_dir)
    folder.mkdir(parents=True, exist_ok=True)
    statistics_sha256 = kept.statistics_sha256
    if statistics_sha256 is None:
        statistics = pickle.dumps(kept.statistics, protocol=pickle.HIGHEST_PROTOCOL)
        atomic_write_bytes(folder / _STATISTICS, statistics)
        statistics_sha256 = hashlib.sha256(statistics).hexdigest()
    kept = write_kept_pairs(state_dir, kept)
    assert kept.pairs_file is not None
    sha256 = file_sha256(kept.pairs_file)
    rows = len(kept.pairs.pairs) - sum(segment.rows for segment in kept.segments)
    if kept.pairs.pairs.empty and not kept.segments:
        rows = _file_rows(kept.pairs_file)  # written batch by batch: the frame holds none
    added = Segment(f"pairs-{len(kept.segments)}-{sha256[:16]}.parquet", sha256, rows)
    os.replace(kept.pairs_file, folder / added.name)
    segments = [*kept.segments, added]
    meta = {
        "format": FORMAT,
        "key": kept.key,
        "fitted_by": kept.fitted_by,
        "fitted_hashes": kept.fitted_hashes,
        "job_ids": kept.pairs.job_ids,
        "resume_hashes": kept.pairs.resume_hashes,
        "warnings": kept.pairs.warnings,
        "segments": [[segment.name, segment.rows] for segment in segments],
        "sha256": {
            _STATISTICS: statistics_sha256,
            **{segment.name: segment.sha256 for segment in segments},
        },
    }
    atomic_write_text(folder / _META, json.dumps(meta))
    listed = {segment.name for segment in segments}
    for path in folder.glob(_SEGMENT_GLOB):
        if path.name not in listed and path.name != _NEXT_PAIRS:
            path.unlink(missing_ok=True)


def _file_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


def write_kept_pairs(state_dir: Path, kept: KeptRanking) -> KeptRanking:
    """``kept`` with its pairs written to the file that :func:`save_kept` moves into place
    (``pairs.next.parquet``, atomically), as a full run writes its pairs while it ranks:
    saving it then costs a rename. Only the pairs after those of ``kept.segments`` are
    written. The kept ranking of the run before stays intact until then. ``kept`` as it is
    if its pairs are in a file already."""
    if kept.pairs_file is not None:
        return kept
    after = sum(segment.rows for segment in kept.segments)
    with open_kept_pairs(state_dir) as (pairs, path):
        pairs.write(kept.pairs.pairs.iloc[after:])
    return replace(kept, pairs_file=path)


def kept_pairs_schema(columns: Sequence[str]) -> pa.Schema:
    """The Arrow schema of kept pairs (:attr:`KeptPairs.pairs`) with ``columns``: each
    signal's part and value as float32 (as scored, to the bit), the IDs as text and the
    explanations as dictionary-encoded text (:data:`ENCODED_TEXT`, written with their
    dictionaries), whatever the values of one batch.

    Example:
        >>> [str(t) for t in kept_pairs_schema(["job_id", "points.dense", "evidence"]).types]
        ['large_string', 'float', 'dictionary<values=large_string, indices=int32, ordered=0>']
    """
    return pa.schema([(name, _kept_type(name)) for name in columns])


def _kept_type(name: str) -> pa.DataType:
    if name.startswith((POINTS, VALUE)):
        return pa.float32()
    return ENCODED_TEXT if name in EXPLANATION_COLUMNS else pa.large_string()


def read_kept_pairs(data: bytes) -> pd.DataFrame:
    """The kept pairs of a pairs file (:func:`kept_pairs_schema`), their explanations
    dictionary-encoded (:data:`ENCODED_TEXT`) as a run holds them, not decoded: RJDB's
    500,000 pairs were read in 0.15-0.29 s so, against 0.30-0.74 s as plain text by
    :func:`pandas.read_parquet` (the file as large, 35.8 MB)."""
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(data))
    # Parquet gives a dictionary's values back as short strings: cast to the held type.
    for position, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type) and field.type != ENCODED_TEXT:
            table = table.set_column(position, field.name, table[position].cast(ENCODED_TEXT))
    return table.to_pandas(
        types_mapper=lambda kind: pd.ArrowDtype(kind) if pa.types.is_dictionary(kind) else None
    )


@contextmanager
def open_kept_pairs(state_dir: Path) -> Iterator[tuple[DecisionFile, Path]]:
    """A file in the kept ranking's folder that a run writes its kept pairs into
    (``rank_keeping``'s ``keep_to``, as soon as they are scored), and its path, complete when
    the block ends without error (written into a temporary file first). :func:`save_kept`
    moves it into place when the run is done; until then the kept ranking of the run before
    is intact.
    """
    folder = kept_path(state_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / _NEXT_PAIRS
    with atomic_open(path, "wb") as sink:
        pairs = DecisionFile(sink, kept_pairs_schema)
        try:
            yield pairs, path
        except BaseException:
            pairs.discard()
            raise
        pairs.close()


def load_kept(state_dir: Path) -> KeptRanking | None:
    """The kept ranking of ``state_dir``; None if there is none, or it is of another format,
    incomplete or damaged (a full run then fits new statistics)."""
    folder = kept_path(state_dir)
    try:
        meta = json.loads((folder / _META).read_text())
        if meta.get("format") != FORMAT:
            return None
        expected = dict(meta["sha256"])
        statistics = (folder / _STATISTICS).read_bytes()
        segments = [
            Segment(str(name), str(expected[name]), int(rows)) for name, rows in meta["segments"]
        ]
        files = [(folder / segment.name).read_bytes() for segment in segments]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    statistics_sha256 = hashlib.sha256(statistics).hexdigest()
    if statistics_sha256 != expected.get(_STATISTICS) or any(
        hashlib.sha256(data).hexdigest() != segment.sha256
        for data, segment in zip(files, segments, strict=True)
    ):
        return None
    # The runs' own state folder, and the bytes whose hash kept.json holds.
    pool = pickle.loads(statistics)
    if not isinstance(pool, PoolStatistics):
        return None
    parts = [read_kept_pairs(data) for data in files]
    if [len(part) for part in parts] != [segment.rows for segment in segments]:
        return None
    return KeptRanking(
        str(meta["key"]),
        dict(meta["fitted_by"]),
        dict(meta["fitted_hashes"]),
        pool,
        KeptPairs(
            list(meta["job_ids"]),
            dict(meta["resume_hashes"]),
            parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True),
            list(meta["warnings"]),
        ),
        segments=tuple(segments),
        statistics_sha256=statistics_sha256,
    )


def load_kept_later(state_dir: Path) -> Callable[[], KeptRanking | None]:
    """:func:`load_kept` in a thread of its own, started now; the function returned waits for
    it and gives its answer (or raises its error). Reading the pairs file and checking its
    hash let go of the GIL, so a run reads its kept ranking (RJDB: 0.3-0.45 s) while it
    cleans and embeds its records.

    Example:
        >>> load_kept_later(Path("no-such-state-folder"))() is None
        True
    """
    from concurrent.futures import ThreadPoolExecutor

    threads = ThreadPoolExecutor(1, thread_name_prefix="load-kept")
    future = threads.submit(load_kept, state_dir)
    threads.shutdown(wait=False)
    return future.result


def drifted(kept: KeptRanking, hashes: dict[str, str]) -> int:
    """How many resumes the pool ``hashes`` (text hash by ID) differs from the fitted pool
    by: added, changed and removed ones."""
    fitted = kept.fitted_hashes
    added_or_changed = sum(1 for rid, h in hashes.items() if fitted.get(rid) != h)
    removed = sum(1 for rid in fitted if rid not in hashes)
    return added_or_changed + removed
