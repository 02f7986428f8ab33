"""Several labelled sets at once: which sets, where they are, and how much of each to use.

A sets file is TOML with one ``[[sets]]`` table per labelled set. Each set is a folder holding
``jobs.*``, ``resumes.*`` (or a ``resumes/`` folder of documents) and ``qrels.csv``. Relative
paths are read from the sets file's folder.

.. code-block:: toml

    [[sets]]
    name = "rjdb"                      # how the set is called in reports
    path = "../../shared/data/rjdb"
    optional = true                    # skip it (with a note) when the folder is absent

    [[sets]]
    name = "livecareer"
    path = "../../shared/data/livecareer"
    reverse = true                     # also rank postings for each resume (jobs-for-resume)
    max_resumes = 600                  # a seeded random sample of the resumes
    weight = 1.0                       # weight when learning (other sets: 1)
    optional = true
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class LabelledSetSpec(BaseModel):
    """One labelled set of a sets file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, description="Name used in reports and MLflow.")
    path: Path = Field(description="Folder with jobs.*, resumes.* (or resumes/) and qrels.csv.")
    jobs: Path | None = Field(default=None, description="Postings, if not <path>/jobs.*.")
    resumes: Path | None = Field(default=None, description="Resumes, if not <path>/resumes*.")
    qrels: Path | None = Field(default=None, description="Judgements, if not <path>/qrels.csv.")
    reverse: bool = Field(
        default=False, description="Also evaluate jobs-for-resume: resumes as the queries."
    )
    max_resumes: int | None = Field(
        default=None, ge=1, description="Use a seeded random sample of this many resumes."
    )
    max_queries: int | None = Field(
        default=None, ge=1, description="Use only the first N judged postings."
    )
    seed: int = Field(default=0, description="Seed of the resume sample.")
    weight: float = Field(
        default=1.0,
        gt=0,
        description="Weight of the set (and its reverse) when learning, against 1 for others.",
    )
    optional: bool = Field(default=False, description="Skip the set when its folder is absent.")

    def files(self) -> tuple[Path, Path, Path]:
        """``(jobs, resumes, qrels)`` paths inside the folder.

        Raises:
            FileNotFoundError: If one of the three is missing.
        """
        jobs = self.jobs or _find(self.path, "jobs")
        resumes = self.resumes or self.path / "resumes"
        if not resumes.exists():
            resumes = _find(self.path, "resumes")
        qrels = self.qrels or self.path / "qrels.csv"
        for path in (jobs, resumes, qrels):
            if not path.exists():
                raise FileNotFoundError(f"set {self.name!r}: {path} does not exist")
        return jobs, resumes, qrels


class LabelledSetsFile(BaseModel):
    """A sets file: one or more labelled sets."""

    model_config = ConfigDict(extra="forbid")

    sets: list[LabelledSetSpec] = Field(min_length=1)


def _find(folder: Path, stem: str) -> Path:
    """``folder/stem.*`` in any table format the loaders read (CSV first)."""
    from matcher.io.loading import TABLE_SUFFIXES

    for suffix in TABLE_SUFFIXES:
        candidate = folder / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no {stem}.* table ({', '.join(TABLE_SUFFIXES)}) in {folder}")


def load_sets_file(path: Path) -> list[LabelledSetSpec]:
    """The sets of a TOML sets file, with paths resolved against the file's folder.

    Raises:
        ValueError: On bad TOML, unknown keys, bad values or duplicate names.
        FileNotFoundError: If the file or a non-optional set's folder does not exist.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        parsed = LabelledSetsFile.model_validate(data)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: not valid TOML: {error}") from error
    except ValidationError as error:
        raise ValueError(f"{path}: {error}".replace("\n", " ")) from error
    specs = [
        spec.model_copy(
            update={
                key: (path.parent / value).resolve()
                for key in ("path", "jobs", "resumes", "qrels")
                if (value := getattr(spec, key)) is not None
            }
        )
        for spec in parsed.sets
    ]
    return check_sets(specs)


def parse_set_option(value: str) -> LabelledSetSpec:
    """``NAME=FOLDER`` from the command line.

    Raises:
        ValueError: If the value is not of that form.
    """
    name, sep, folder = value.partition("=")
    if not sep or not name.strip() or not folder.strip():
        raise ValueError(f"--set {value!r}: use NAME=FOLDER, e.g. --set rjdb=../shared/data/rjdb")
    return LabelledSetSpec(name=name.strip(), path=Path(folder.strip()))


def check_sets(specs: list[LabelledSetSpec]) -> list[LabelledSetSpec]:
    """Drop absent optional sets; check names are unique and the others exist.

    Raises:
        ValueError: On duplicate names, or when no set is left.
        FileNotFoundError: If a required set's folder does not exist.
    """
    names = [s.name for s in specs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"labelled set names must be unique: {', '.join(duplicates)}")
    kept = []
    for spec in specs:
        if not spec.path.is_dir():
            if spec.optional:
                continue
            raise FileNotFoundError(f"set {spec.name!r}: {spec.path} is not a folder")
        kept.append(spec)
    if not kept:
        raise ValueError("none of the labelled sets is present")
    return kept
