"""One settings object for the CLI, the flows and the notebooks.

Values come, highest priority first, from explicit keyword arguments (the CLI), environment
variables prefixed ``MATCHER_`` (nested with ``__``, e.g. ``MATCHER_RANKING__TOP_K``), a TOML
config file, and the defaults below. Nothing is read or created at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

#: ``embedding.encoder``: the model on torch alone where its folder allows it, or always
#: through sentence-transformers (:data:`matcher.ranking.embedding.ENCODERS` reads it).
Encoder = Literal["auto", "sentence-transformers"]


class EmbeddingSettings(BaseModel):
    """How texts become vectors."""

    model_config = ConfigDict(extra="forbid")

    model_path: Path | None = Field(
        default=None,
        description="Local sentence-transformers folder; the packaged all-MiniLM-L6-v2 if unset.",
    )
    batch_size: int = Field(default=32, ge=1)
    max_tokens: int = Field(
        default=256, ge=16, description="Chunk length in model tokens (the model's own limit)."
    )
    chunk_overlap: int = Field(default=32, ge=0, description="Tokens shared by adjacent chunks.")
    encoder: Encoder = Field(
        default="auto",
        description="auto: a model of the packaged one's shape (BERT, mean or CLS pooling) runs"
        " on torch alone, with sentence-transformers' vectors and without its import (some 6 s"
        " of every process that encodes); any other model, or sentence-transformers here, loads"
        " with sentence-transformers.",
    )
    cache_dir: Path = Field(
        default=Path(".matcher/cache"), description="Embedding cache, keyed by model and text hash."
    )


class RankingSettings(BaseModel):
    """How candidates are scored and how many are kept."""

    model_config = ConfigDict(extra="forbid")

    ranker: str = Field(
        default="requirements", description="Ranker used when no champion model exists."
    )
    top_k: int = Field(default=20, ge=1, description="Candidates kept per job.")
    dense_weight: float = Field(default=0.6, ge=0.0)
    lexical_weight: float = Field(default=0.4, ge=0.0)
    use_champion: bool = Field(
        default=True, description="Score with models:/matcher-ranker@champion when it exists."
    )
    candidates: int = Field(
        default=1200,
        ge=0,
        description="Stage 1 of `matcher score`: resumes each posting passes to the ranker from"
        " the dense index and from BM25 each (their union is scored); 0 scores every resume."
        " A pool no larger than this is scored exhaustively. 1200 is the smallest N measured"
        " at which nDCG@10 and MAP stay within 0.005 of exhaustive ranking on RJDB and"
        " LiveCareer with the shipped model (README, 'Two-stage ranking').",
    )
    posting_batch: int = Field(
        default=64,
        ge=1,
        description="Postings `matcher score` ranks together: peak memory grows with this times"
        " their candidates, not with the number of postings.",
    )
    batch_resumes: int = Field(
        default=16_384,
        ge=1,
        description="The most resumes `matcher score`'s stage 2 scores at once: the candidates"
        " are cut into shards of at most this many resumes, each scored against the postings"
        " that have candidates in it, so each resume is read once (the Dask flow's batches of"
        " postings are cut at this many candidates). Stage 2 holds the line vectors and chunks"
        " of each (about 50 kB a resume). No score depends on it.",
    )
    refit_share: float = Field(
        default=0.05,
        ge=0.0,
        le=1.0,
        description="An incremental `matcher score` (runs.incremental) whose postings and scorer"
        " are unchanged, and whose resumes differ from the pool the kept statistics were"
        " fitted on by at most this share (added, changed and removed), scores only the new"
        " and changed resumes' pairs with the kept pool statistics (TF-IDF, BM25 and word"
        " rarities) and reuses the other pairs; above it, every pair is scored again with"
        " statistics fitted anew. 0 always scores every pair.",
    )
    refit: bool = Field(
        default=False,
        description="Fit the pool statistics anew and score every pair on this run, whatever"
        " refit_share says (`matcher score --refit`).",
    )
    recommend_candidates: int = Field(
        default=1000,
        ge=0,
        description="Postings `matcher recommend` passes from its first stage (dense search of"
        " the posting index) to the ranker; 0 ranks every posting.",
    )


class CleaningSettings(BaseModel):
    """How near-duplicates are found."""

    model_config = ConfigDict(extra="forbid")

    near_duplicate_threshold: float = Field(default=0.9, gt=0.0, le=1.0)


class OutputSettings(BaseModel):
    """Where a run's files go: straight into ``OUT/``, or into a folder of their own per run."""

    model_config = ConfigDict(extra="forbid")

    layout: Literal["simple", "runs"] = Field(
        default="simple",
        description="simple: files in OUT/, replaced by the next run; runs: OUT/runs/<UTC time>/"
        " with OUT/latest switched to it when the run completes (scheduled runs always).",
    )
    keep_runs: int = Field(
        default=14, ge=1, description="Run folders kept in OUT/runs/ (layout runs); older go."
    )


class ServerSettings(BaseModel):
    """The Prefect server that ``matcher server start`` runs in the background."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(default="127.0.0.1", description="Address the server listens on.")
    port: int = Field(default=4200, ge=1, le=65535, description="Port of the API and the UI.")
    startup_timeout: float = Field(
        default=180.0, gt=0, description="Seconds to wait for a starting server to answer."
    )


#: HTML nesting laid out as lines by default (``limits.max_html_depth``).
DEFAULT_MAX_HTML_DEPTH = 100


class LimitSettings(BaseModel):
    """What one input record may cost; past a limit a text is truncated or a file rejected.

    A scheduled batch runs on whatever arrives: these bounds keep one hostile or broken record
    (a zip bomb, a document of a million empty paragraphs, a megabyte-long one-line text) from
    holding up everyone else's shortlist. Each rejection names the setting to raise.
    """

    model_config = ConfigDict(extra="forbid")

    max_document_chars: int = Field(
        default=100_000,
        ge=1_000,
        description="Characters kept of a resume or posting text; the rest is cut off and the "
        "record marked truncated in records.csv, with its original size.",
    )
    max_expanded_bytes: int = Field(
        default=50_000_000,
        ge=1_000_000,
        description="Uncompressed size allowed for a DOCX (its zip's declared sizes, summed) "
        "and for a PDF (each stream, and its page contents together); larger files are rejected.",
    )
    max_compression_ratio: float = Field(
        default=100.0,
        gt=1.0,
        description="Uncompressed size over file size allowed for a DOCX or a PDF (as for "
        "max_expanded_bytes); beyond it the file is rejected as a decompression bomb.",
    )
    max_pages: int = Field(default=100, ge=1, description="Pages read from a PDF; more: rejected.")
    max_paragraphs: int = Field(
        default=20_000, ge=1, description="Paragraphs read from a DOCX; more: rejected."
    )
    max_html_depth: int = Field(
        default=DEFAULT_MAX_HTML_DEPTH,
        ge=1,
        description="HTML nesting depth laid out as lines and bullets; deeper elements keep "
        "their text, run together.",
    )
    max_id_chars: int = Field(
        default=1_000,
        ge=1,
        description="Characters of a job_id or resume_id; longer IDs are rejected.",
    )


class IndexSettings(BaseModel):
    """Which FAISS index holds the chunk vectors: exact while small, approximate past a size."""

    model_config = ConfigDict(extra="forbid", frozen=True)  # frozen: hashable, a cache key

    exact_max_vectors: int = Field(
        default=200_000,
        ge=0,
        description="Largest number of vectors kept in an exact (Flat) index; a larger index is"
        " an IVF index, trained and tuned when it is built.",
    )
    target_recall: float = Field(
        default=0.95,
        gt=0.0,
        le=1.0,
        description="Recall@recall_k against exact search that tuning an approximate index"
        " must reach on its sample of queries.",
    )
    recall_k: int = Field(
        default=100, ge=1, description="The N of the recall@N an approximate index is tuned for."
    )
    tuning_queries: int = Field(
        default=200, ge=1, description="Indexed vectors sampled as queries to measure recall."
    )


class RunSettings(BaseModel):
    """How runs that share a folder take turns."""

    model_config = ConfigDict(extra="forbid")

    lock_timeout_seconds: float = Field(
        default=3600.0,
        ge=0.0,
        description="How long a run waits for another run that uses its output folder or its"
        " index folder; 0 fails at once.",
    )
    incremental: bool = Field(
        default=False,
        description="Keep the incremental state store (<state_dir>/state.db): classify records as"
        " new, changed, unchanged or withdrawn, and reuse the stored shortlists when nothing"
        " changed. Scheduled runs turn it on; `matcher score --incremental` too.",
    )


class DaskSettings(BaseModel):
    """Where the batch flow's heavy stages run: here, or mapped over shards on Dask workers."""

    model_config = ConfigDict(extra="forbid")

    workers: int = Field(
        default=0,
        ge=0,
        description="Workers of a local Dask cluster that clean, profile and embed the resumes"
        " shard by shard; 0 runs every stage in the flow's own process (serial).",
    )
    address: str | None = Field(
        default=None,
        description="Scheduler address of an existing Dask cluster (tcp://host:8786) to run"
        " the shards on instead of a local one; its workers need matcher installed and the"
        " model, cache and input paths at the same place.",
    )
    shard_size: int = Field(
        default=250, ge=1, description="Resumes per shard when the stages run on Dask."
    )

    @property
    def enabled(self) -> bool:
        """Whether the heavy stages are mapped over shards on Dask."""
        return self.workers > 0 or bool(self.address)


class Settings(BaseSettings):
    """Everything matcher can be told. See the README for each field."""

    model_config = SettingsConfigDict(
        env_prefix="MATCHER_", env_nested_delimiter="__", extra="forbid"
    )

    embedding: EmbeddingSettings = EmbeddingSettings()
    ranking: RankingSettings = RankingSettings()
    cleaning: CleaningSettings = CleaningSettings()
    output: OutputSettings = OutputSettings()
    server: ServerSettings = ServerSettings()
    state_dir: Path = Field(
        default=Path(".matcher"),
        description="The project's state: the Prefect server's home, pid and log files, and"
        " the processes that serve schedules.",
    )
    limits: LimitSettings = LimitSettings()
    runs: RunSettings = RunSettings()
    dask: DaskSettings = DaskSettings()
    processes: int = Field(
        default=0,
        ge=0,
        description="Processes `matcher score` cleans and profiles records in: worker"
        " processes forked from the run's own, each taking a share of the records; stage 2"
        " explains a tile's pairs in the run's process and one worker (the rest of the run"
        " uses one core for Python work and all of them for the encoder). 0: one per CPU the"
        " run may use; 1: everything in the run's process. Results are the same either way.",
    )
    index_dir: Path = Field(
        default=Path("models/index"), description="Where the FAISS index lives."
    )
    index: IndexSettings = IndexSettings()
    mlflow_tracking_uri: str = Field(
        default="sqlite:///.matcher/mlflow.db", description="MLflow tracking URI."
    )
    mlflow_experiment: str = Field(default="matcher-batch-scoring")
    mlflow_log_shortlists: bool = Field(
        default=True,
        description="Log the shortlists (the only outputs with candidates' contact details) to"
        " MLflow with each batch run; false leaves them out.",
    )
    taxonomy_dir: Path | None = Field(
        default=None, description="Optional ESCO/O*NET folder to extend the skill vocabulary."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = _CONFIG_FILE.get("path")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)


# The config file is chosen per call of load_settings; pydantic-settings reads sources from the
# class, so the path is handed over here for the duration of that one call.
_CONFIG_FILE: dict[str, Path | None] = {"path": None}


def _check_nested_environment() -> None:
    """Refuse a nested ``MATCHER_*`` variable whose section is no setting.

    ``MATCHER_RANKNG__TOP_K`` (a typo in a systemd unit) was read by nothing and silently
    ignored; pydantic-settings refuses only unknown keys of a known section
    (``MATCHER_RANKING__TOPK``).

    Raises:
        ValueError: Naming the variable and the sections there are.
    """
    prefix = "MATCHER_"
    sections = {name for name in Settings.model_fields}
    for variable in os.environ:
        if not variable.upper().startswith(prefix) or "__" not in variable:
            continue
        section = variable[len(prefix) :].split("__", 1)[0].lower()
        if section not in sections:
            known = ", ".join(sorted(name.upper() for name in sections))
            raise ValueError(
                f"unknown environment variable {variable}: no setting {section!r}"
                f" (MATCHER_<SECTION>__<KEY>, with SECTION one of {known})"
            )


def describe_settings_error(error: ValidationError, config_file: Path | None = None) -> str:
    """One line for the CLI: each wrong setting, where its value came from and why it is wrong.

    Pydantic's own message spans several lines per setting and ends each with a web address.

    Example:
        >>> try:
        ...     load_settings(ranking={"top_k": "abc", "topk": 3})
        ... except ValidationError as error:
        ...     print(describe_settings_error(error))
        ranking.top_k: input should be a valid integer, unable to parse string as an integer \
(got 'abc'); unknown setting 'ranking.topk'
    """
    described = []
    for problem in error.errors():
        loc = [str(part) for part in problem["loc"]]
        key = ".".join(loc)
        variable = "MATCHER_" + "__".join(part.upper() for part in loc)
        if any(name.upper() == variable for name in os.environ):
            origin = f" (from {variable})"
        elif config_file is not None:
            origin = f" (from {config_file} or an option)"
        else:
            origin = ""
        if problem["type"] == "extra_forbidden":
            described.append(f"unknown setting {key!r}{origin}")
        else:
            message = str(problem["msg"])
            message = message[:1].lower() + message[1:]
            described.append(f"{key}{origin}: {message} (got {problem.get('input')!r})")
    return "; ".join(described)


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings from defaults, a TOML file, the environment and explicit overrides.

    Args:
        config_file: A TOML file whose keys mirror the fields of :class:`Settings`.
        **overrides: Highest-priority values, e.g. from CLI options. ``None`` values are ignored.

    Returns:
        The validated settings.

    Raises:
        FileNotFoundError: If ``config_file`` is given but does not exist.

    Example:
        >>> load_settings(ranking={"top_k": 5}).ranking.top_k
        5
    """
    if config_file is not None and not Path(config_file).is_file():
        raise FileNotFoundError(f"config file not found: {config_file}")
    _check_nested_environment()
    _CONFIG_FILE["path"] = Path(config_file) if config_file is not None else None
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    finally:
        _CONFIG_FILE["path"] = None
