"""Decision records: what is needed to explain, later, why each candidate ranked where it did.

A shortlist run scores every (posting, candidate) pair but writes only the top of each job. The
decision records keep every pair, so that a candidate who was not shortlisted can be told why,
and a bias audit (:mod:`matcher.evaluation.bias_audit`) can see every score. They are written
as ``decisions.parquet`` beside the shortlists, never into the CSV.

One row per pair:

| column | meaning |
| --- | --- |
| ``job_id``, ``resume_id`` | the pair |
| ``rank``, ``candidates`` | the candidate's rank for the job (1 is best), out of how many |
| ``shortlisted``, ``top_k`` | whether the rank is within the run's shortlist size |
| ``score``, ``shortlist_score`` | the score (0-100), and the lowest score on the shortlist |
| ``points.<signal>`` | each signal's part of the score (the parts add up to ``score``) |
| ``value.<signal>``, ``weight.<signal>`` | its value in [0, 1] and weight, if the ranker has them |
| explanation columns | the explainer's columns (requirements matched and missing, evidence) |
| ``ranker``, ``model_version``, ``embedding_model`` | what ranked the run |
| ``posting_sha256``, ``resume_sha256`` | hashes of the texts as read |
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from matcher import schema
from matcher.io.atomic import atomic_open, atomic_write_bytes
from matcher.ranking.explain import Explainer, Row

#: File name of the decision records in a run's output folder.
DECISIONS_FILE = "decisions.parquet"


def text_sha256(text: str) -> str:
    """Hex SHA-256 of a text as UTF-8.

    Example:
        >>> text_sha256("")[:8]
        'e3b0c442'
    """
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def build_decisions(
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    components: Mapping[str, np.ndarray],
    top_k: int,
    ranker_info: Mapping[str, Any],
    explainer: Explainer,
    signal_values: Mapping[str, np.ndarray] | None = None,
    embedding_model: str = "",
    resume_rows: Sequence[Row] | None = None,
) -> pd.DataFrame:
    """One decision record per (posting, resume) pair; see the module docstring for columns.

    Args:
        postings: Prepared postings, in the row order of ``components``.
        resumes: Prepared resumes, in the column order of ``components``.
        components: Each signal's weighted part, ``(n_postings, n_resumes)``, summing to the score.
        top_k: The run's shortlist size.
        ranker_info: The ranker's description from :func:`matcher.ranking.scoring.select_ranker`.
        explainer: The ranker's explainer, called for every pair.
        signal_values: Each signal's value in [0, 1] before weighting, if the ranker has them.
        embedding_model: The embedding model's ID.
        resume_rows: The rows of ``resumes`` as the explainer takes them, if made already:
            taking a row out of a frame for every pair cost a large run more than half of its
            decision records, and the postings of a batch share their candidates' rows.
    """
    job_ids = postings[schema.JOB_ID].astype(str).tolist()
    resume_ids = resumes[schema.RESUME_ID].astype(str).tolist()
    shape = (len(job_ids), len(resume_ids))
    if not job_ids or not resume_ids:
        return pd.DataFrame(columns=_EMPTY_COLUMNS)
    scores = sum(components.values(), np.zeros(shape, dtype=np.float64))
    weights: Mapping[str, float] = ranker_info.get("params", {}).get("weights", {})
    posting_hashes = [text_sha256(_posting_text(row)) for _, row in postings.iterrows()]
    resume_hashes = [text_sha256(str(text)) for text in resumes[schema.TEXT].tolist()]
    model_version = str(ranker_info.get("model_version") or ranker_info.get("source") or "")
    # Built column by column (a list per column, the numbers rounded in one pass each): a dict
    # per pair cost a large run more than the explanations themselves.
    columns: dict[str, list[Any]] = {name: [] for name in _LEADING_COLUMNS}
    for name in components:
        columns[f"points.{name}"] = []
        if signal_values is not None and name in signal_values:
            columns[f"value.{name}"] = []
        if name in weights:
            columns[f"weight.{name}"] = []
    answers: list[dict[str, str]] = []
    posting_sha256: list[str] = []
    resume_sha256: list[str] = []
    order_ids = np.asarray(resume_ids, dtype=object)
    n = len(resume_ids)
    for row, job_id in enumerate(job_ids):
        # The shortlist's order: score descending, then resume ID (see rank_candidates).
        order = np.lexsort((order_ids, -scores[row]))
        kept = order[: max(top_k, 0)]
        cutoff = round(100 * float(scores[row, kept[-1]]), 1) if len(kept) else None
        columns["job_id"] += [job_id] * n
        columns["resume_id"] += [resume_ids[col] for col in order.tolist()]
        columns["rank"] += range(1, n + 1)
        columns["candidates"] += [n] * n
        columns["shortlisted"] += [rank <= top_k for rank in range(1, n + 1)]
        columns["top_k"] += [top_k] * n
        columns["score"] += [round(100 * value, 1) for value in scores[row, order].tolist()]
        columns["shortlist_score"] += [cutoff] * n
        for name, part in components.items():
            columns[f"points.{name}"] += [round(100 * v, 2) for v in part[row, order].tolist()]
            if signal_values is not None and name in signal_values:
                values = signal_values[name][row, order].tolist()
                columns[f"value.{name}"] += [round(value, 4) for value in values]
            if name in weights:
                columns[f"weight.{name}"] += [float(weights[name])] * n
        posting = postings.iloc[row]
        for col in order.tolist():
            resume = resumes.iloc[col] if resume_rows is None else resume_rows[col]
            answers.append(explainer(posting, resume))
        posting_sha256 += [posting_hashes[row]] * n
        resume_sha256 += [resume_hashes[col] for col in order.tolist()]
    # The explanation columns in the order a record per pair would have them: the explainer's.
    explained = list(dict.fromkeys(key for answer in answers for key in answer))
    for key in explained:
        columns[key] = [answer.get(key) for answer in answers]
    pairs = len(answers)
    trailing = (
        [str(ranker_info.get("name", ""))] * pairs,
        [model_version] * pairs,
        [embedding_model] * pairs,
        posting_sha256,
        resume_sha256,
    )
    return pd.DataFrame({**columns, **dict(zip(_TRAILING_COLUMNS, trailing, strict=True))})


_LEADING_COLUMNS = (
    "job_id",
    "resume_id",
    "rank",
    "candidates",
    "shortlisted",
    "top_k",
    "score",
    "shortlist_score",
)

#: The columns after the explanation's, in this order.
_TRAILING_COLUMNS = (
    "ranker",
    "model_version",
    "embedding_model",
    "posting_sha256",
    "resume_sha256",
)

#: The columns of a batch with no pair: those every record has.
_EMPTY_COLUMNS = [*_LEADING_COLUMNS, *_TRAILING_COLUMNS]


def _posting_text(posting: pd.Series) -> str:
    return f"{posting.get(schema.TITLE, '')}\n{posting.get(schema.DESCRIPTION, '')}"


def write_decisions(decisions: pd.DataFrame, out_dir: Path) -> Path:
    """Write ``out_dir/decisions.parquet`` atomically; returns its path.

    A run's records, batch by batch, go through :func:`open_decisions` instead: only one
    batch of them is held in memory.
    """
    buffer = io.BytesIO()
    decisions.to_parquet(buffer, index=False)
    return atomic_write_bytes(out_dir / DECISIONS_FILE, buffer.getvalue())


def decision_schema(columns: Sequence[str]) -> pa.Schema:
    """The Arrow schema of decision records with ``columns`` (see the module docstring): the
    type of each column follows from its name, never from the values of one batch, so a batch
    whose explanation column is empty, or all None, writes the same schema as the others.

    Example:
        >>> schema = decision_schema(["job_id", "rank", "shortlisted", "points.dense", "fit"])
        >>> [str(kind) for kind in schema.types]
        ['large_string', 'int64', 'bool', 'double', 'large_string']
    """
    return pa.schema([(name, _column_type(name)) for name in columns])


def _column_type(name: str) -> pa.DataType:
    if name in _INTEGER_COLUMNS:
        return pa.int64()
    if name == "shortlisted":
        return pa.bool_()
    if name in _FLOAT_COLUMNS or name.startswith(_SIGNAL_PREFIXES):
        return pa.float64()
    # IDs, the run's description, hashes and the explainer's columns: text. Large strings,
    # as pandas' own string columns are written.
    return pa.large_string()


_INTEGER_COLUMNS = frozenset({"rank", "candidates", "top_k"})
_FLOAT_COLUMNS = frozenset({"score", "shortlist_score"})
_SIGNAL_PREFIXES = ("points.", "value.", "weight.")


class DecisionFile:
    """Decision records written batch by batch into one Parquet file, a row group per batch,
    so a run holds one batch of them in memory, not all (:func:`open_decisions`).

    Read back (:func:`read_decisions`), the file is the records of every batch concatenated
    in order, as :func:`write_decisions` would write them: each column's type is fixed by
    :func:`decision_schema` from the first batch with records, and every later batch must
    have the same columns.
    """

    def __init__(self, sink: IO[bytes]) -> None:
        self._sink = sink
        self._writer: Any = None  # a pyarrow.parquet.ParquetWriter, once a batch has records
        self._schema: pa.Schema | None = None
        self._empty: pd.DataFrame | None = None
        self.rows = 0

    def write(self, records: pd.DataFrame) -> None:
        """Append one batch's records (:func:`build_decisions`, concatenated by posting).

        Raises:
            ValueError: If the batch's columns are not those of the batches before it.
        """
        if records.empty:
            # A batch without a pair: its columns are the file's only if no batch has any.
            if self._empty is None:
                self._empty = records
            return
        if self._schema is None:
            import pyarrow.parquet as pq

            self._schema = decision_schema([str(name) for name in records.columns])
            self._writer = pq.ParquetWriter(self._sink, self._schema)
        if list(records.columns) != self._schema.names:
            raise ValueError(
                "decision records with other columns than the batches before:"
                f" {list(records.columns)} after {self._schema.names}"
            )
        self._writer.write_table(
            pa.Table.from_pandas(records, schema=self._schema, preserve_index=False)
        )
        self.rows += len(records)

    def close(self) -> None:
        """Complete the file; with no record at all, the columns of an empty batch (or every
        record's) and no row, as :func:`write_decisions` writes them."""
        if self._writer is not None:
            self._writer.close()
            return
        empty = self._empty if self._empty is not None else pd.DataFrame(columns=_EMPTY_COLUMNS)
        empty.to_parquet(self._sink, index=False)

    def discard(self) -> None:
        """Let go of the file without completing it (a run that failed: it is removed)."""
        if self._writer is not None:
            # The sink may be closed already: nothing of the file is kept.
            with suppress(OSError, ValueError):
                self._writer.close()
            self._writer = None


@contextmanager
def open_decisions(out_dir: Path) -> Iterator[DecisionFile]:
    """``out_dir/decisions.parquet``, written batch by batch (:class:`DecisionFile`) into a
    temporary file that takes its place only when the block ends without error: a failed or
    stopped run leaves no half file where readers look.

    Example:
        >>> with open_decisions(Path("out")) as records:  # doctest: +SKIP
        ...     for batch in batches:
        ...         records.write(build_decisions(...))
    """
    with atomic_open(Path(out_dir) / DECISIONS_FILE, "wb") as sink:
        records = DecisionFile(sink)
        try:
            yield records
        except BaseException:
            records.discard()
            raise
        records.close()


def resolve_run(run_dir: Path) -> Path:
    """The folder holding the decision records of ``run_dir``.

    ``run_dir`` is a run's output folder, a run folder, or an output folder with the ``runs``
    layout (its ``latest`` run is used).

    Raises:
        FileNotFoundError: If neither holds decision records.
    """
    for folder in (run_dir, run_dir / "latest"):
        if (folder / DECISIONS_FILE).is_file():
            return folder.resolve()
    raise FileNotFoundError(
        f"{run_dir}: no {DECISIONS_FILE}; pass the --out folder of a `matcher score` run"
    )


def read_decisions(run_dir: Path) -> pd.DataFrame:
    """The decision records of the run in ``run_dir`` (see :func:`resolve_run`)."""
    return pd.read_parquet(resolve_run(run_dir) / DECISIONS_FILE)
