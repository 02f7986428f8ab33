"""Load ESCO and O*NET skill lists as vocabularies that extend the built-in one.

Both loaders return a :class:`~matcher.parsing.skills.Vocabulary` with the same columns as the
built-in vocabulary (``skill``, ``category``, ``aliases``, ``ambiguous``, ``source``). Nothing
here runs unless asked: extending the vocabulary is opt-in, through :func:`build_vocabulary` or
``Vocabulary.builtin().merge(load_esco_skills(path))``, where the built-in skills win every
conflict.

External labels are filtered so that they behave like hand-written aliases:

* parenthesised qualifiers are removed (``Python (computer programming)`` becomes ``Python``);
* labels shorter than ``min_length`` characters or longer than ``max_tokens`` tokens are left
  out (long ESCO phrases such as "advise customers on preparation of fruits and vegetables"
  never occur verbatim in a resume);
* a label that is one plain word (letters only, lower case or capitalised: ``scratch``,
  ``Unity``, ``Excavator``) could be an ordinary word, so as a skill name it is marked
  ambiguous and needs context to count, and as an alias of some other name it is left out;
* ESCO's transversal skills ("show initiative", "work in teams") are left out by default, as
  are O*NET's generic descriptions ("Medical billing software");
* an alias shared by two skills is removed from both, and a repeated name keeps its first row.

Every left-out label is counted and logged, never silently lost.

Attribution (required by the licences, see :data:`ATTRIBUTION`):
    ESCO: This service uses the ESCO classification of the European Commission.
    O*NET: O*NET 30.2 Database by the U.S. Department of Labor, Employment and Training
    Administration (USDOL/ETA). Used under the CC BY 4.0 license.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

import pandas as pd

from matcher.parsing.skills import SkillMatcher, Vocabulary, skill_key

logger = logging.getLogger(__name__)

#: Credit line the ESCO reuse policy asks for (Commission Decision 2011/833/EU, CC BY 4.0).
ESCO_ATTRIBUTION: Final = "This service uses the ESCO classification of the European Commission."
#: Credit line O*NET asks for (CC BY 4.0).
ONET_ATTRIBUTION: Final = (
    "This product includes information from the O*NET 30.2 Database by the U.S. Department of "
    "Labor, Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 "
    "license. O*NET® is a trademark of USDOL/ETA."
)
#: Attribution to show wherever skills from these sources are used or redistributed.
ATTRIBUTION: Final = f"{ESCO_ATTRIBUTION}\n{ONET_ATTRIBUTION}"

ESCO_SKILLS_FILE: Final = "skills_en.csv"
ONET_TECHNOLOGY_FILE: Final = "Technology Skills.txt"
ESCO_SOURCE: Final = "esco"
ONET_SOURCE: Final = "onet"

_ESCO_COLUMNS: Final = ("conceptUri", "skillType", "reuseLevel", "preferredLabel", "altLabels")
_ONET_COLUMNS: Final = ("Example", "Commodity Title", "Hot Technology")
_QUALIFIER_RE = re.compile(r"\s*\([^)]*\)")
_PLAIN_WORD_RE = re.compile(r"[^\W\d_]+")
_GENERIC_HEADS = frozenset({"software", "system", "systems", "tools", "programs", "applications"})


def _clean_label(label: str) -> str:
    return " ".join(_QUALIFIER_RE.sub("", label).split())


def _is_plain_word(label: str) -> bool:
    """One word of letters in lower case or capitalised: could be an ordinary word."""
    return _PLAIN_WORD_RE.fullmatch(label) is not None and (
        label.islower() or (label[0].isupper() and label[1:].islower())
    )


class _Drops(Counter[str]):
    def log(self, source: str) -> None:
        if self:
            detail = ", ".join(f"{count} {reason}" for reason, count in sorted(self.items()))
            logger.info("%s: left out %s", source, detail)


def _vocabulary_from_labels(
    rows: Iterable[tuple[str, str, list[str]]],
    source: str,
    *,
    min_length: int,
    max_tokens: int,
    drops: _Drops,
) -> Vocabulary:
    """Turn ``(name, category, aliases)`` rows into a conflict-free vocabulary."""

    def usable(label: str, what: str) -> bool:
        if len(label) < min_length:
            drops[f"{what} shorter than {min_length} characters"] += 1
            return False
        if len(skill_key(label)) > max_tokens:
            drops[f"{what} longer than {max_tokens} tokens"] += 1
            return False
        return True

    skills: list[dict[str, Any]] = []
    seen_names: set[tuple[str, ...]] = set()
    for name, category, aliases in rows:
        if not usable(name, "names"):
            continue
        name_key = skill_key(name)
        if name_key in seen_names:
            drops["repeated names"] += 1
            continue
        seen_names.add(name_key)
        name_words = set(name_key)
        kept: list[str] = []
        kept_keys = {name_key}
        for alias in aliases:
            key = skill_key(alias)
            if key in kept_keys or not usable(alias, "aliases"):
                continue
            if _is_plain_word(alias) and key[0] not in name_words:
                drops["aliases that are plain words"] += 1
                continue
            kept.append(alias)
            kept_keys.add(key)
        skills.append(
            {
                "skill": name,
                "category": category,
                "aliases": kept,
                "ambiguous": _is_plain_word(name),
                "source": source,
            }
        )
    # An alias that is a name elsewhere, or an alias of two skills, belongs to none.
    owners: dict[tuple[str, ...], set[int]] = {}
    for index, row in enumerate(skills):
        for alias in row["aliases"]:
            owners.setdefault(skill_key(alias), set()).add(index)
    for row in skills:
        before = len(row["aliases"])
        row["aliases"] = [
            alias
            for alias in row["aliases"]
            if skill_key(alias) not in seen_names and len(owners[skill_key(alias)]) == 1
        ]
        drops["aliases shared by several skills"] += before - len(row["aliases"])
    drops += Counter()  # drop zero counts
    drops.log(source)
    frame = pd.DataFrame.from_records(
        skills, columns=["skill", "category", "aliases", "ambiguous", "source"]
    )
    return Vocabulary.from_frame(frame)


def _resolve(path: Path, file_name: str) -> Path:
    path = Path(path)
    if path.is_dir():
        path = path / file_name
    if not path.is_file():
        raise FileNotFoundError(f"skills file not found: {path}")
    return path


def _require_columns(frame: pd.DataFrame, columns: Iterable[str], path: Path) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; found {list(frame.columns)}")


def load_esco_skills(
    path: Path,
    *,
    skill_types: tuple[str, ...] = ("knowledge", "skill/competence"),
    include_transversal: bool = False,
    min_length: int = 3,
    max_tokens: int = 6,
) -> Vocabulary:
    """Load the ESCO skills pillar (``skills_en.csv``) as a vocabulary.

    Each ESCO concept becomes one skill named by its ``preferredLabel``, with its
    newline-separated ``altLabels`` as aliases and ``esco:<skillType>`` as category.

    This service uses the ESCO classification of the European Commission. ESCO is published by
    the European Commission (DG EMPL); reuse is authorised provided the source is acknowledged
    (Commission Decision 2011/833/EU, CC BY 4.0). Keep :data:`ESCO_ATTRIBUTION` with any output
    that uses these skills.

    Args:
        path: ``skills_en.csv`` from the ESCO CSV export, or the folder holding it.
        skill_types: ``skillType`` values to keep; rows without a type are left out.
        include_transversal: Keep ESCO's transversal skills (generic abilities and language
            skills such as "show initiative", "understand spoken Dutch").
        min_length: Shortest label kept, in characters.
        max_tokens: Longest label kept, in tokens.

    Returns:
        The vocabulary, ``source`` ``"esco"``.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If a required column is missing or a kept row has no preferred label.

    Example:
        >>> esco = load_esco_skills(Path("shared/data/taxonomy/esco_v1.1.1"))  # doctest: +SKIP
        >>> Vocabulary.builtin().merge(esco)  # doctest: +SKIP
    """
    path = _resolve(path, ESCO_SKILLS_FILE)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    _require_columns(frame, _ESCO_COLUMNS, path)
    drops = _Drops()
    rows: list[tuple[str, str, list[str]]] = []
    for record in frame.itertuples(index=False):
        skill_type, reuse = record.skillType.strip(), record.reuseLevel.strip()
        if skill_type not in skill_types:
            drops[f"skills of type {skill_type or 'none'!r}"] += 1
            continue
        if reuse == "transversal" and not include_transversal:
            drops["transversal skills"] += 1
            continue
        name = _clean_label(record.preferredLabel)
        if not name:
            raise ValueError(f"{path}: skill {record.conceptUri!r} has no preferredLabel")
        aliases = [_clean_label(label) for label in record.altLabels.splitlines()]
        rows.append((name, f"esco:{skill_type}", [alias for alias in aliases if alias]))
    return _vocabulary_from_labels(
        rows, ESCO_SOURCE, min_length=min_length, max_tokens=max_tokens, drops=drops
    )


def _is_generic_description(example: str) -> bool:
    """'Medical billing software': a description, not the name of a product."""
    words = example.split()
    return (
        len(words) >= 2
        and words[-1].lower() in _GENERIC_HEADS
        and all(word.islower() or word.isupper() for word in words[1:])
    )


def load_onet_technology_skills(
    path: Path,
    *,
    hot_only: bool = False,
    min_length: int = 2,
    max_tokens: int = 6,
) -> Vocabulary:
    """Load O*NET's Technology Skills (``Technology Skills.txt``) as a vocabulary.

    Each distinct ``Example`` (a product or technology such as "Microsoft Excel") becomes one
    skill with ``onet:<Commodity Title>`` as category (its most frequent title).

    This product includes information from the O*NET 30.2 Database by the U.S. Department of
    Labor, Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0
    license. O*NET® is a trademark of USDOL/ETA. Keep :data:`ONET_ATTRIBUTION` with any output
    that uses these skills.

    Args:
        path: The tab-separated ``Technology Skills.txt`` of an O*NET text release, or the
            folder holding it.
        hot_only: Keep only examples flagged as a "Hot Technology".
        min_length: Shortest example kept, in characters.
        max_tokens: Longest example kept, in tokens.

    Returns:
        The vocabulary, ``source`` ``"onet"``.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If a required column is missing.
    """
    path = _resolve(path, ONET_TECHNOLOGY_FILE)
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    _require_columns(frame, _ONET_COLUMNS, path)
    drops = _Drops()
    frame["Example"] = frame["Example"].str.strip()
    empty = frame["Example"] == ""
    if empty.any():
        rows_at = (frame.index[empty] + 2).tolist()[:5]  # +2: header line, 1-based
        raise ValueError(f"{path}: empty Example at line(s) {rows_at}")
    hot = (frame["Hot Technology"] == "Y").groupby(frame["Example"], sort=False).any()
    # The most frequent Commodity Title of each example (first seen on ties).
    title_counts = frame.groupby(["Example", "Commodity Title"], sort=False).size()
    titles = title_counts.reset_index(name="n").sort_values("n", ascending=False, kind="stable")
    titles = titles.drop_duplicates("Example")
    title_of = dict(zip(titles["Example"], titles["Commodity Title"], strict=True))
    rows: list[tuple[str, str, list[str]]] = []
    for example in hot.index:
        title = title_of[example]
        if hot_only and not hot[example]:
            drops["examples that are not hot technologies"] += 1
            continue
        if _is_generic_description(example):
            drops["generic descriptions"] += 1
            continue
        rows.append((example, f"onet:{title}", []))
    return _vocabulary_from_labels(
        rows, ONET_SOURCE, min_length=min_length, max_tokens=max_tokens, drops=drops
    )


def build_vocabulary(taxonomy_dir: Path | None = None) -> Vocabulary:
    """Return the built-in vocabulary, extended by the taxonomies found in a folder.

    Looks for ``skills_en.csv`` (ESCO) and ``Technology Skills.txt`` (O*NET) anywhere under
    ``taxonomy_dir`` (e.g. ``settings.taxonomy_dir``) and merges each found file into the
    built-in vocabulary, which wins every conflict.

    Args:
        taxonomy_dir: Folder with the taxonomy files; ``None`` gives the built-in vocabulary.

    Returns:
        The vocabulary.

    Raises:
        FileNotFoundError: If ``taxonomy_dir`` is given but is not a folder.
    """
    vocabulary = Vocabulary.builtin()
    if taxonomy_dir is None:
        return vocabulary
    taxonomy_dir = Path(taxonomy_dir)
    if not taxonomy_dir.is_dir():
        raise FileNotFoundError(f"taxonomy folder not found: {taxonomy_dir}")
    for esco in sorted(taxonomy_dir.rglob(ESCO_SKILLS_FILE)):
        vocabulary = vocabulary.merge(load_esco_skills(esco))
    for onet in sorted(taxonomy_dir.rglob(ONET_TECHNOLOGY_FILE)):
        vocabulary = vocabulary.merge(load_onet_technology_skills(onet))
    return vocabulary


@functools.lru_cache(maxsize=4)
def skill_matcher(taxonomy_dir: str | None = None) -> SkillMatcher:
    """The skill matcher of the built-in vocabulary extended by ``taxonomy_dir``
    (:func:`build_vocabulary`), built once per process: every ranker of a notebook or a served
    deployment shares it, and so do the features' readers of the built-in vocabulary (it is
    read-only once built)."""
    return SkillMatcher(build_vocabulary(Path(taxonomy_dir) if taxonomy_dir else None))
