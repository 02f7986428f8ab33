"""Compare a second local embedding model with the packaged all-MiniLM-L6-v2: speed and quality.

Both models run in the same window, so the ratios hold on a shared machine even when the
absolute speeds do not.

**Speed** (no cache): texts per second for chunks of the run's length (``max_tokens``, 256 by
default) cut from LiveCareer postings, and for short texts (posting sentences). The two models
alternate over ``--repeats`` rounds and the best round of each counts.

**Quality** on the same records for both models, with the library's rankers:

* LiveCareer (real): all 72 postings x ``--per-category`` resumes of each of its 24 categories,
  drawn with ``--seed`` (``dense_study.livecareer_set``); every pair judged, 1 when the
  categories agree. Both directions: shortlists (``resumes-for-job``) and recommendations
  (``jobs-for-resume``).
* RJDB (synthetic): the first ``--rjdb-postings`` judged postings, their judged resumes and
  ``--rjdb-others`` other resumes drawn with ``--seed`` (``dense_study.rjdb_set``); shortlists.

Rankers: ``dense`` (the matrix's plain dense baseline: mean of the posting's chunks, resume
``max-mean``), ``dense`` with ``posting="title-lead"`` (the dense signal inside the default
``requirements`` ranker), and ``tfidf`` / ``bm25`` for reference (they use no model). With
``--requirements`` the default ``requirements`` ranker (shipped weights) is scored too; its
requirement-sentence signal embeds every sentence, which costs far more with a large model.

Usage (from the repository root; each model's vectors go to its own cache folder)::

    HF_HUB_OFFLINE=1 PYTHONPATH=src:. .venv/bin/python benchmarks/compare_models.py \\
        --model-path /path/to/all-mpnet-base-v2 --model-cache-dir /tmp/mpnet-cache \\
        --cache-dir .matcher/cache

Numbers are printed, never asserted. LiveCareer text is never printed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import pandas as pd
import typer
from dense_study import evaluate_matrix, lexical_matrices, livecareer_set, rjdb_set, sentences
from machine import machine_line, markdown

from matcher.runtime import configure_runtime

if TYPE_CHECKING:
    from dense_study import StudySet

    from matcher.ranking.embedding import Embedder

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
METRICS = ("nDCG@10", "MAP", "pairwise_accuracy")


app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, help=__doc__.split("\n")[0])


def speed_texts(
    embedder: Embedder, folder: Path, n_chunks: int, n_lines: int
) -> dict[str, list[str]]:
    """Full-length chunks and short sentences of the LiveCareer postings (not resumes)."""
    pool = pd.read_csv(folder / "jobs.csv")["description"].fillna("").astype(str).tolist()
    long_enough = embedder.max_tokens * 3 // 4
    chunks = [c for text in pool for c in embedder.chunk_text(text)]
    full = [c for c in chunks if len(embedder.tokenizer(c)["input_ids"]) >= long_enough]
    lines = [s for text in pool for s in sentences(text, 10_000) if len(s) >= 20]
    return {"chunks": full[:n_chunks], "sentences": lines[:n_lines]}


def encode_speed(
    embedders: dict[str, Embedder], texts: dict[str, list[str]], repeats: int
) -> pd.DataFrame:
    """Best texts/s of each model on each kind of text, the models alternating round by round."""
    best: dict[tuple[str, str], float] = {}
    names = list(embedders)
    for round_ in range(repeats):
        order = names if round_ % 2 == 0 else names[::-1]
        for name in order:
            model = embedders[name].model
            for kind, batch in texts.items():
                model.encode(batch[:4], batch_size=embedders[name].batch_size)  # warm-up
                started = time.perf_counter()
                model.encode(
                    batch, batch_size=embedders[name].batch_size, normalize_embeddings=True
                )
                rate = len(batch) / (time.perf_counter() - started)
                best[(name, kind)] = max(best.get((name, kind), 0.0), rate)
    rows = []
    for kind, batch in texts.items():
        tokens = np.mean([len(t) for t in embedders[names[0]].tokenizer(batch)["input_ids"]])
        row: dict[str, object] = {"texts": f"{kind} ({len(batch)}, mean {tokens:.0f} tokens)"}
        for name in names:
            row[f"{name} texts/s"] = round(best[(name, kind)], 1)
        row[f"{names[0]} / {names[1]}"] = round(best[(names[0], kind)] / best[(names[1], kind)], 2)
        rows.append(row)
    return pd.DataFrame(rows)


def quality_rows(
    embedders: dict[str, Embedder], study: StudySet, requirements: bool
) -> list[dict[str, object]]:
    """nDCG@10, MAP and pairwise accuracy of each ranker and model on one set, each direction."""
    from matcher.ranking.catalogue import make_ranker

    matrices: dict[tuple[str, str], np.ndarray] = {}
    for name, embedder in embedders.items():
        before = embedder.stats.seconds_embedding
        for label, params in (("dense", {}), ("dense title-lead", {"posting": "title-lead"})):
            ranker = make_ranker("dense", embedder=embedder, **params)
            matrices[(label, name)] = ranker.score(study.postings, study.resumes)
        spent = embedder.stats.seconds_embedding - before
        typer.echo(f"{study.name}: {name} embedded what its cache lacked in {spent:.0f} s")
    rows: list[dict[str, object]] = []
    for direction in study.qrels:
        scored = dict(matrices)
        for label, matrix in lexical_matrices(study, direction).items():
            scored[(label, "-")] = matrix
        if requirements:
            for name, embedder in embedders.items():
                ranker = make_ranker("requirements", embedder=embedder)
                scored[("requirements", name)] = ranker.score(
                    study.postings,
                    study.resumes,
                    direction,  # type: ignore[arg-type]
                )
        for (label, name), matrix in scored.items():
            metrics, _ = evaluate_matrix(matrix, study, direction)
            rows.append(
                {"set": study.name, "direction": direction, "ranker": label, "model": name}
                | {m: round(metrics[m], 4) for m in METRICS}
            )
    return rows


def side_by_side(table: pd.DataFrame, models: list[str]) -> pd.DataFrame:
    """The model-dependent rows with the two models in columns and their difference."""
    first, second = models
    keys = ["set", "direction", "ranker"]
    wide = table[table["model"] != "-"].pivot_table(
        index=keys, columns="model", values=["nDCG@10", "MAP"], sort=False
    )
    out = wide.index.to_frame(index=False)
    for metric in ("nDCG@10", "MAP"):
        a, b = wide[(metric, first)].to_numpy(), wide[(metric, second)].to_numpy()
        out[f"{metric} {first}"], out[f"{metric} {second}"] = a, b
        out[f"{metric} difference"] = np.round(b - a, 4)
    return out


@app.command()
def main(
    model_path: Annotated[Path, typer.Option(help="The sentence-transformers folder to compare.")],
    model_cache_dir: Annotated[
        Path | None, typer.Option(help="Embedding cache of that model; none if unset.")
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Embedding cache of the packaged MiniLM; none if unset.")
    ] = None,
    livecareer: Annotated[Path, typer.Option(help="Folder of the LiveCareer set.")] = (
        SHARED / "livecareer"
    ),
    rjdb: Annotated[Path, typer.Option(help="Folder of the RJDB set.")] = SHARED / "rjdb",
    per_category: Annotated[int, typer.Option(help="LiveCareer resumes per category.")] = 12,
    rjdb_postings: Annotated[int, typer.Option(help="RJDB judged postings kept.")] = 100,
    rjdb_others: Annotated[int, typer.Option(help="Unjudged RJDB resumes added.")] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the resume samples.")] = 0,
    speed_chunks: Annotated[int, typer.Option(help="Full-length chunks timed per model.")] = 48,
    speed_lines: Annotated[int, typer.Option(help="Sentences timed per model.")] = 256,
    repeats: Annotated[int, typer.Option(help="Alternating speed rounds; best counts.")] = 2,
    requirements: Annotated[
        bool, typer.Option(help="Also score the default requirements ranker with each model.")
    ] = False,
    skip_speed: Annotated[bool, typer.Option(help="Measure quality only.")] = False,
    skip_quality: Annotated[bool, typer.Option(help="Measure speed only.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write the quality table as CSV here.")] = None,
) -> None:
    """Print encode speed and ranking quality of MiniLM and ``--model-path`` side by side."""
    configure_runtime()
    from matcher.ranking.embedding import Embedder

    embedders = {
        "MiniLM": Embedder(None, cache_dir=cache_dir, show_progress=False),
        model_path.name: Embedder(model_path, cache_dir=model_cache_dir, show_progress=False),
    }
    for name, embedder in embedders.items():
        started = time.perf_counter()
        _ = embedder.model
        typer.echo(
            f"{name}: {embedder.model_id}, dimension {embedder.dimension}, chunks of"
            f" {embedder.max_tokens} tokens, loaded in {time.perf_counter() - started:.1f} s"
        )
    if not skip_speed:
        texts = speed_texts(embedders["MiniLM"], livecareer, speed_chunks, speed_lines)
        speeds = encode_speed(embedders, texts, repeats)
        typer.echo(f"\nEncode speed (no cache, best of {repeats}); {machine_line()}")
        typer.echo(markdown(speeds))
    if skip_quality:
        return
    rows: list[dict[str, object]] = []
    for study in (
        livecareer_set(livecareer, per_category, seed),
        rjdb_set(rjdb, rjdb_postings, rjdb_others, seed),
    ):
        rows.extend(quality_rows(embedders, study, requirements))
    table = pd.DataFrame(rows)
    typer.echo(f"\nQuality; {machine_line()}")
    typer.echo(markdown(table))
    typer.echo("\n" + markdown(side_by_side(table, list(embedders))))
    typer.echo(f"embedding: { {n: e.stats.as_dict() for n, e in embedders.items()} }")
    if out is not None:
        table.to_csv(out, index=False)


if __name__ == "__main__":
    app()
