"""P5: stage-2 throughput, end-to-end time and peak memory as the resume pool grows.

For each pool size, a child process runs the batch scoring flow (``batch_scoring``, with
Prefect, as ``matcher score`` does, with the default ranking settings: two stages, stage 1
keeping ``ranking.candidates`` (default 1,200) resumes per posting from each of FAISS and BM25)
on synthetic resumes and postings made from the sample ones (lines shuffled, a number added, so
every text is distinct) with WARM CACHES, the embedding cache HOLDING SYNTHETIC VECTORS:
embedding 100k resumes with the real model takes hours here, so a first, untimed child fills the
cache with a pseudo-random unit vector per text (:class:`SyntheticEncoder` stands in for the
model) for every text the flow embeds, in one pass over the records (:func:`prefill`, a cost of
the benchmark, not of the product, printed apart). The same pass cleans every resume into the
clean cache (with its deduplication sketch) and profiles every record into the score cache, as a
first run of the flow on the same state folder would: P5 is specified with warm caches. The
timed run then finds every text in the caches; the stand-in stays, so a text the prefill missed
costs no model load (it is counted and printed), and the run's manifest says how many records it
cleaned and profiled (no resume when the caches are warm). Each row gives the run's wall time
and time per stage, its stage 2 (the flow's ``rank`` step) in scored pairs per second and per
core, and the child's peak RSS. The growth of time and memory with the number of resumes is
fitted as ``t ~ n^k`` over the sizes run and ``k`` printed; for a size of the issue's grid that
was not run (100k), the time and memory extrapolated from the largest size run with those
exponents are printed, AS AN EXTRAPOLATION.

The default sizes finish in minutes on this shared 2-core machine; ``--sizes 1000 10000
100000 --postings 1000`` is the issue's grid (see the README for what was measured of it).
``--profile DIR`` writes each timed run's cProfile statistics into ``DIR``. ``--variant
MATCHER_RANKING__BATCH_RESUMES=8192`` (repeatable) times the run again with those settings in
its environment, each variant from a copy of the caches as the prefill left them (a run's
score cache would serve the next one), so one prefill serves several settings.

    PYTHONPATH=src:. .venv/bin/python benchmarks/bench_scale.py [--sizes 1000 10000]
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from bench_recommend import synthetic_postings
from machine import print_table

if TYPE_CHECKING:
    from matcher.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"


def synthetic_resumes(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` distinct resumes from the sample text resumes.

    Each keeps the head of one sample resume and a random 70 % of its other lines, takes a
    few lines of another, and lists eight random skills of the vocabulary, so that no two are
    near-duplicates (which cleaning would set aside).
    """
    bases = [p.read_text().splitlines() for p in sorted((SAMPLE / "resumes").glob("r-*.txt"))]
    skills = pd.read_csv(REPO / "src" / "matcher" / "data" / "skills.csv")["skill"].tolist()
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        lines, other = bases[i % len(bases)], rng.choice(bases)
        body = rng.sample(lines[3:], k=int(0.7 * len(lines[3:])))
        body += rng.sample(other[3:], k=min(3, len(other[3:])))
        rng.shuffle(body)
        extra = f"Skills: {', '.join(rng.sample(skills, k=8))}"
        rows.append({"resume_id": f"R-{i:06d}", "text": "\n".join([*lines[:3], *body, extra])})
    return pd.DataFrame(rows)


class SyntheticEncoder:
    """Stands in for the model while the cache is filled: a unit vector per text, from its hash."""

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension

    def get_sentence_embedding_dimension(self) -> int:
        return self.dimension

    def encode(self, texts: list[str], **_: Any) -> np.ndarray:
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            vectors[row] = np.random.default_rng(seed).standard_normal(self.dimension)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def prefill(root: Path, settings: Settings) -> int:
    """Fill the embedding cache with synthetic vectors for every text the flow will embed.

    What the flow embeds is per record, not per pair (chunks of each resume and posting, each
    resume's lines and skills, each posting's requirement lines and title), so the ranker's
    features of every posting against one resume, and of one posting against every resume,
    embed all of it: a cost that grows with postings + resumes, where a prefill by a whole
    flow run would cost as much as the timed run. Returns the number of texts put in.
    """
    from matcher.io.clean_cache import clean_cache_path, open_clean_cache
    from matcher.io.loading import load_postings, load_resumes
    from matcher.io.score_cache import open_score_cache, score_cache_path
    from matcher.io.unchanged_rerun import source_fingerprint
    from matcher.ranking.embedding import Embedder
    from matcher.ranking.requirement_ranker import RequirementRanker
    from matcher.ranking.scoring import select_ranker
    from matcher.text.preprocess import clean_resumes, prepare_loaded

    limits = settings.limits
    loaded = load_postings(root / "jobs.csv", limits), load_resumes(root / "resumes.csv", limits)
    clean_cache = clean_cache_path(settings.state_dir)
    with open_clean_cache(clean_cache, source_fingerprint()) as store:  # as the flow's
        cleaned = clean_resumes(loaded[1].records, limits, store)
        threshold = settings.cleaning.near_duplicate_threshold
        prepared = prepare_loaded(*loaded, threshold, limits, cleaned, store.sketches)
    postings, resumes = prepared.postings, prepared.resumes
    embedder = Embedder.from_settings(settings.embedding, show_progress=False)
    ranker, _ = select_ranker(settings, embedder)
    if not isinstance(ranker, RequirementRanker):
        return _embed_for(embedder, ranker, postings, resumes)
    path = score_cache_path(settings.state_dir)
    with open_score_cache(path, ranker.feature_version(), ranker.parser_version()) as opened:
        ranker.profile_store = opened[1]  # every record profiled into the flow's score cache
        return _embed_for(embedder, ranker, postings, resumes)


def _embed_for(embedder: Any, ranker: Any, postings: pd.DataFrame, resumes: pd.DataFrame) -> int:
    """Embed what the flow embeds of these records (see :func:`prefill`)."""
    from matcher.ranking.features import focus_postings
    from matcher.text.texts import posting_texts, resume_texts

    ids = resumes["resume_id"].astype(str).tolist()
    embedder.embed_documents(ids, resume_texts(resumes))  # the index's chunks
    focus = focus_postings(postings)  # stage 1's queries
    embedder.embed_documents(focus["job_id"].astype(str).tolist(), posting_texts(focus))
    for start in range(0, len(resumes), 1_000):  # one posting against every resume
        ranker.features(postings.iloc[:1], resumes.iloc[start : start + 1_000])
    for start in range(0, len(postings), 100):  # every posting against one resume
        ranker.features(postings.iloc[start : start + 100], resumes.iloc[:1])
    return int(embedder.stats.as_dict().get("texts_embedded", 0))


def child(root: Path, prefilling: bool, profile: Path | None = None, out: str = "out") -> None:
    """One flow run on the inputs in ``root`` (or, ``prefilling``, the cache filled by
    :func:`prefill`); its figures as JSON on the last stdout line. With ``profile``, the
    run's cProfile statistics are written there.

    The model is replaced by :class:`SyntheticEncoder` in both: a text the prefill missed is
    encoded (counted in the manifest's ``cache_misses``) at a negligible cost, never by the
    real model."""
    import matcher.ranking.embedding as embedding
    from matcher.settings import load_settings

    embedding.load_model = lambda *_: SyntheticEncoder(384)  # type: ignore[assignment,misc]
    settings = load_settings(
        embedding={"cache_dir": root / "cache"},
        index_dir=root / "index",
        state_dir=root / "state",
        mlflow_tracking_uri=f"sqlite:///{root / 'mlflow.db'}",
    )
    started = time.perf_counter()
    if prefilling:
        texts = prefill(root, settings)
        figures: dict[str, Any] = {"wall": time.perf_counter() - started, "texts": texts}
        figures["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
        print(json.dumps(figures))
        return
    from pipelines.batch_scoring import batch_scoring

    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    batch_scoring(root / "jobs.csv", root / "resumes.csv", root / out, settings)
    wall = time.perf_counter() - started
    if profiler is not None and profile is not None:
        profiler.disable()
        profile.parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(profile)
    manifest = json.loads((root / out / "run_manifest.json").read_text())
    figures = {
        "wall": wall,
        "timings": manifest["timings"],
        "embedding": manifest["embedding"],
        "counts": manifest["counts"],
        "work": manifest["work"],
        "stage1": {k: v for k, v in manifest["stage1"].items() if k != "candidates_per_posting"},
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
        "cpu": _cpu_seconds(),
    }
    print(json.dumps(figures))


def _cpu_seconds() -> float:
    """This process's and its waited-for children's user and system CPU seconds."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _rows(
    label: str, figures: dict[str, Any], filled: dict[str, Any], number: int
) -> list[tuple[str, str, str]]:
    """The table's rows of one timed run (``number`` 0: the first after the prefill, whose
    row it also gives)."""
    cores = os.cpu_count() or 1
    counts = figures["counts"]
    every = counts["postings"]["ranked"] * counts["resumes"]["ranked"]
    pairs = int(figures["stage1"].get("pairs_scored", every))
    rank = float(figures["timings"].get("rank", 0.0))
    misses = figures["embedding"]["cache_misses"]
    rows: list[tuple[str, str, str]] = []
    if not number:
        rows.append(
            (
                f"{label}: cache prefill (benchmark only, not timed), s",
                f"{filled['wall']:.1f} ({filled['texts']:,} synthetic vectors)",
                "",
            )
        )
    rows.append(
        (
            f"{label}: end-to-end (warm caches), s (CPU s); load average before-after",
            f"{figures['wall']:.1f} (CPU {figures['cpu']:.1f}); {figures['load']}"
            f" (prefill {filled['load']})",
            "",
        )
    )
    work = figures["work"]
    rows.append(
        (
            f"{label}: records cleaned, profiles read (records not in the caches)",
            f"{work.get('records_cleaned')}, {work.get('profiles_read')}",
            "",
        )
    )
    rows.append(
        (
            f"{label}: time per stage, s",
            ", ".join(f"{k} {float(v):.1f}" for k, v in figures["timings"].items()),
            "",
        )
    )
    rows.append(
        (
            f"{label}: stage 2, pairs/s (per core)",
            f"{pairs / rank:,.0f} ({pairs / rank / cores:,.0f}); {pairs:,} pairs"
            f" ({pairs / max(every, 1):.0%} of all) in {rank:.1f} s; features computed"
            f" for {int(figures['stage1'].get('feature_pairs', pairs)):,} pairs"
            " (each posting by its own candidates); resumes read by its"
            f" {int(figures['stage1'].get('batches', 0)):,} tiles (batches on Dask)"
            f" {int(figures['stage1'].get('resumes_read', 0)):,}",
            "",
        )
    )
    rows.append((f"{label}: peak RSS, GB", f"{figures['peak_rss_gb']:.2f}", ""))
    if misses:
        rows.append((f"{label}: texts not in the cache (encoded)", str(misses), "0"))
    return rows


def _variant_env(text: str) -> dict[str, str]:
    """``NAME=VALUE,NAME=VALUE`` as a mapping (a run's extra environment)."""
    pairs = [part.split("=", 1) for part in text.split(",") if part.strip()]
    if any(len(pair) != 2 for pair in pairs):
        sys.exit(f"--variant {text!r}: expected NAME=VALUE[,NAME=VALUE]")
    return {name.strip(): value.strip() for name, value in pairs}


def _run(
    root: Path,
    prefill: bool,
    profile: Path | None = None,
    out: str = "out",
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", str(root), "--out", out]
    command += ["--prefill"] if prefill else []
    command += ["--profile", str(profile)] if profile else []
    load_before = os.getloadavg()[0]
    paths = os.pathsep.join([str(REPO / "src"), str(REPO)])
    done = subprocess.run(
        command,
        env={**os.environ, **(env or {}), "PYTHONPATH": paths},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["load"] = f"{load_before:.1f}-{os.getloadavg()[0]:.1f}"
    return figures


def main() -> None:
    """Run each size in a child process and print the table and the growth exponents."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1_000])
    parser.add_argument("--postings", type=int, default=50)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--prefill", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", default="out", help=argparse.SUPPRESS)
    parser.add_argument(
        "--profile", type=Path, help="write the timed runs' cProfile statistics into this folder"
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        help="also time the run with these environment settings, e.g."
        " MATCHER_RANKING__BATCH_RESUMES=8192 (comma-separated NAME=VALUE), from the same"
        " prefilled caches; repeatable",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="copy each timed run's output folder into this folder, as <resumes>/ (a"
        " variant's as <resumes>-<number>/; to compare the shortlists and decision records of"
        " two versions)",
    )
    args = parser.parse_args()
    if args.child:
        child(args.child, args.prefill, args.profile, args.out)
        return
    rows: list[tuple[str, str, str]] = []
    sizes, walls, memories = [], [], []
    stage_times: list[dict[str, float]] = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "run"
            root.mkdir()
            synthetic_postings(args.postings).to_csv(root / "jobs.csv", index=False)
            synthetic_resumes(n).to_csv(root / "resumes.csv", index=False)
            filled = _run(root, prefill=True)
            prefilled = Path(tmp) / "prefilled"
            if args.variant:  # each variant starts from the caches as the prefill left them
                shutil.copytree(root, prefilled)
            runs: list[tuple[str, dict[str, str]]] = [("", {})]
            runs += [(text, _variant_env(text)) for text in args.variant]
            for number, (name, env) in enumerate(runs):
                if number:
                    shutil.rmtree(root)
                    shutil.copytree(prefilled, root)
                profile = None
                if args.profile:
                    profile = args.profile / f"scale-{n}{'-' + str(number) if number else ''}.prof"
                figures = _run(root, prefill=False, profile=profile, env=env)
                if args.keep:
                    kept = args.keep / (f"{n}-{number}" if number else str(n))
                    shutil.copytree(root / "out", kept, dirs_exist_ok=True)
                label = f"{n:,} resumes x {args.postings:,} postings"
                made = _rows(f"{label} ({name})" if name else label, figures, filled, number)
                for measure, value, _ in made:
                    print(measure, value, sep=": ", flush=True)
                rows += made
                if not number:
                    first_figures = figures
        figures = first_figures
        sizes.append(n)
        walls.append(figures["wall"])
        memories.append(figures["peak_rss_gb"])
        stage_times.append({k: float(v) for k, v in figures["timings"].items()})
    if len(sizes) > 1:
        time_k = np.polyfit(np.log(sizes), np.log(walls), 1)[0]
        memory_k = np.polyfit(np.log(sizes), np.log(memories), 1)[0]
        rows.append(("growth of end-to-end time with resumes, k in t ~ n^k", f"{time_k:.2f}", ""))
        rows.append(("growth of peak RSS with resumes, k in m ~ n^k", f"{memory_k:.2f}", ""))
        # Per stage: cleaning and profiling should grow linearly (k ~ 1), stage 2 (`rank`)
        # hardly past N resumes, as each posting scores at most 2 N candidates.
        for stage in stage_times[0]:
            times = [timings.get(stage, 0.0) for timings in stage_times]
            if min(times) > 0.05:
                stage_k = np.polyfit(np.log(sizes), np.log(times), 1)[0]
                rows.append((f"growth of the {stage} step with resumes, k", f"{stage_k:.2f}", ""))
        for target in (100_000,):
            if target in sizes or target < max(sizes):
                continue
            last = sizes.index(max(sizes))
            scale = target / sizes[last]
            rows.append(
                (
                    f"EXTRAPOLATED (not measured) {target:,} resumes x {args.postings:,} postings:"
                    f" time, peak RSS from the {sizes[last]:,} run and the exponents above",
                    f"{walls[last] * scale**time_k:,.0f} s,"
                    f" {memories[last] * scale**memory_k:.1f} GB",
                    "<= 600 s, <= 8 GB",
                )
            )
    print_table(
        "P5: scale with a warm cache of SYNTHETIC VECTORS for synthetic texts"
        f" (Prefect API: {os.environ.get('PREFECT_API_URL') or 'temporary'})",
        rows,
    )


if __name__ == "__main__":
    main()
