"""How to pool dense (sentence-embedding) similarity for matching, measured on labelled sets.

Every variant is a cosine between a posting representation and a resume representation, all
from one model (all-MiniLM-L6-v2 unless ``--model-path`` names another local
sentence-transformers folder). TF-IDF and BM25 are scored on the same subsets beside them.

Posting representations (rows ``P=...``):

=========  ===================================================================================
full       mean of the chunk vectors of the whole posting (what ``DenseRanker`` does)
strip      the same after dropping boilerplate: "about us", benefits, EEO statements, how to
           apply (by section heading and by sentence cue)
req        the requirement part only: sentences under requirement/qualification headings, or,
           without headings, sentences with a requirement cue; ``strip`` when there are none
title      the title line alone
title1     the title line plus the first chunk of the rest of the posting
=========  ===================================================================================

Resume representations (``R=...``): ``max`` (best chunk), ``mean`` (mean vector), ``max-mean``
(average of the two), ``sec-max`` (best of the summary, skills and experience section vectors),
``sec-avg`` (one vector: the mean of those section vectors, so a long experience section does
not drown the skills). ``lines`` is the mean over a posting's requirement sentences of their
best cosine among the resume's sentences (as ``features.requirement_coverage``).

LiveCareer resumes are one line each (PDF text with whitespace collapsed), so their section
headings are found inline (``_INLINE_HEADING``) rather than by
:func:`matcher.text.sections.split_sections`.

Usage (from the repository root)::

    HF_HUB_OFFLINE=1 PYTHONPATH=src:. .venv/bin/python benchmarks/dense_study.py quality \\
        --livecareer ../shared/data/livecareer --rjdb ../shared/data/rjdb \\
        --cache-dir .matcher/cache
    HF_HUB_OFFLINE=1 PYTHONPATH=src:. .venv/bin/python benchmarks/dense_study.py library \\
        ../shared/data/livecareer --direction jobs-for-resume --cache-dir .matcher/cache
    HF_HUB_OFFLINE=1 PYTHONPATH=src:. .venv/bin/python benchmarks/dense_study.py speed

Numbers are printed, never asserted: the machine is shared and the labels are coarse.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import pandas as pd
import typer

from matcher.runtime import configure_runtime

if TYPE_CHECKING:
    from matcher.ranking.embedding import Embedder
    from matcher.schema import Qrels

#: The shared LiveCareer set beside the repository.
LIVECAREER = Path(__file__).resolve().parents[2] / "shared" / "data" / "livecareer"

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, help=__doc__.split("\n")[0])

RESUME_SECTIONS = ("summary", "skills", "experience")
METRICS = ("nDCG@10", "MAP", "pairwise_accuracy")
#: What ``DenseRanker`` does by default; the per-query comparisons are against it.
DEFAULT_DENSE = "dense P=full R=max-mean"

# Sentences of a posting that say nothing about the job: equal-opportunity statements, benefits,
# the company's self-description and application instructions.
_BOILERPLATE = re.compile(
    r"equal (?:employment )?opportunit|\beeo\b|affirmative action|without regard to"
    r"|race, (?:color|colour)|sexual orientation|gender identity|national origin|veteran status"
    r"|protected (?:class|veteran|characteristic)|reasonable accommodation|e-verify"
    r"|drug[- ]free|background check|benefits? (?:package|include|program)|\b401\s?\(?k\)?"
    r"|paid time off|\bpto\b|health(?:care)?,? dental|dental(?:,| and) vision|life insurance"
    r"|tuition (?:reimbursement|assistance)|employee discount|we offer|what we offer|perks"
    r"|competitive (?:salary|pay|compensation|wage)|about us|who we are|our mission|our values"
    r"|founded in|is a leading|is an? (?:global|national|fortune|award)|apply (?:now|today|online)"
    r"|to apply|submit (?:your|a) (?:resume|application)|click apply|job type:|salary:"
    r"|schedule:|work location:|\$\d",
    re.IGNORECASE,
)
_BOILERPLATE_SECTIONS = frozenset({"about", "other", "contact"})
_REQUIREMENT_CUE = re.compile(
    r"requir|qualif|\bmust\b|years?\b|degree|bachelor|master'?s|diploma|certif|licen[cs]|knowledge"
    r"|proficien|experience (?:in|with)|ability to|able to|skills?\b|familiar|understanding of"
    r"|background in|strong\b|excellent\b",
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9\"(])|\n+|\s+[•·▪§]\s*|\s{2,}")
# Resume headings as they appear inside one-line LiveCareer text, each followed by content.
_INLINE_HEADING = re.compile(
    r"\b(Professional Summary|Executive Summary|Career Overview|Summary|Objective|Profile"
    r"|Skill Highlights|Highlights|Core Qualifications|Qualifications|Skills|Technical Skills"
    r"|Professional Experience|Work Experience|Work History|Experience"
    r"|Education and Training|Education|Certifications|Accomplishments|Additional Information"
    r"|Interests|Languages|Affiliations|Presentations|Publications)\b(?= [A-Z0-9])"
)
_INLINE_NAME = {
    "Professional Summary": "summary", "Executive Summary": "summary",
    "Career Overview": "summary", "Summary": "summary", "Objective": "summary",
    "Profile": "summary", "Skill Highlights": "skills", "Highlights": "skills",
    "Core Qualifications": "skills", "Qualifications": "skills", "Skills": "skills",
    "Technical Skills": "skills", "Professional Experience": "experience",
    "Work Experience": "experience", "Work History": "experience", "Experience": "experience",
}  # fmt: skip


# --------------------------------------------------------------------------- text variants


def sentences(text: str, limit: int) -> list[str]:
    """Sentences or lines of a text with at least three words, at most ``limit`` of them."""
    found = [s.strip(" -*•") for s in _SENTENCE_BREAK.split(text)]
    return [s for s in found if len(s.split()) >= 3][:limit]


def strip_boilerplate(text: str) -> str:
    """A posting without its about-us, benefits, EEO and how-to-apply parts."""
    from matcher.text.sections import split_sections

    kept: list[str] = []
    for section in split_sections(text):
        if section.name in _BOILERPLATE_SECTIONS:
            continue
        body = [section.heading] if section.heading else []
        for line in section.text.splitlines():
            parts = [s for s in _SENTENCE_BREAK.split(line) if s.strip()]
            clean = [s for s in parts if not _BOILERPLATE.search(s)]
            if clean:
                body.append(" ".join(clean))
        kept.extend(body)
    result = "\n".join(kept).strip()
    return result or text


def requirement_text(text: str) -> str:
    """The requirement part of a posting (see the module docstring)."""
    from matcher.text.sections import split_sections

    stripped = strip_boilerplate(text)
    sections = split_sections(stripped)
    wanted = [s.text for s in sections if s.name in ("required", "preferred") and s.text.strip()]
    if wanted:
        return "\n".join(wanted)
    cued = [s for s in sentences(stripped, 10_000) if _REQUIREMENT_CUE.search(s)]
    return "\n".join(cued) if cued else stripped


def requirement_sentences(text: str, limit: int) -> list[str]:
    """Requirement sentences of a posting, for line-level matching."""
    return sentences(requirement_text(text), limit) or [text[:1000]]


def resume_sections(text: str) -> dict[str, str]:
    """``{summary|skills|experience: text}``, found by heading lines or, failing that, inline."""
    from matcher.text.sections import split_sections

    found: dict[str, list[str]] = {}
    for section in split_sections(text):
        if section.name in RESUME_SECTIONS and section.text.strip():
            found.setdefault(section.name, []).append(section.text)
    if len(found) < 2 and "\n" not in text.strip():
        found = {}
        marks = list(_INLINE_HEADING.finditer(text))
        for mark, following in zip(marks, [*marks[1:], None], strict=True):
            end = following.start() if following is not None else len(text)
            name = _INLINE_NAME.get(mark.group(1))
            body = text[mark.end() : end].strip()
            if name is not None and body:
                found.setdefault(name, []).append(body)
    return {name: "\n".join(parts) for name, parts in found.items()}


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class StudySet:
    """Prepared postings and resumes of one subset, with qrels in both directions."""

    name: str
    postings: pd.DataFrame
    resumes: pd.DataFrame
    qrels: dict[str, Qrels]  # direction -> qrels


def livecareer_set(folder: Path, per_category: int, seed: int) -> StudySet:
    """All postings and ``per_category`` resumes of each category; every pair judged 0 or 1."""
    from matcher.evaluation.labelled import load_labelled_set

    labelled = load_labelled_set(
        folder / "jobs.csv", folder / "resumes.csv", folder / "qrels.csv", "resumes-for-job"
    )
    shuffled = labelled.resumes.sample(frac=1.0, random_state=seed)
    resumes = shuffled.groupby("category").head(per_category).reset_index(drop=True)
    postings = labelled.postings
    forward: Qrels = {}
    backward: Qrels = {}
    for job_id, job_cat in zip(postings["job_id"], postings["category"], strict=True):
        for rid, res_cat in zip(resumes["resume_id"], resumes["category"], strict=True):
            grade = int(job_cat == res_cat)
            forward.setdefault(str(job_id), {})[str(rid)] = grade
            backward.setdefault(str(rid), {})[str(job_id)] = grade
    qrels = {"resumes-for-job": forward, "jobs-for-resume": backward}
    return StudySet(f"livecareer({len(postings)}x{len(resumes)})", postings, resumes, qrels)


def rjdb_set(folder: Path, n_postings: int, n_others: int, seed: int) -> StudySet:
    """The first ``n_postings`` judged postings, their judged resumes and ``n_others`` more."""
    from matcher.evaluation.labelled import load_labelled_set

    labelled = load_labelled_set(
        folder / "jobs.csv", folder / "resumes.csv", folder / "qrels.csv", "resumes-for-job"
    ).subset(n_postings)
    everything = load_labelled_set(
        folder / "jobs.csv", folder / "resumes.csv", folder / "qrels.csv", "resumes-for-job"
    ).resumes
    judged = set(labelled.resumes["resume_id"].astype(str))
    others = everything[~everything["resume_id"].astype(str).isin(judged)]
    others = others.sample(min(n_others, len(others)), random_state=seed)
    resumes = pd.concat([labelled.resumes, others], ignore_index=True)
    name = f"rjdb({len(labelled.postings)}x{len(resumes)})"
    return StudySet(name, labelled.postings, resumes, {"resumes-for-job": labelled.qrels})


# --------------------------------------------------------------------------- scoring


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def posting_vectors(embedder: Embedder, postings: pd.DataFrame) -> dict[str, np.ndarray]:
    """One unit vector per posting for each posting representation."""
    from matcher.text.sections import split_title
    from matcher.text.texts import posting_texts

    ids = postings["job_id"].astype(str).tolist()
    texts = posting_texts(postings)
    titled = [split_title(t) for t in texts]
    variants = {
        "full": texts,
        "strip": [strip_boilerplate(t) for t in texts],
        "req": [requirement_text(t) for t in texts],
        "title": [title or rest[:200] for title, rest in titled],
        "title1": [f"{title}\n{embedder.chunk_text(rest)[0]}".strip() for title, rest in titled],
    }
    typer.echo(
        "posting text, mean characters: "
        + ", ".join(f"{k} {np.mean([len(t) for t in v]):.0f}" for k, v in variants.items())
    )
    out = {}
    for name, variant in variants.items():
        out[name] = embedder.embed_documents(ids, variant).document_vectors(len(ids))
    return out


@dataclass(frozen=True)
class ResumeVectors:
    """Chunk vectors of each resume and its section vectors."""

    chunks: np.ndarray  # (n_chunks, dim)
    chunk_doc: np.ndarray  # (n_chunks,) resume position
    mean: np.ndarray  # (n_resumes, dim)
    sections: np.ndarray  # (n_resumes, 3, dim), zero where a section is absent
    section_found: np.ndarray  # (n_resumes, 3) bool


def resume_vectors(embedder: Embedder, resumes: pd.DataFrame) -> ResumeVectors:
    """Embed every resume whole (chunked) and by section."""
    from matcher.text.texts import resume_texts

    ids = resumes["resume_id"].astype(str).tolist()
    texts = resume_texts(resumes)
    whole = embedder.embed_documents(ids, texts)
    n, dim = len(ids), whole.vectors.shape[1]
    sections = np.zeros((n, len(RESUME_SECTIONS), dim), dtype=np.float32)
    found = np.zeros((n, len(RESUME_SECTIONS)), dtype=bool)
    split = [resume_sections(t) for t in texts]
    for k, name in enumerate(RESUME_SECTIONS):
        rows = [i for i, parts in enumerate(split) if name in parts]
        if not rows:
            continue
        emb = embedder.embed_documents([ids[i] for i in rows], [split[i][name] for i in rows])
        sections[rows, k] = emb.document_vectors(len(rows))
        found[rows, k] = True
    return ResumeVectors(
        whole.vectors, whole.doc_positions, whole.document_vectors(n), sections, found
    )


def resume_scores(jobs: np.ndarray, resumes: ResumeVectors) -> dict[str, np.ndarray]:
    """``(n_postings, n_resumes)`` cosines of each resume representation."""
    n = resumes.mean.shape[0]
    sims = jobs @ resumes.chunks.T
    best = np.full((jobs.shape[0], n), -1.0, dtype=np.float32)
    np.maximum.at(best.T, resumes.chunk_doc, sims.T)
    mean = jobs @ resumes.mean.T
    per_section = np.einsum("pd,rkd->prk", jobs, resumes.sections)
    per_section = np.where(resumes.section_found[None], per_section, -1.0)
    # A resume without any recognised section falls back to its whole-text scores.
    none = ~resumes.section_found.any(axis=1)
    sec_max = np.where(none[None], best, per_section.max(axis=2))
    sec_avg_vec = _unit(resumes.sections.sum(axis=1))
    sec_avg = np.where(none[None], mean, jobs @ sec_avg_vec.T)
    return {
        "max": best,
        "mean": mean,
        "max-mean": (best + mean) / 2,
        "sec-max": sec_max,
        "sec-avg": sec_avg,
    }


def line_scores(
    embedder: Embedder,
    postings: pd.DataFrame,
    resumes: pd.DataFrame,
    max_posting_lines: int,
    max_resume_lines: int,
) -> np.ndarray:
    """Mean over each posting's requirement sentences of the best cosine among resume sentences."""
    from matcher.text.texts import posting_texts, resume_texts

    groups = [sentences(t, max_resume_lines) or [t[:1000]] for t in resume_texts(resumes)]
    flat = [s for g in groups for s in g]
    offsets = np.cumsum([0, *[len(g) for g in groups[:-1]]]).astype(np.int64)
    resume_lines = embedder.embed_texts(flat)
    result = np.zeros((len(postings), len(resumes)), dtype=np.float32)
    for row, text in enumerate(posting_texts(postings)):
        wanted = embedder.embed_texts(requirement_sentences(text, max_posting_lines))
        best = np.maximum.reduceat(wanted @ resume_lines.T, offsets, axis=1)
        result[row] = np.clip(best, 0.0, 1.0).mean(axis=0)
    return result


def evaluate_matrix(
    scores: np.ndarray, study: StudySet, direction: str
) -> tuple[dict[str, float], pd.Series]:
    """Metrics of a ``(n_postings, n_resumes)`` score matrix in one direction.

    Returns:
        The summary metrics and the per-query nDCG@10 (indexed by query ID).
    """
    from matcher.evaluation.metrics import evaluate_run

    jobs = study.postings["job_id"].astype(str).tolist()
    cvs = study.resumes["resume_id"].astype(str).tolist()
    qrels = study.qrels[direction]
    if direction == "resumes-for-job":
        queries, docs, matrix = jobs, cvs, scores
    else:
        queries, docs, matrix = cvs, jobs, scores.T
    row = {q: i for i, q in enumerate(queries)}
    run = {q: dict(zip(docs, map(float, matrix[row[q]]), strict=True)) for q in qrels}
    result = evaluate_run(qrels, run)
    per_query = result.per_query.set_index("query_id")["nDCG@10"]
    return {m: float(result.summary[m]) for m in METRICS}, per_query


def lexical_matrices(study: StudySet, direction: str) -> dict[str, np.ndarray]:
    """TF-IDF and BM25 score matrices (BM25 is relative to each query's best)."""
    from matcher.ranking.catalogue import make_ranker

    return {
        name: make_ranker(name).score(study.postings, study.resumes, direction)  # type: ignore[arg-type]
        for name in ("tfidf", "bm25")
    }


def study_rows(
    embedder: Embedder, study: StudySet, max_posting_lines: int, max_resume_lines: int
) -> pd.DataFrame:
    """Every variant's metrics on one study set, in each of its directions."""
    from matcher.ranking.catalogue import make_ranker

    started = time.perf_counter()
    jobs = posting_vectors(embedder, study.postings)
    cvs = resume_vectors(embedder, study.resumes)
    typer.echo(
        f"{study.name}: embedded postings and resumes in {time.perf_counter() - started:.0f} s"
    )
    dense: dict[str, np.ndarray] = {}
    for p_name, p_vecs in jobs.items():
        for r_name, matrix in resume_scores(p_vecs, cvs).items():
            dense[f"dense P={p_name} R={r_name}"] = matrix
    started = time.perf_counter()
    dense["dense lines (req sentences x resume sentences)"] = line_scores(
        embedder, study.postings, study.resumes, max_posting_lines, max_resume_lines
    )
    typer.echo(f"{study.name}: line scores in {time.perf_counter() - started:.0f} s")
    found = cvs.section_found.mean(axis=0)
    typer.echo(
        f"{study.name}: resumes with a section found: "
        + ", ".join(f"{n} {f:.0%}" for n, f in zip(RESUME_SECTIONS, found, strict=True))
    )
    rows = []
    for direction in study.qrels:
        lexical = lexical_matrices(study, direction)
        matrices: dict[str, np.ndarray] = {**lexical, **dense}
        bm25 = lexical["bm25"]
        for name in (DEFAULT_DENSE, "dense P=strip R=max-mean", "dense P=title1 R=max-mean"):
            matrices[f"hybrid 0.6*({name[6:]}) + 0.4*bm25"] = (
                0.6 * np.clip(dense[name], 0, 1) + 0.4 * bm25
            )
        for view in ("full", "title-lead"):
            # The library's own ranker, as a check that it reproduces the study's variant.
            ranker = make_ranker("dense", embedder=embedder, posting=view)
            matrices[f"DenseRanker(posting={view})"] = ranker.score(study.postings, study.resumes)
        per_query = {}
        for variant, matrix in matrices.items():
            metrics, per_query[variant] = evaluate_matrix(matrix, study, direction)
            rows.append({"set": study.name, "direction": direction, "variant": variant, **metrics})
        base = per_query[DEFAULT_DENSE]
        for row in rows[-len(matrices) :]:
            diff = per_query[row["variant"]] - base
            # Queries where the variant's nDCG@10 beats / trails the default dense ranker's.
            row["wins/losses"] = f"{int((diff > 1e-9).sum())}/{int((diff < -1e-9).sum())}"
    return pd.DataFrame(rows)


def _embedder(model_path: Path | None, cache_dir: Path | None, max_tokens: int = 256) -> Embedder:
    from matcher.ranking.embedding import Embedder

    return Embedder(model_path, cache_dir=cache_dir, max_tokens=max_tokens, show_progress=False)


@app.command()
def quality(
    livecareer: Annotated[Path | None, typer.Option(help="Folder of the LiveCareer set.")] = None,
    rjdb: Annotated[Path | None, typer.Option(help="Folder of the RJDB set.")] = None,
    per_category: Annotated[int, typer.Option(help="LiveCareer resumes per category.")] = 20,
    rjdb_postings: Annotated[int, typer.Option(help="RJDB judged postings to keep.")] = 100,
    rjdb_others: Annotated[int, typer.Option(help="Unjudged RJDB resumes added.")] = 200,
    max_posting_lines: Annotated[int, typer.Option(help="Requirement sentences kept.")] = 30,
    max_resume_lines: Annotated[int, typer.Option(help="Resume sentences kept.")] = 80,
    model_path: Annotated[
        Path | None, typer.Option(help="Local sentence-transformers folder; MiniLM if unset.")
    ] = None,
    cache_dir: Annotated[Path | None, typer.Option(help="Embedding cache folder.")] = None,
    max_tokens: Annotated[int, typer.Option(help="Chunk length in model tokens.")] = 256,
    seed: Annotated[int, typer.Option(help="Seed of the resume samples.")] = 0,
    out: Annotated[Path | None, typer.Option(help="Write the table as CSV here too.")] = None,
) -> None:
    """Print nDCG@10, MAP and pairwise accuracy of every pooling variant and the baselines."""
    configure_runtime()
    embedder = _embedder(model_path, cache_dir, max_tokens)
    typer.echo(f"model: {embedder.model_id}, chunks of {embedder.max_tokens} tokens")
    loaders: list[Callable[[], StudySet]] = []
    if livecareer is not None:
        loaders.append(lambda: livecareer_set(livecareer, per_category, seed))
    if rjdb is not None:
        loaders.append(lambda: rjdb_set(rjdb, rjdb_postings, rjdb_others, seed))
    tables = []
    for load in loaders:
        study = load()
        table = study_rows(embedder, study, max_posting_lines, max_resume_lines)
        tables.append(table)
        _print_table(table)
    if out is not None and tables:
        pd.concat(tables).to_csv(out, index=False)
    typer.echo(f"embedding: {embedder.stats.as_dict()}")


def _print_table(table: pd.DataFrame) -> None:
    wide = table.pivot_table(
        index="variant", columns="direction", values=list(METRICS), sort=False
    ).round(4)
    wide.columns = [f"{m}|{d}" for m, d in wide.columns]
    for direction, part in table.groupby("direction", sort=False):
        wide[f"W/L nDCG@10 vs default|{direction}"] = part.set_index("variant")["wins/losses"]
    with pd.option_context("display.width", 250, "display.max_columns", 20):
        typer.echo(f"\n== {table['set'].iloc[0]}")
        typer.echo(wide.to_string())


@app.command()
def library(
    folder: Annotated[Path, typer.Argument(help="Folder with jobs.csv, resumes.csv, qrels.csv.")],
    direction: Annotated[str, typer.Option(help="resumes-for-job or jobs-for-resume.")] = (
        "resumes-for-job"
    ),
    cache_dir: Annotated[Path | None, typer.Option(help="Embedding cache folder.")] = None,
) -> None:
    """The library's rankers on a whole labelled set: lexical, dense, dense with title-lead."""
    configure_runtime()
    from matcher.evaluation.evaluate import evaluate_ranker
    from matcher.evaluation.labelled import load_labelled_set
    from matcher.ranking.catalogue import make_ranker

    labelled = load_labelled_set(
        folder / "jobs.csv",
        folder / "resumes.csv",
        folder / "qrels.csv",
        direction,  # type: ignore[arg-type]
    )
    embedder = _embedder(None, cache_dir)
    typer.echo(f"{folder.name} {direction}: {len(labelled.postings)} x {len(labelled.resumes)}")
    configs: list[tuple[str, dict[str, str]]] = [
        ("tfidf", {}),
        ("bm25", {}),
        ("dense", {}),
        ("dense", {"posting": "title-lead"}),
    ]
    for name, params in configs:
        summary = evaluate_ranker(make_ranker(name, embedder=embedder, **params), labelled).summary
        shown = ", ".join(f"{m} {summary[m]:.4f}" for m in METRICS)
        typer.echo(f"  {name} {params or ''}: {shown}")


@app.command()
def speed(
    livecareer: Annotated[
        Path, typer.Option(help="Folder of the LiveCareer set (text source).")
    ] = LIVECAREER,
    model_path: Annotated[
        Path | None, typer.Option(help="Local sentence-transformers folder; MiniLM if unset.")
    ] = None,
    n_chunks: Annotated[int, typer.Option(help="256-token chunks to encode.")] = 64,
    n_lines: Annotated[int, typer.Option(help="Short lines (sentences) to encode.")] = 512,
    max_tokens: Annotated[int, typer.Option(help="Chunk length in model tokens.")] = 256,
) -> None:
    """Encode speed without a cache: texts per second for full chunks and for short lines."""
    configure_runtime()
    import torch

    embedder = _embedder(model_path, None, max_tokens)
    started = time.perf_counter()
    _ = embedder.model
    loaded = time.perf_counter() - started
    texts = pd.read_csv(livecareer / "jobs.csv")
    pool = texts["description"].fillna("").astype(str).tolist()
    chunks = [c for t in pool for c in embedder.chunk_text(t)]
    long_enough = embedder.max_tokens * 3 // 4
    full = [c for c in chunks if len(embedder.tokenizer(c)["input_ids"]) >= long_enough]
    full = full[:n_chunks]
    lines = [s for t in pool for s in sentences(t, 10_000)][:n_lines]
    typer.echo(
        f"model {embedder.model_id}: loaded in {loaded:.1f} s,"
        f" torch threads {torch.get_num_threads()}"
    )
    for label, batch in ((f"chunks (<= {embedder.max_tokens} tokens)", full), ("lines", lines)):
        embedder.embed_texts(batch[:8])  # warm-up
        started = time.perf_counter()
        embedder.model.encode(batch, batch_size=embedder.batch_size, normalize_embeddings=True)
        seconds = time.perf_counter() - started
        tokens = np.mean([len(ids) for ids in embedder.tokenizer(batch)["input_ids"]])
        typer.echo(
            f"  {label}: {len(batch)} texts, mean {tokens:.0f} tokens,"
            f" {len(batch) / seconds:.1f} texts/s"
        )


if __name__ == "__main__":
    app()
