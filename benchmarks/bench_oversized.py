"""Can one oversized document stall a run? A run's time with and without a 5 MB resume.

Issue 11 asks that a run's time grow by no more than an oversized document's share of the
tokens. This benchmark runs the batch flow in this process on a copy of the bundled sample
(postings and resumes), then on the same copy plus one resume of ``--megabytes`` MB written as
one line (no line breaks, as a scraped page is), each with a fresh state, index, output folder
and an empty embedding cache, so each run embeds every text it reads, the document's too. A
first, untimed run pays the imports, the model load and the Prefect API, so the two timed runs
differ only by the document.

The document's share of the tokens is counted with the embedding model's own tokenizer on the
texts as the run reads them: every posting's and resume's text after loading, where a text
longer than ``limits.max_document_chars`` is cut to it (the run records such a resume as
``truncated``). Prints the growth of the run's wall and CPU time against that share: the goal
is growth <= share. No thresholds: the machines here are shared and noisy.

    PYTHONPATH=src:. .venv/bin/python benchmarks/bench_oversized.py [--megabytes 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from machine import peak_rss_gb, print_table

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"

#: Lines a long scraped resume repeats: duties, skills and dates, each a little different.
_LINES = (
    "Senior operations analyst at Harbor Logistics {n}, 2015-2019: built weekly SQL reports,",
    "cut freight costs {n} percent, trained {n} new hires on the warehouse system;",
    "Skills: Python, Excel, Tableau, forecasting, inventory control, vendor management {n};",
    "Volunteer coordinator for the food bank drive {n}, organised shifts and donations.",
)


def oversized_text(megabytes: float) -> str:
    """A one-line resume of about ``megabytes`` MB made of varied resume sentences."""
    target = int(megabytes * 1_000_000)
    parts: list[str] = ["Jordan Example. Operations analyst."]
    size = len(parts[0])
    n = 0
    while size < target:
        line = _LINES[n % len(_LINES)].format(n=n)
        parts.append(line)
        size += len(line) + 1
        n += 1
    return " ".join(parts)[:target]


def token_counts(root: Path, extra: Path | None) -> tuple[int, int]:
    """Tokens of every text the run reads (postings and resumes, cut as loading cuts them),
    and of the oversized document's alone (0 without it)."""
    from matcher.io.loading import load_postings, load_resumes
    from matcher.ranking.embedding import FastTokenizer, resolve_model_path
    from matcher.settings import load_settings

    limits = load_settings().limits
    tokenizer = FastTokenizer(resolve_model_path(None) / "tokenizer.json")
    postings = load_postings(root / "jobs.csv", limits).records
    resumes = load_resumes(root / "resumes", limits).records

    def tokens(texts: list[str]) -> int:
        return sum(len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"])

    total = tokens([str(t) for t in postings["description"]])
    total += tokens([str(t) for t in resumes["text"]])
    if extra is None:
        return total, 0
    own = resumes[resumes["source"].astype(str).str.endswith(extra.name)]
    return total, tokens([str(t) for t in own["text"]])


def run(root: Path, label: str) -> tuple[float, float, dict[str, float]]:
    """One call of the batch flow on ``root``'s inputs with an empty embedding cache: wall
    seconds, CPU seconds and the manifest's timings of the steps."""
    from pipelines.batch_scoring import batch_scoring

    from matcher.settings import load_settings

    work = root / label
    shutil.rmtree(work, ignore_errors=True)
    settings = load_settings(
        state_dir=work / "state",
        index_dir=work / "index",
        mlflow_tracking_uri=f"sqlite:///{work / 'mlflow.db'}",
        embedding={"cache_dir": work / "cache"},
    )
    cpu = time.process_time()
    started = time.perf_counter()
    batch_scoring(root / "jobs.csv", root / "resumes", work / "out", settings)
    wall = time.perf_counter() - started
    manifest = json.loads((work / "out" / "run_manifest.json").read_text())
    timings = {k: float(v) for k, v in dict(manifest.get("timings", {})).items()}
    return wall, time.process_time() - cpu, timings


def main() -> None:
    """Time the sample with and without the oversized resume and print the growth."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=5.0, help="Size of the document.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copy(SAMPLE / "jobs.csv", root / "jobs.csv")
        shutil.copytree(SAMPLE / "resumes", root / "resumes")
        os.environ.setdefault("MATCHER_LOG_FORMAT", "text")
        run(root, "warm-up")  # imports, model, Prefect API, the sample's vectors
        base_wall, base_cpu, base_timings = run(root, "base")
        base_tokens, _ = token_counts(root, None)

        extra = root / "resumes" / "r-9999-oversized.txt"
        extra.write_text(oversized_text(args.megabytes), encoding="utf-8")
        big_wall, big_cpu, big_timings = run(root, "oversized")
        all_tokens, own_tokens = token_counts(root, extra)

    share = own_tokens / all_tokens
    rows = [
        ("oversized resume", f"{args.megabytes:g} MB, one line", ""),
        ("its tokens as read (cut to max_document_chars) / all tokens", f"{share:.3f}", ""),
        ("tokens: the sample / with it", f"{base_tokens:,} / {all_tokens:,}", ""),
        ("run without it: wall, CPU", f"{base_wall:.1f} s, {base_cpu:.1f} s", ""),
        ("run with it: wall, CPU", f"{big_wall:.1f} s, {big_cpu:.1f} s", ""),
        ("growth of the wall time", f"{big_wall / base_wall - 1:.3f}", f"<= {share:.3f}"),
        ("growth of the CPU time", f"{big_cpu / base_cpu - 1:.3f}", f"<= {share:.3f}"),
    ]
    for step in sorted(set(base_timings) | set(big_timings)):
        before, after = base_timings.get(step, 0.0), big_timings.get(step, 0.0)
        rows.append((f"step {step}: without / with", f"{before:.1f} s / {after:.1f} s", ""))
    rows.append(("peak RSS of this process", f"{peak_rss_gb():.2f} GB", ""))
    print_table("An oversized document's cost in a run (issue 11, item 3)", rows)


if __name__ == "__main__":
    main()
