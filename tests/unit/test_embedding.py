from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from matcher.ranking.embedding import (
    EmbeddingCache,
    chunk_text,
    model_fingerprint,
    resolve_model_path,
)


def test_embeddings_are_unit_vectors_and_similar_texts_are_close(embedder) -> None:
    vectors = embedder.embed_texts(
        ["Senior Python developer", "Python software engineer", "Registered ICU nurse"]
    )
    assert vectors.shape == (3, embedder.dimension)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_encoding_inside_a_ranker_reports_progress_for_large_calls_only(tmp_path: Path) -> None:
    """``encoding_progress`` hears about a call's texts missing from the cache, after each
    tenth, when they are PROGRESS_MIN_TEXTS or more; small calls and cached texts are quiet."""
    from matcher.ranking.embedding import PROGRESS_MIN_TEXTS, Embedder

    reports: list[tuple[int, int]] = []
    embedder = Embedder(cache_dir=tmp_path, show_progress=False)
    embedder.encoding_progress = lambda done, total: reports.append((done, total))
    many = [f"Maintained pump station {i} and its telemetry." for i in range(PROGRESS_MIN_TEXTS)]
    embedder.embed_texts(many[:10])  # below the threshold: no report
    assert reports == []
    vectors = embedder.embed_texts(many)  # 10 of them cached: the rest is below it too
    assert reports == []
    embedder.embed_texts([f"Welded pipe section {i} to code." for i in range(PROGRESS_MIN_TEXTS)])
    assert 2 <= len(reports) <= 10 and reports[-1] == (PROGRESS_MIN_TEXTS, PROGRESS_MIN_TEXTS)
    assert [d for d, _ in reports] == sorted(d for d, _ in reports)
    assert {total for _, total in reports} == {PROGRESS_MIN_TEXTS}
    # The slices encode the same vectors as one call without progress.
    quiet = Embedder(cache_dir=tmp_path / "quiet", show_progress=False)
    np.testing.assert_allclose(vectors, quiet.embed_texts(many), atol=1e-5)


def test_second_embedding_of_same_text_is_a_cache_hit(tmp_path: Path) -> None:
    from matcher.ranking.embedding import Embedder

    first = Embedder(cache_dir=tmp_path, show_progress=False)
    a = first.embed_texts(["kubernetes operator in go", "kubernetes operator in go"])
    assert first.stats.texts_embedded == 1  # duplicates within a call are embedded once
    second = Embedder(cache_dir=tmp_path, show_progress=False)
    b = second.embed_texts(["kubernetes operator in go"])
    assert second.stats.cache_hits == 1 and second.stats.texts_embedded == 0
    assert second._model is None  # nothing missing, so the model was never loaded
    np.testing.assert_array_equal(a[0], b[0])


def test_cache_is_keyed_by_model(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    cache.put_many("model-a", [("h1", np.ones(3, dtype=np.float32))])
    assert set(cache.get_many("model-a", ["h1", "h2"])) == {"h1"}
    assert cache.get_many("model-b", ["h1"]) == {}
    assert len(cache) == 1


def test_long_text_is_chunked_within_the_token_limit(embedder) -> None:
    lines = [f"Line {i}: built data pipelines with Airflow, dbt and Snowflake." for i in range(120)]
    text = "\n".join(lines)
    chunks = embedder.chunk_text(text)
    assert len(chunks) > 3
    lengths = [len(embedder.tokenizer(c)["input_ids"]) for c in chunks]
    assert max(lengths) <= embedder.max_tokens
    # nothing is lost: every line is in some chunk
    joined = "\n".join(chunks)
    assert all(line in joined for line in lines)


def test_a_single_overlong_line_is_cut_at_token_boundaries(embedder) -> None:
    text = " ".join(f"word{i}" for i in range(2000))
    chunks = chunk_text(text, embedder.tokenizer, max_tokens=64, overlap=8)
    assert all(len(embedder.tokenizer(c)["input_ids"]) <= 64 for c in chunks)
    assert "word0" in chunks[0] and "word1999" in chunks[-1]


def test_empty_text_gives_one_empty_chunk(embedder) -> None:
    assert embedder.chunk_text("  \n ") == [""]


def test_documents_keep_their_chunks(embedder) -> None:
    long = "\n".join(f"Managed payroll and benefits for team {i}." for i in range(200))
    result = embedder.embed_documents(["short", "long"], ["Payroll specialist", long])
    assert result.doc_ids.count("short") == 1 and result.doc_ids.count("long") > 1
    docs = result.document_vectors(2)
    assert docs.shape == (2, embedder.dimension)
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-5)


def test_a_rerun_reads_each_documents_chunks_from_the_cache_without_tokenizing(
    tmp_path: Path,
) -> None:
    from matcher.ranking.embedding import Embedder

    long = "\n".join(f"Managed payroll and benefits for team {i}." for i in range(200))
    texts = ["Payroll specialist", long, "  \n "]
    first = Embedder(cache_dir=tmp_path, show_progress=False)
    made = first.embed_documents(["a", "b", "c"], texts)
    assert first.chunk_documents(texts) == [tuple(first.chunk_text(text)) for text in texts]
    second = Embedder(cache_dir=tmp_path, show_progress=False)
    again = second.embed_documents(["a", "b", "c"], texts)
    assert second._tokenizer is None and second._model is None  # neither was needed
    assert again.chunks == made.chunks and again.doc_ids == made.doc_ids
    np.testing.assert_array_equal(again.vectors, made.vectors)
    # Chunks are kept per chunking: another chunk length does not read the first one's.
    shorter = Embedder(cache_dir=tmp_path, max_tokens=64, show_progress=False)
    assert shorter.chunking_version != first.chunking_version
    assert shorter.chunk_documents([long]) == [tuple(shorter.chunk_text(long))]
    assert len(shorter.chunk_documents([long])[0]) > len(made.chunks) - 2


def test_model_path_must_hold_a_model(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no sentence-transformers model"):
        resolve_model_path(tmp_path)


def test_a_model_folder_without_weights_is_refused_before_any_work(tmp_path: Path) -> None:
    from matcher.ranking.scoring import check_settings
    from matcher.settings import load_settings

    # What a half-unpacked download leaves: the configuration and tokenizer, no weights.
    for item in resolve_model_path(None).iterdir():
        if item.suffix in (".json", ".txt"):
            (tmp_path / item.name).symlink_to(item)
    with pytest.raises(FileNotFoundError, match=r"no model weights .* in .*"):
        resolve_model_path(tmp_path)
    settings = load_settings(embedding={"model_path": tmp_path})
    with pytest.raises(ValueError, match=r"^embedding\.model_path: no model weights"):
        check_settings(settings)


def test_fingerprint_is_stable_and_names_the_model() -> None:
    path = resolve_model_path(None)
    assert model_fingerprint(path) == model_fingerprint(path)
    assert "minilm" in model_fingerprint(path).lower()


def test_any_local_model_folder_works_by_configuration(tmp_path: Path) -> None:
    from matcher.ranking.embedding import Embedder
    from matcher.settings import load_settings

    # A copy of the packaged model in a folder of the user's choosing (files linked, not copied).
    source = resolve_model_path(None)
    folder = tmp_path / "my-team-model"
    for item in source.iterdir():
        (folder / item.name).parent.mkdir(parents=True, exist_ok=True)
        (folder / item.name).symlink_to(item, target_is_directory=item.is_dir())
    settings = load_settings(embedding={"model_path": folder, "cache_dir": tmp_path / "cache"})
    custom = Embedder.from_settings(settings.embedding, show_progress=False)
    assert custom.model_path == folder and custom.model_id.startswith("my-team-model-")
    packaged = Embedder(show_progress=False)
    np.testing.assert_allclose(
        custom.embed_texts(["forklift operator"]),
        packaged.embed_texts(["forklift operator"]),
        atol=1e-5,
    )


def test_embedders_of_one_model_share_the_loaded_model(tmp_path: Path) -> None:
    """A notebook that builds embedders again and again pays the model load once."""
    from matcher.ranking.embedding import Embedder

    first = Embedder(cache_dir=tmp_path / "a", show_progress=False)
    second = Embedder(cache_dir=tmp_path / "b", show_progress=False)
    assert first.model is second.model
    assert first.tokenizer is second.tokenizer
    shorter = Embedder(cache_dir=tmp_path / "a", max_tokens=128, show_progress=False)
    assert shorter.model is not first.model and shorter.model.max_seq_length == 128
    assert first.model.max_seq_length == first.max_tokens


def test_a_model_of_another_dimension_ranks_through_configuration(tmp_path: Path) -> None:
    """A local model whose vectors are not MiniLM's 384 numbers (as all-mpnet-base-v2's 768)
    is used by the rankers and the FAISS index through ``embedding.model_path`` alone."""
    import pandas as pd
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import (
        Dense,
        Normalize,
        Pooling,
        Transformer,
    )

    from matcher.ranking.catalogue import make_ranker
    from matcher.ranking.embedding import Embedder
    from matcher.settings import load_settings

    # MiniLM followed by a fixed orthogonal projection to 64 numbers: a different model
    # folder (own weights, own dimension) built offline from the packaged one.
    transformer = Transformer(str(resolve_model_path(None)))
    projection = torch.linalg.qr(torch.randn(384, 64, generator=torch.Generator().manual_seed(0)))
    dense = Dense(384, 64, bias=False, activation_function=torch.nn.Identity())
    dense.linear.weight.data = projection.Q.T.contiguous()
    folder = tmp_path / "projected-model"
    modules = [transformer, Pooling(384), dense, Normalize()]
    SentenceTransformer(modules=modules, device="cpu").save(str(folder))

    settings = load_settings(embedding={"model_path": folder, "cache_dir": tmp_path / "cache"})
    embedder = Embedder.from_settings(settings.embedding, show_progress=False)
    assert embedder.dimension == 64 and embedder.model_id.startswith("projected-model-")
    assert isinstance(embedder.model, SentenceTransformer)  # a Dense layer: not on torch alone
    vectors = embedder.embed_texts(["forklift operator", "registered nurse"])
    assert vectors.shape == (2, 64)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)

    postings = pd.DataFrame(
        {"job_id": ["j-nurse"], "title": ["ICU Nurse"], "description": ["Registered nurse, ICU."]}
    )
    resumes = pd.DataFrame(
        {
            "resume_id": ["r-forklift", "r-nurse"],
            "text": [
                "Forklift operator in a warehouse, loading docks and pallets.",
                "Registered nurse in an intensive care unit, ventilators and triage.",
            ],
        }
    )
    scores = make_ranker("dense", embedder=embedder).score(postings, resumes)
    assert scores.shape == (1, 2) and scores[0, 1] > scores[0, 0]


def test_documents_embedded_longest_first_keep_their_order_and_report_progress(
    tmp_path: Path,
) -> None:
    """The missing chunks of all documents are encoded together, longest first; each chunk's
    vector still lands on its own row, and progress counts documents whose chunks are done."""
    from matcher.ranking.embedding import Embedder

    texts = [
        "Forklift operator, warehouse safety.",
        "\n".join(f"Led the migration of service {i} to Kubernetes." for i in range(60)),
        "",
        "Registered nurse in an ICU.\nNight shifts.",
    ]
    ids = [f"d{n}" for n in range(len(texts))]
    reports: list[tuple[int, int]] = []
    embedder = Embedder(cache_dir=tmp_path / "a", show_progress=False)
    result = embedder.embed_documents(ids, texts, lambda done, total: reports.append((done, total)))
    separately = Embedder(cache_dir=tmp_path / "b", show_progress=False)
    expected = np.vstack([separately.embed_texts([chunk]) for chunk in result.chunks])
    np.testing.assert_allclose(result.vectors, expected, atol=1e-5)
    assert result.doc_positions.tolist() == sorted(result.doc_positions.tolist())
    assert reports and reports[-1] == (4, 4)
    assert reports.count((4, 4)) == 1  # the end is told once, not again after the last batch
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)
    assert embedder.stats.texts_embedded == len(set(result.chunks))
    reports.clear()  # all cached: nothing is encoded, and the end is still told, once
    embedder.embed_documents(ids, texts, lambda done, total: reports.append((done, total)))
    assert reports == [(4, 4)]


def test_the_light_tokenizer_chunks_as_the_transformers_one(embedder) -> None:
    """Chunking reads the model's tokenizer.json without transformers; the chunks are those
    the transformers tokenizer of the same model gives."""
    from transformers import AutoTokenizer

    from matcher.ranking.embedding import FastTokenizer
    from tests.conftest import SAMPLE

    assert isinstance(embedder.tokenizer, FastTokenizer)
    reference = AutoTokenizer.from_pretrained(str(embedder.model_path))
    texts = [path.read_text() for path in sorted((SAMPLE / "resumes").glob("r-*.txt"))]
    texts += ["Ünïcödé naïve café 中文 🙂\tx", " ".join(f"word{i}" for i in range(1500)), ""]
    assert len(texts) > 20
    for text in texts:
        assert chunk_text(text, embedder.tokenizer, 64, 8) == chunk_text(text, reference, 64, 8)
    lines = [line for text in texts for line in text.splitlines()]
    assert embedder.tokenizer(lines)["input_ids"] == reference(lines)["input_ids"]


def test_documents_whose_vectors_are_cached_are_embedded_without_torch(tmp_path: Path) -> None:
    """A rerun whose chunks are all in the cache neither loads the model nor imports torch or
    transformers (the cost of a rerun with few new records)."""
    import subprocess
    import sys

    from matcher.ranking.embedding import Embedder
    from tests.conftest import REPO

    texts = ["Forklift operator.\nWarehouse safety lead.", "Registered nurse, ICU."]
    Embedder(cache_dir=tmp_path, show_progress=False).embed_documents(["a", "b"], texts)
    script = (
        "import sys; from pathlib import Path; from matcher.ranking.embedding import Embedder\n"
        f"e = Embedder(cache_dir=Path({str(tmp_path)!r}), show_progress=False)\n"
        f"e.embed_documents(['a', 'b'], {texts!r}, lambda done, total: None)\n"
        "print(e.stats.texts_embedded, 'torch' in sys.modules, 'transformers' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])},
        check=True,
    )
    assert done.stdout.split() == ["0", "False", "False"]


def test_the_model_surely_loads_only_where_the_cache_holds_none_of_its_vectors(
    tmp_path: Path,
) -> None:
    """``matcher score`` imports the model's modules while its Prefect API boots only when
    every text will be encoded (none of this model's vectors cached)."""
    from matcher.ranking.embedding import CACHE_FILE, model_will_load
    from matcher.settings import EmbeddingSettings

    cache_dir = tmp_path / "cache"
    settings = EmbeddingSettings(cache_dir=cache_dir)
    assert model_will_load(settings)  # no cache yet
    assert not cache_dir.exists()  # and looking did not make one
    cache = EmbeddingCache(cache_dir / CACHE_FILE)
    cache.put_many("another-model", [("h1", np.ones(3, dtype=np.float32))])
    assert model_will_load(settings)
    model_id = model_fingerprint(resolve_model_path(settings.model_path))
    cache.put_many(model_id, [("h1", np.ones(3, dtype=np.float32))])
    assert not model_will_load(settings)
    cache.close()
    (cache_dir / CACHE_FILE).write_bytes(b"not a database")
    assert not model_will_load(settings)  # the run's own use of the cache says what is wrong


def _group_rows(cache_dir: Path) -> int:
    import sqlite3

    from matcher.ranking.embedding import CACHE_FILE

    with sqlite3.connect(cache_dir / CACHE_FILE) as connection:
        return int(connection.execute("SELECT COUNT(*) FROM line_groups").fetchone()[0])


RESUME_LINES = [
    ["Warehouse lead, 2019-2023", "Ran forklift safety training for 40 staff", "Python, SQL"],
    ["Registered nurse, ICU", "Charted vitals for 12 patients a shift"],
    [],  # a resume without lines adds no rows
    ["Warehouse lead, 2019-2023", "Ran forklift safety training for 40 staff", "Python, SQL"],
]


def test_line_groups_are_written_once_and_read_back_as_the_line_vectors_bit_for_bit(
    tmp_path: Path,
) -> None:
    """A group missing from the cache is embedded line by line and written as one block; read
    back (by a fresh embedder: the same file, another process's view) it is what the
    per-line look-up gives, bit for bit, and the same cache hits are counted."""
    from matcher.ranking.embedding import Embedder

    first = Embedder(cache_dir=tmp_path, show_progress=False)
    built = first.embed_groups(RESUME_LINES)
    assert first.stats.texts_embedded == 5  # the duplicate resume's lines are embedded once
    assert _group_rows(tmp_path) == 2  # the two distinct non-empty groups
    lines = [line for group in RESUME_LINES for line in group]
    per_line = Embedder(cache_dir=tmp_path, show_progress=False)
    expected = per_line.embed_texts(lines)
    assert built.dtype == np.float32 and built.shape == (8, 384)
    assert built.tobytes() == expected.tobytes()

    again = Embedder(cache_dir=tmp_path, show_progress=False)
    read = again.embed_groups(RESUME_LINES)
    assert read.tobytes() == expected.tobytes()
    assert again.stats.as_dict() == per_line.stats.as_dict()  # 8 hits, nothing embedded
    assert again._model is None


def test_a_group_found_in_the_cache_is_read_from_its_block(tmp_path: Path) -> None:
    """A hit reads the group's row, not its lines' rows: with those gone, the vectors are
    still the same and nothing is encoded."""
    import sqlite3

    from matcher.ranking.embedding import CACHE_FILE, Embedder

    before = Embedder(cache_dir=tmp_path, show_progress=False).embed_groups(RESUME_LINES)
    with sqlite3.connect(tmp_path / CACHE_FILE) as connection:
        connection.execute("DELETE FROM embeddings")
    embedder = Embedder(cache_dir=tmp_path, show_progress=False)
    assert embedder.embed_groups(RESUME_LINES).tobytes() == before.tobytes()
    assert embedder.stats.texts_embedded == 0 and embedder.stats.cache_hits == 8


def test_a_changed_line_makes_a_new_group_whose_other_lines_are_still_cached(
    tmp_path: Path,
) -> None:
    from matcher.ranking.embedding import Embedder, group_hash

    Embedder(cache_dir=tmp_path, show_progress=False).embed_groups(RESUME_LINES[:2])
    changed = [[*RESUME_LINES[0][:2], "Python, SQL, Excel"], RESUME_LINES[1]]
    assert group_hash(changed[0]) != group_hash(RESUME_LINES[0])
    assert group_hash(RESUME_LINES[0][::-1]) != group_hash(RESUME_LINES[0])  # order counts
    embedder = Embedder(cache_dir=tmp_path, show_progress=False)
    vectors = embedder.embed_groups(changed)
    assert embedder.stats.texts_embedded == 1  # the changed line only
    assert embedder.stats.cache_hits == 4  # its group's two other lines and the other group
    assert _group_rows(tmp_path) == 3
    fresh = Embedder(cache_dir=tmp_path, show_progress=False)
    assert vectors.tobytes() == fresh.embed_texts([*changed[0], *changed[1]]).tobytes()


def test_a_cache_file_made_before_line_groups_gains_the_table_and_keeps_its_vectors(
    tmp_path: Path,
) -> None:
    """A cache of an earlier version (no ``line_groups`` table) is used as it is: its line
    vectors are read, and the table is made on first use."""
    import sqlite3

    from matcher.ranking.embedding import CACHE_FILE, Embedder, text_hash

    lines = RESUME_LINES[1]
    model_id = Embedder(show_progress=False).model_id
    old = np.random.default_rng(0).standard_normal((2, 384)).astype(np.float32)
    with sqlite3.connect(tmp_path / CACHE_FILE) as connection:  # the earlier schema
        connection.execute(
            "CREATE TABLE embeddings (model TEXT NOT NULL, text_hash TEXT NOT NULL,"
            " vector BLOB NOT NULL, PRIMARY KEY (model, text_hash))"
        )
        connection.executemany(
            "INSERT INTO embeddings VALUES (?, ?, ?)",
            [(model_id, text_hash(line), v.tobytes()) for line, v in zip(lines, old, strict=True)],
        )
    embedder = Embedder(cache_dir=tmp_path, show_progress=False)
    assert embedder.embed_groups([lines]).tobytes() == old.tobytes()
    assert embedder.stats.texts_embedded == 0
    assert _group_rows(tmp_path) == 1


def test_a_group_block_of_the_wrong_size_is_an_error_not_wrong_vectors(tmp_path: Path) -> None:
    from matcher.ranking.embedding import Embedder, group_hash

    embedder = Embedder(cache_dir=tmp_path, show_progress=False)
    assert embedder.cache is not None
    bad = np.ones((1, 5), dtype=np.float32)  # 5 floats for a group of two lines
    embedder.cache.put_groups(embedder.model_id, [(group_hash(RESUME_LINES[1]), bad)])
    with pytest.raises(ValueError, match="5 floats for a group of 2 lines"):
        embedder.embed_groups([RESUME_LINES[1]])


def test_without_a_cache_or_with_vectors_in_memory_groups_are_read_line_by_line(
    tmp_path: Path,
) -> None:
    """Vectors put in the embedder's memory take precedence over the cache's, line by line:
    a group block could hold the cache's, so groups are then not read as blocks."""
    from matcher.ranking.embedding import Embedder, text_hash

    Embedder(cache_dir=tmp_path, show_progress=False).embed_groups(RESUME_LINES[:2])
    embedder = Embedder(cache_dir=tmp_path, show_progress=False)
    own = np.zeros(384, dtype=np.float32)
    embedder.memory[text_hash(RESUME_LINES[1][0])] = own
    vectors = embedder.embed_groups(RESUME_LINES[:2])
    assert vectors[3].tobytes() == own.tobytes()
    assert vectors.tobytes() == embedder.embed_texts(RESUME_LINES[0] + RESUME_LINES[1]).tobytes()
    no_cache = Embedder(show_progress=False)
    assert no_cache.embed_groups([[]]).shape == (0, 384)


def test_line_groups_of_some_resumes_are_their_line_vectors_bit_for_bit(
    tmp_path: Path,
) -> None:
    """What stage 2 compares a posting's wants with: the chosen resumes' line vectors, in the
    order asked, exactly the float32 values embedded, and each resume's first row."""
    from matcher.ranking.embedding import Embedder
    from matcher.ranking.features import LineGroups, _embed_line_groups

    groups = [RESUME_LINES[0], RESUME_LINES[1], ["Python, SQL"], RESUME_LINES[1][::-1]]
    embedder = Embedder(cache_dir=tmp_path, show_progress=False)
    lines = LineGroups(embedder, groups)
    columns = np.array([3, 0, 2])
    vectors, starts = lines.of(columns)
    expected, offsets = _embed_line_groups(embedder, [groups[c] for c in columns])
    assert vectors.dtype == expected.dtype == np.float32
    assert vectors.tobytes() == expected.tobytes()
    assert starts.tolist() == offsets.tolist() == [0, 2, 5]
    again, _ = lines.of(columns.copy())
    assert again is vectors  # the same postings' candidates asked again: not gathered again
