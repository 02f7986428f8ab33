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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from matcher import schema
from matcher.io.atomic import atomic_open, atomic_write_bytes
from matcher.ranking.explain import Columns, Explainer, PairExplainer, Row
from matcher.ranking.shortlist import pair_order

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
    n_postings, n_resumes = len(postings), len(resumes)
    posting_rows = [postings.iloc[row] for row in range(n_postings)]
    rows = resume_rows if resume_rows is not None else [resumes.iloc[c] for c in range(n_resumes)]

    def explain(_order: np.ndarray, posting_of: np.ndarray, resume_of: np.ndarray) -> Columns:
        return answer_columns(
            explainer(posting_rows[row], rows[col])
            for row, col in zip(posting_of.tolist(), resume_of.tolist(), strict=True)
        )

    return records_of_pairs(
        postings,
        resumes,
        np.repeat(np.arange(n_postings, dtype=np.int64), n_resumes),
        np.tile(np.arange(n_resumes, dtype=np.int64), n_postings),
        {name: np.asarray(part).reshape(-1) for name, part in components.items()},
        top_k,
        ranker_info,
        explain,
        None
        if signal_values is None
        else {name: np.asarray(value).reshape(-1) for name, value in signal_values.items()},
        embedding_model,
    )


def rounded(values: np.ndarray, digits: int) -> np.ndarray:
    """``[round(value, digits) for value in values]`` as float64, the same floats to the bit,
    computed for the whole array at once: the scaled value rounded to the nearest integer and
    divided back (a division of two exact numbers gives the double nearest the decimal, as
    ``round`` does); only a value whose scaled form lies within 1e-6 of a half, where the
    scaling's rounding error could pick the other neighbour, is rounded by ``round`` itself.

    Example:
        >>> rounded(np.array([2.675, 0.125, 1 / 3, -0.0]), 2).tolist()
        [2.67, 0.12, 0.33, -0.0]
    """
    x = np.asarray(values, dtype=np.float64)
    scale = 10.0**digits
    scaled = x * scale
    out = np.rint(scaled) / scale
    with np.errstate(invalid="ignore"):  # NaN and infinities: left to round
        near_half = ~(np.abs(np.abs(scaled - np.floor(scaled)) - 0.5) > 1e-6)
    for at in np.flatnonzero(near_half).tolist():
        out[at] = round(float(x[at]), digits)
    return out


def answer_columns(answers: Iterable[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """An explainer's answers, one per record, as columns: in the order a record per pair
    would have them (the explainer's), None where an answer lacks a column. The answers are
    taken one at a time (a generator holds none of them after its column values are taken).

    Example:
        >>> answer_columns([{"fit": "strong"}, {"fit": "weak", "evidence": "SQL"}])
        {'fit': ['strong', 'weak'], 'evidence': [None, 'SQL']}
        >>> answer_columns([{"fit": "weak", "evidence": "SQL"}, {"evidence": ""}, {}])
        {'fit': ['weak', None, None], 'evidence': ['SQL', '', None]}
    """
    columns: dict[str, list[Any]] = {}
    for count, answer in enumerate(answers, start=1):
        for key, value in answer.items():
            column = columns.get(key)
            if column is None:  # a column first answered now: None for the records before
                column = columns[key] = [None] * (count - 1)
            column.append(value)
        # Each of the answer's keys took one value: only an answer lacking a column leaves
        # columns to pad (an explainer's answers all hold the same columns, 500,000 for RJDB).
        if len(answer) < len(columns):
            for column in columns.values():
                if len(column) < count:
                    column.append(None)
    return columns


def records_of_pairs(
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    posting_of: np.ndarray,
    resume_of: np.ndarray,
    components: Mapping[str, np.ndarray],
    top_k: int,
    ranker_info: Mapping[str, Any],
    explain: PairExplainer,
    signal_values: Mapping[str, np.ndarray] | None = None,
    embedding_model: str = "",
) -> pd.DataFrame:
    """One decision record per scored pair (the module docstring's columns), each posting's
    records together in the postings' order, best first: :func:`build_decisions` for pairs
    given one by one, as a posting's candidates or the pairs an incremental rerun merged
    (:mod:`matcher.ranking.incremental`) are, instead of as a matrix.

    Args:
        postings: Prepared postings; ``posting_of`` holds rows of it.
        resumes: Prepared resumes; ``resume_of`` holds rows of it. A resume is one posting's
            candidate at most once.
        posting_of: Each pair's posting, ``(n_pairs,)``.
        resume_of: Each pair's resume, ``(n_pairs,)``.
        components: Each signal's weighted part of each pair's score, ``(n_pairs,)``; the
            parts sum to the score.
        top_k: The run's shortlist size.
        ranker_info: The ranker's description from :func:`matcher.ranking.scoring.select_ranker`.
        explain: The records' explanation columns, asked once.
        signal_values: Each signal's value in [0, 1] before weighting, ``(n_pairs,)``.
        embedding_model: The embedding model's ID.
    """
    n = len(posting_of)
    if n == 0:
        return pd.DataFrame(columns=_EMPTY_COLUMNS)
    posting_of = np.asarray(posting_of, dtype=np.int64)
    resume_of = np.asarray(resume_of, dtype=np.int64)
    # Summed as a matrix would be: float64 zeros plus each part in turn (ties depend on the bits).
    scores = np.zeros(n, dtype=np.float64)
    for part in components.values():
        scores = scores + part
    # Each posting's records best first, ties broken by resume ID, as the shortlist lists them.
    resume_ids = resumes[schema.RESUME_ID].astype(str).tolist()
    order = pair_order(posting_of, resume_of, scores, resume_ids)
    posting_of, resume_of, scores = posting_of[order], resume_of[order], scores[order]
    # Each posting's run of records: its first record's position and its count.
    first = np.flatnonzero(np.r_[True, posting_of[1:] != posting_of[:-1]])
    counts = np.diff(np.r_[first, n])
    starts = np.repeat(first, counts)
    rank = np.arange(n, dtype=np.int64) - starts + 1
    cutoffs: np.ndarray | list[None]
    if top_k > 0:
        last = first + np.minimum(counts, top_k) - 1  # each posting's last shortlisted record
        cutoffs = np.repeat(rounded(100 * scores[last], 1), counts)
    else:
        cutoffs = [None] * n
    job_ids = postings[schema.JOB_ID].astype(str).tolist()
    weights: Mapping[str, float] = ranker_info.get("params", {}).get("weights", {})
    # Numbers as arrays (the types a list of Python numbers would become), texts as lists.
    columns: dict[str, Sequence[Any] | np.ndarray] = {
        "job_id": _texts_at(job_ids, posting_of),
        "resume_id": _texts_at(resume_ids, resume_of),
        "rank": rank,
        "candidates": np.repeat(counts, counts).astype(np.int64),
        "shortlisted": rank <= top_k,
        "top_k": np.full(n, top_k, dtype=np.int64),
        "score": rounded(100 * scores, 1),
        "shortlist_score": cutoffs,
    }
    for name, part in components.items():
        columns[f"points.{name}"] = rounded(100 * part[order].astype(np.float64), 2)
        if signal_values is not None and name in signal_values:
            columns[f"value.{name}"] = rounded(signal_values[name][order], 4)
        if name in weights:
            columns[f"weight.{name}"] = np.full(n, float(weights[name]), dtype=np.float64)
    for key, values in explain(order, posting_of, resume_of).items():
        # An array (kept explanations, as read back) is a column as it is.
        arrays = (np.ndarray, pd.api.extensions.ExtensionArray)
        columns[key] = values if isinstance(values, arrays) else list(values)
    posting_hashes = [
        text_sha256(_posting_text(postings.iloc[row])) for row in posting_of[first].tolist()
    ]
    texts = resumes[schema.TEXT].tolist()
    scored, resume_at = np.unique(resume_of, return_inverse=True)
    resume_hashes = [text_sha256(str(texts[col])) for col in scored.tolist()]
    model_version = str(ranker_info.get("model_version") or ranker_info.get("source") or "")
    everyone = np.zeros(n, dtype=np.int64)
    trailing = (
        _texts_at([str(ranker_info.get("name", ""))], everyone),
        _texts_at([model_version], everyone),
        _texts_at([embedding_model], everyone),
        _texts_at(posting_hashes, np.repeat(np.arange(len(first)), counts)),
        _texts_at(resume_hashes, resume_at),
    )
    return pd.DataFrame({**columns, **dict(zip(_TRAILING_COLUMNS, trailing, strict=True))})


def _texts_at(values: Sequence[str], at: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``values[at]`` as a column of the ``str`` dtype, the column a list of those strings
    becomes, taken by Arrow: no Python string per record (the records of 63,000 pairs in
    0.022-0.026 s against 0.044-0.060 s with such lists for their seven ID and hash columns)."""
    taken = pa.array(values, type=pa.large_string()).take(pa.array(at, type=pa.int64()))
    return pd.array(taken, dtype="str")


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
    return atomic_write_bytes(out_dir / DECISIONS_FILE, parquet_bytes(decisions))


#: Explanation columns of a pair's own text (skills held and lacking, quotes): nearly every
#: value differs, so a Parquet dictionary of one is about as long as the column itself.
FREE_TEXT_COLUMNS = frozenset(
    {
        "matched_required",
        "missing_required",
        "soft_skills_to_check",
        "matched_preferred",
        "matched_terms",
        "missing_terms",
        "evidence",
    }
)


def dictionary_columns(table_schema: pa.Schema) -> list[str]:
    """The columns of ``table_schema`` written with a Parquet dictionary: the text that
    repeats across pairs (IDs, hashes, the fit band, the ranker). Numbers and the free-text
    explanations (:data:`FREE_TEXT_COLUMNS`) are written plain: their values are mostly a
    pair's own, and building their dictionaries cost more than the rest of writing 500,000
    pairs (0.71 s against 0.31 s, about 10 % larger). Text held dictionary-encoded already
    (a dictionary type, as the kept pairs' explanations) is written with its dictionary: no
    dictionary is built.

    Example:
        >>> dictionary_columns(decision_schema(["job_id", "score", "evidence", "fit"]))
        ['job_id', 'fit']
    """
    return [
        field.name
        for field in table_schema
        if pa.types.is_dictionary(field.type)
        or (
            (pa.types.is_large_string(field.type) or pa.types.is_string(field.type))
            and field.name not in FREE_TEXT_COLUMNS
        )
    ]


#: The most rows in one row group of the Parquet files written here. A file of 500,000 pairs
#: written as one row group took 0.4-0.9 s to read in a run's process against 0.1-0.25 s as
#: row groups of this size (RJDB's kept pairs, 2026-12-02), at the same file size.
ROW_GROUP_ROWS = 65_536


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as the bytes of a Parquet file (no index), with dictionaries only for its
    :func:`dictionary_columns`, in row groups of at most :data:`ROW_GROUP_ROWS` rows."""
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    buffer = io.BytesIO()
    pq.write_table(
        table,
        buffer,
        use_dictionary=dictionary_columns(table.schema),
        row_group_size=ROW_GROUP_ROWS,
    )
    return buffer.getvalue()


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
    """Decision records written batch by batch into one Parquet file, a row group per batch
    (or per :data:`ROW_GROUP_ROWS` rows of it), so a run holds one batch of them in memory,
    not all (:func:`open_decisions`).

    Read back (:func:`read_decisions`), the file is the records of every batch concatenated
    in order, as :func:`write_decisions` would write them: each column's type is fixed by
    :func:`decision_schema` (or ``schema_of``: other tables written batch by batch, as the
    kept pairs of :mod:`matcher.io.kept_ranking`) from the first batch with records, and every
    later batch must have the same columns.
    """

    def __init__(
        self, sink: IO[bytes], schema_of: Callable[[Sequence[str]], pa.Schema] | None = None
    ) -> None:
        self._sink = sink
        self._schema_of = schema_of or decision_schema
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

            self._schema = self._schema_of([str(name) for name in records.columns])
            self._writer = pq.ParquetWriter(
                self._sink, self._schema, use_dictionary=dictionary_columns(self._schema)
            )
        if list(records.columns) != self._schema.names:
            raise ValueError(
                "decision records with other columns than the batches before:"
                f" {list(records.columns)} after {self._schema.names}"
            )
        self._writer.write_table(
            pa.Table.from_pandas(records, schema=self._schema, preserve_index=False),
            row_group_size=ROW_GROUP_ROWS,
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
