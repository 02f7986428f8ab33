"""Find skills in resumes and postings with a built-in, alias-aware vocabulary.

The vocabulary is a table with one row per skill: a unique canonical name, a category, a list of
aliases and an ``ambiguous`` flag (``src/matcher/data/skills.csv`` ships ~2,300 hand-written
skills; :mod:`matcher.parsing.taxonomy` adds ESCO and O*NET on request). :class:`SkillMatcher` finds
every alias in a text with one pass over its tokens and a dictionary of token n-grams, so the cost
does not grow with the size of the vocabulary.

Tokens and keys
    A token is a run of letters and digits that may hold inner ``.`` or ``'`` (``Node.js``,
    ``ASP.NET``, ``driver's``), may start with a ``.`` when nothing alphanumeric precedes it
    (``.NET``) and may end in ``+`` or ``#`` (``C++``, ``C#``, ``A+``); ``/`` and ``&`` are
    tokens of their own so ``CI/CD``, ``PL/SQL`` and ``R&D`` match as written. Other
    punctuation, hyphens included, separates tokens, so ``front-end`` and ``front end`` are the
    same key. A key is the lower-cased token with one plural ending removed (``-ies`` becomes
    ``-y``; a final ``s`` goes, but not from ``-ss``, ``-us``, ``-is``, ``-as``, words under four
    letters or capitalised acronyms such as ``CMMS``), so ``pivot tables`` finds ``pivot
    table`` and ``APIs`` finds ``API``. Where aliases overlap the longest one wins (``Spring
    Boot`` over ``Spring``, ``T-SQL`` over ``SQL``); ``Java`` is never found inside
    ``JavaScript`` because that is one token. A name of several tokens is not read across a comma,
    a bracket, a line break or a sentence end unless it is written with one, so ``Research,
    design`` is not ``Research Design``.

Case
    Aliases match in any case, except that (1) an alias token written in capitals with two to
    four letters (an acronym: ``SQL``, ``RN``, ``PALS``, ``SAP``, ``DOT``) only matches capitals,
    optionally with a plural ``s``, so the words *pals*, *sap* and *dot* are not skills; and (2) a
    *bare form* (below) must appear exactly as written in the vocabulary, or capitalised if it is
    written in lower case, or in capitals on a line that has no lower-case letters.

Ambiguity
    A row with ``ambiguous=true`` names a skill that is also an ordinary word, a name or a
    letter (``C``, ``R``, ``Go``, ``Excel``, ``Spring``, ``Swift``, ``Access``...). Its *bare
    forms* are its one-token names that are words of the canonical name (``Go``; ``Word`` for
    ``Microsoft Word``); its other aliases (``Golang``, ``MS Word``, ``R programming``) are
    specific and match anywhere. A bare form only counts where the text shows it is meant as a
    skill:

    1. *Cue before*: a proficiency or activity phrase right before it (``proficient in``,
       ``experience with``, ``knowledge of``, ``written in``, ``modelling in``, ``services in``,
       ``using``, ``advanced``...), or ``in`` before a name of two letters or more that ends
       its clause (``productions in Relativity.``, ``tickets in Zendesk and Five9``; not ``in
       Spring 2021``).
    2. *Cue after*: a technical head noun right after it (``programming``, ``developer``,
       ``code``, ``packages``, ``spreadsheets``, ``build``...). Softer nouns (``skills``,
       ``experience``, ``projects``, ``team``...) only count away from the start of a sentence,
       where a capital letter says nothing ("Less experience is required").
    3. *List*: the mention is a whole list item -- delimiters (``, ; / | ( ) &``, ``and``/``or``,
       a leading preposition, a bullet or the line edge) on both sides, a version number allowed
       -- and either the list follows a skills label (``Languages: C, Go``) or sits under a
       skills heading (``Technical Skills``), or the same list holds another accepted skill
       (``Python, Go``; ``Go (Golang)``), or three or more skills, or two that are both
       technologies or share a category (``Slack and Zoom``).

    So ``Excel at teamwork``, ``go to market``, ``Vitamin C``, ``C-suite``, ``in Spring 2021``,
    ``Swift delivery`` and ``Ruby Smith`` give nothing, while ``Languages: C, C++, Go, R``,
    ``statistical modelling in R`` and ``Word, Excel and PowerPoint`` give every skill. The
    rules favour precision: a bare name in free prose without any of these cues is missed.

Example:
    >>> matcher = SkillMatcher()
    >>> sorted(matcher.skills("Built services in Go (Golang) on k8s; advanced MS Excel."))
    ['Excel', 'Go', 'Kubernetes']
"""

from __future__ import annotations

import bisect
import logging
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib.resources import files
from typing import Any, Final, NamedTuple

import pandas as pd

from matcher.text.sections import heading_name
from matcher.text.sentences import sentence_spans
from matcher.text.stemming import singular
from matcher.text.word_lists import word_list

logger = logging.getLogger(__name__)

#: Columns of :attr:`Vocabulary.frame`.
VOCABULARY_COLUMNS: Final = ("skill", "category", "aliases", "ambiguous", "source")
#: Separator of aliases in the vocabulary CSV.
ALIAS_SEPARATOR: Final = "|"
#: ``source`` of the rows of the built-in vocabulary.
BUILTIN_SOURCE: Final = "builtin"

_ALNUM = r"[^\W_]"
# A credential's name or alias: "Electrician License", "Certified Public Accountant".
_CREDENTIAL_WORDS = re.compile(r"licen[cs]|certif|credential|registered", re.IGNORECASE)
_TOKEN_RE = re.compile(
    rf"(?<!{_ALNUM})\.?{_ALNUM}+(?:[.'’]{_ALNUM}+)*[+#]*"  # words, C++, C#, .NET, Node.js
    r"|[/&]"  # CI/CD, PL/SQL, R&D
)
_ACRONYM_RE = re.compile(r"[A-Z0-9]*[A-Z][A-Z0-9]*")

# Proficiency and activity phrases that announce a skill right after them.
_BEFORE_CUE_RE = re.compile(
    r"(?:\b(?:proficient|proficiency|experience|experienced|expertise|expert|skilled|skills?"
    r"|fluent|fluency|knowledge|familiar|familiarity|competent|competence|competency|background"
    r"|written|coded|programmed|programming|developed|development|developing|implemented"
    r"|built|code|coding|scripting|scripts|modell?ing|analysis|analyses|services|microservices"
    r"|apps|applications|software|systems|programs|solutions|tools|pipelines|models|reports"
    r"|websites|games|backends?|apis|servers|libraries|certified|certification|trained"
    r"|training|mastery|command)"
    r"\s+(?:in|with|of|on|using)"
    r"|\b(?:using|used|use|uses|advanced|intermediate|basic|hands-on|strong|solid))\s+$",
    re.IGNORECASE,
)
# "productions in Relativity.", "worked cases in Zendesk and Five9": a capitalised name right
# after "in" that ends the clause names a tool, where "in Spring 2021" names a season.
_IN_BEFORE_RE = re.compile(r"\bin\s+$", re.IGNORECASE)
_CLAUSE_END_RE = re.compile(r"\s*(?:[.,;:!?)]|$|(?:and|or)\b)", re.IGNORECASE)


def _ends_clause(text: str, end: int, line_end: int) -> bool:
    """Whether the clause ends at ``end``: a stop, a comma, "and"/"or", or the line's end
    where the next line does not carry the sentence on ("charting in Epic\nevery shift")."""
    found = _CLAUSE_END_RE.match(text, end, line_end)
    if found is None:
        return False
    if found.end() < line_end or text[end:line_end].strip():
        return True
    after = text[line_end + 1 : line_end + 2]
    return not (after.isalpha() and after.islower())


# The patterns read before a mention end in "$" and run with ``search(text, pos, offset)`` over
# the few tokens before it; those read after it run with ``match(text, offset, line_end)``. No
# line is sliced or scanned once per mention (see ``SkillMatcher._resolve_bare``).

# Technical head nouns that mark the word before them as a skill ("Go services", "R packages").
_AFTER_CUE_RE = re.compile(
    r"\s*(?:v?\d[\w.+]*\s+)?(?:programming|programmers?|languages?|lang|developers?|development"
    r"|engineers?|code|coding|codebases?|scripts?|scripting|packages?|library|libraries"
    r"|frameworks?|compilers?|runtime|modules?|microservices?|services?|apis?|sdks?|apps?"
    r"|applications?|stack|ecosystem|spreadsheets?|formulas?|macros?|pivot|workbooks?|vba"
    r"|queries|dashboards?|cookbooks?|manifests?|playbooks?|pipelines?|builds?|jobs?|servers?"
    r"|clusters?|charts?|components?|hooks?|methodolog(?:y|ies)|principles|ceremonies|sprints?"
    r"|toolkit|plugins?|extensions?|gems?|crates?|goroutines|notebooks?|makefiles?|targets?|cli"
    r"|ide|syntax|certified|certification|administration|admin|configuration|deployments?)\b",
    re.IGNORECASE,
)
# Nouns that follow a skill mid-sentence ("Excel skills") but also follow a capitalised
# first word ("Less experience is required"), so they only count away from a sentence start.
_WEAK_AFTER_CUE_RE = re.compile(
    r"\s*(?:v?\d[\w.+]*\s+)?(?:skills?|experience|proficiency|expertise|knowledge|projects?"
    r"|environments?|teams?|practices|tools?|software|platform|version|documents?|templates?"
    r"|reports?|models?|databases?|implementation|integration|automation|support|engineering"
    r"|abilities|work|modell?ing|analysis)\b",
    re.IGNORECASE,
)
# A whole list item: delimiters (or a bullet, or the line edge) on both sides.
_ITEM_LEFT_RE = re.compile(
    r"(?:^\s*(?:[-*•·–]\s*)?|[,;:|/(\[{•·&]\s*"
    r"|\b(?:and|or|plus|in|with|on|of|via|for|like|using|including|such as|e\.g\.?|i\.e\.?)\s+)$",
    re.IGNORECASE | re.MULTILINE,
)
_ITEM_RIGHT_RE = re.compile(
    r"(?:\s*v?\d[\w.+]*)?\s*(?:$|[,;|/)\]}&(]|\.(?:\s|$)"
    r"|\b(?:and|or|for|with|in|on|from|via|using|under)\b"
    # "Hibernate to build ..." lists a tool; "Access to a reliable car" does not.
    r"|\bto\b(?!\s+(?:a|an|the|our|your|their|his|her|its|this|that|all|any|some)\b))",
    re.IGNORECASE,
)
# What may separate two items of one list. The possessive ``*+`` keeps a long number followed
# by other text ("1111111111111111111111!") from backtracking exponentially.
_LIST_GAP_RE = re.compile(r"^(?:\s|[,;|/&()\[\]]|\b(?:and|or)\b|v?\d[\w.+]*+)*$", re.IGNORECASE)
_SKILL_LABEL_WORDS = (
    r"skills?|languages?|technolog(?:y|ies)|tech|tools?|tooling|toolsets?|stack|frameworks?"
    r"|librar(?:y|ies)|software|platforms?|programming|technical|proficienc(?:y|ies)"
    r"|competenc(?:y|ies)|expertise|environments?|databases?|certifications?|applications"
    r"|qualifications|strengths|abilities|knowledge"
)
# "Languages: C, Go" -- a short label and a colon before the list.
_LABEL_RE = re.compile(
    rf"^\s*[-*•#]*\s*(?:[\w&/+-]+\s+){{0,4}}?(?:{_SKILL_LABEL_WORDS})\b[^:\n]{{0,30}}:",
    re.IGNORECASE,
)
_SKILL_SECTION_RE = re.compile(rf"\b(?:{_SKILL_LABEL_WORDS})\b", re.IGNORECASE)
# The first word of a line or sentence is capitalised for grammar, not because it is a name.
_SENTENCE_START_RE = re.compile(r"(?:^\s*(?:[-*•·–]|\d+[.)])?\s*|[.!?]\s+)$", re.MULTILINE)
# Categories whose skills are all technologies: two ambiguous names from this group listed
# together ("Dart and Flutter", "Notion and Asana") are read as a list of tools.
_TECHNOLOGY_CATEGORIES: Final = frozenset(
    {
        "programming_language",
        "web",
        "mobile",
        "software_engineering",
        "database",
        "data",
        "machine_learning",
        "cloud",
        "devops",
        "systems",
        "networking",
        "security",
        "office_software",
    }
)
_URL_RE = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
# Punctuation a name of several words is not read across unless it is written with it.
_SPAN_BREAK_RE = re.compile(r"[,;:()\[\]{}|\n]|[.!?](?:\s|$)")
_BULLET_RE = re.compile(r"^\s*(?:[-*•·–]|\d+[.)])\s+")
# Tokens before a mention that the cue patterns may need: the longest cue has two.
_CUE_TOKENS: Final = 3
_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f", ""})


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Split a text into matcher tokens.

    Args:
        text: Any text.

    Returns:
        ``(token, start, end)`` triples with character offsets into ``text``.

    Example:
        >>> [t for t, _, _ in tokenize("C++, C#, .NET and Node.js; CI/CD")]
        ['C++', 'C#', '.NET', 'and', 'Node.js', 'CI', '/', 'CD']
    """
    return [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


@lru_cache(maxsize=1 << 16)
def _token_key(token: str) -> str:
    key = token.lower().replace("’", "'")
    if key.endswith("as") or (token.isupper() and len(token) <= 4):
        return key  # SaaS, Pandas; CMMS, SSRS, FTPS are not plurals
    return singular(key)


@lru_cache(maxsize=1 << 18)
def skill_key(name: str) -> tuple[str, ...]:
    """Return the lookup key of a skill name or alias: its normalised tokens.

    Two names with the same key are the same alias to the matcher.

    Args:
        name: A skill name or alias.

    Returns:
        The tuple of token keys (lower case, one plural ``s`` removed).

    Example:
        >>> skill_key("Pivot Tables") == skill_key("pivot-table")
        True
    """
    return tuple(map(_token_key, _TOKEN_RE.findall(name)))


def soft_skill(name: str) -> bool:
    """Whether a skill, by its vocabulary name, is a soft skill a resume rarely states: a
    personal quality or a physical demand of the work (the ``soft_skill`` word list).

    A posting asks for "strong communication skills", "attention to detail" or "ability to
    lift 50 lbs" of everyone; few resumes write them, and a recruiter judges them in the
    interview. The explanations list them apart (``soft_skills_to_check``), and a missing one
    does not cap the fit band. Not every skill of the vocabulary's ``soft_skill`` category is
    one: a driver's licence, systems analysis or negotiation is shown by the resume.

    Example:
        >>> soft_skill("Communication Skills"), soft_skill("Driver's License")
        (True, False)
    """
    return name.lower() in word_list("soft_skill")


def _acronym(token: str) -> str | None:
    """The capitals of an acronym token (``SQL``; ``API`` for ``APIs``), else ``None``."""
    caps = token[:-1] if token.endswith("s") else token
    if len(caps) < 2 or _ACRONYM_RE.fullmatch(caps) is None:
        return None
    return caps if 2 <= sum(ch.isalpha() for ch in caps) <= 4 else None


@dataclass(frozen=True, slots=True)
class SkillMention:
    """One occurrence of a skill in a text.

    Attributes:
        skill: Canonical skill name.
        category: Category of the skill.
        surface: The text as it appeared.
        start: Offset of the first character of ``surface`` in the text given.
        end: Offset just past the last character of ``surface``.
        sentence: The sentence or bullet line the mention appears in (bullet marker removed).
    """

    skill: str
    category: str
    surface: str
    start: int
    end: int
    sentence: str

    def __getstate__(self) -> tuple[str, str, str, int, int, str]:
        return (self.skill, self.category, self.surface, self.start, self.end, self.sentence)

    def __setstate__(self, state: tuple[str, str, str, int, int, str] | dict[str, Any]) -> None:
        """An unpickled mention (from the score cache, from a Dask worker) with its skill,
        category and surface interned: the vocabulary's few thousand strings recur in every
        profile, and a warm run holds every resume's profile (about a fifth of a profile's
        memory was these copies)."""
        if isinstance(state, dict):  # pickled before the class had slots
            state = tuple(
                state[name] for name in ("skill", "category", "surface", "start", "end", "sentence")
            )
        skill, category, surface, start, end, sentence = state
        for name, value in (
            ("skill", sys.intern(skill)),
            ("category", sys.intern(category)),
            ("surface", sys.intern(surface)),
            ("start", start),
            ("end", end),
            ("sentence", sentence),
        ):
            object.__setattr__(self, name, value)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def _parse_aliases(value: Any, skill: str) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, str):
        items: Iterable[Any] = value.split(ALIAS_SEPARATOR)
    elif isinstance(value, Iterable):
        items = value
    else:
        raise ValueError(f"skill {skill!r}: aliases must be a list or a '|'-separated string")
    aliases: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"skill {skill!r}: alias {item!r} is not a string")
        alias = item.strip()
        if alias and alias not in aliases and alias != skill:
            aliases.append(alias)
    return aliases


def _parse_flag(value: Any, skill: str) -> bool:
    if isinstance(value, bool):
        return value
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return False
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"skill {skill!r}: ambiguous must be true or false, got {value!r}")


def bare_forms(skill: str, aliases: Sequence[str]) -> list[str]:
    """Return the forms of an ambiguous skill that need context to count.

    These are its one-token names (canonical or alias) that are words of the canonical name.

    Args:
        skill: Canonical name.
        aliases: Its aliases.

    Returns:
        The bare forms, canonical name first when it is one.

    Example:
        >>> bare_forms("Microsoft Word", ["MS Word", "Word"])
        ['Word']
    """
    words = set(skill_key(skill))
    return [
        form
        for form in (skill, *aliases)
        if len(skill_key(form)) == 1 and skill_key(form)[0] in words
    ]


class Vocabulary:
    """A validated table of skills: unique names, aliases that map to one skill only.

    Attributes:
        frame: One row per skill with the columns of :data:`VOCABULARY_COLUMNS`; ``aliases``
            holds lists of strings and ``ambiguous`` booleans.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        """Wrap an already validated frame; use :meth:`from_frame` for outside data."""
        self.frame = frame

    @classmethod
    def builtin(cls) -> Vocabulary:
        """Load the vocabulary shipped with matcher (``matcher/data/skills.csv``).

        Returns:
            The built-in vocabulary, ``source`` ``"builtin"``.
        """
        resource = files("matcher").joinpath("data", "skills.csv")
        with resource.open("r", encoding="utf-8") as handle:
            frame = pd.read_csv(handle, dtype=str, keep_default_na=False)
        frame["source"] = BUILTIN_SOURCE
        return cls.from_frame(frame)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Vocabulary:
        """Validate a skills table and build a vocabulary from it.

        Args:
            frame: Columns ``skill`` and ``category`` are required; ``aliases`` (a list or a
                ``|``-separated string), ``ambiguous`` (bool or ``true``/``false``) and
                ``source`` are optional.

        Returns:
            The vocabulary.

        Raises:
            ValueError: If a column is missing, a name is empty, two skills share a canonical
                name, an alias (after normalisation) belongs to two skills, a flag is not a
                boolean, or an ambiguous skill has no one-word form to guard.
        """
        missing = [column for column in ("skill", "category") if column not in frame.columns]
        if missing:
            raise ValueError(f"vocabulary frame lacks column(s) {missing}")
        records: list[dict[str, Any]] = []
        owner: dict[tuple[str, ...], str] = {}
        size = len(frame)

        def column(name: str) -> list[Any]:
            return frame[name].tolist() if name in frame.columns else [None] * size

        rows = zip(
            column("skill"),
            column("category"),
            column("aliases"),
            column("ambiguous"),
            column("source"),
            strict=True,
        )
        for position, (raw_skill, raw_category, raw_aliases, raw_flag, raw_source) in enumerate(
            rows
        ):
            skill = _text(raw_skill)
            if not skill or not skill_key(skill):
                raise ValueError(f"vocabulary row {position}: empty or unusable skill name")
            category = _text(raw_category)
            if not category:
                raise ValueError(f"skill {skill!r}: empty category")
            aliases = _parse_aliases(raw_aliases, skill)
            ambiguous = _parse_flag(raw_flag, skill)
            source = _text(raw_source) or "custom"
            for form in (skill, *aliases):
                key = skill_key(form)
                if not key:
                    raise ValueError(f"skill {skill!r}: alias {form!r} has no letters or digits")
                other = owner.setdefault(key, skill)
                if other != skill:
                    what = "name" if form == skill else f"alias {form!r}"
                    raise ValueError(
                        f"skill {skill!r}: {what} is already a name or alias of {other!r}"
                    )
            if ambiguous and not bare_forms(skill, aliases):
                raise ValueError(
                    f"skill {skill!r} is marked ambiguous but has no one-word form to guard"
                )
            records.append(
                {
                    "skill": skill,
                    "category": category,
                    "aliases": aliases,
                    "ambiguous": ambiguous,
                    "source": source,
                }
            )
        result = pd.DataFrame.from_records(records, columns=list(VOCABULARY_COLUMNS))
        result["ambiguous"] = result["ambiguous"].astype(bool)
        return cls(result)

    def merge(self, other: Vocabulary) -> Vocabulary:
        """Add the skills of another vocabulary; this one wins every conflict.

        A skill of ``other`` whose name is already a name or alias here is left out, and so is
        each alias of ``other`` that is already taken here. Both are logged with their counts.

        Args:
            other: The vocabulary to add (e.g. from
                :func:`matcher.parsing.taxonomy.load_esco_skills`).

        Returns:
            A new vocabulary; neither input changes.
        """
        taken: set[tuple[str, ...]] = set()
        for skill, aliases in zip(self.frame["skill"], self.frame["aliases"], strict=True):
            taken.update(skill_key(form) for form in (skill, *aliases))
        rows: list[dict[str, Any]] = []
        dropped_skills = dropped_aliases = 0
        for row in other.frame.to_dict("records"):
            if skill_key(row["skill"]) in taken:
                dropped_skills += 1
                continue
            aliases = [alias for alias in row["aliases"] if skill_key(alias) not in taken]
            dropped_aliases += len(row["aliases"]) - len(aliases)
            if row["ambiguous"] and not bare_forms(row["skill"], aliases):
                dropped_skills += 1
                continue
            rows.append({**row, "aliases": aliases})
        if dropped_skills or dropped_aliases:
            logger.info(
                "merge kept %d of %d skills: %d already known, %d aliases already taken",
                len(rows),
                len(other),
                dropped_skills,
                dropped_aliases,
            )
        frame = pd.concat(
            [self.frame, pd.DataFrame.from_records(rows, columns=list(VOCABULARY_COLUMNS))],
            ignore_index=True,
        )
        return Vocabulary.from_frame(frame)

    def __len__(self) -> int:
        """Return the number of skills."""
        return len(self.frame)

    def __repr__(self) -> str:
        sources = ", ".join(f"{k}={v}" for k, v in self.frame["source"].value_counts().items())
        return f"Vocabulary({len(self)} skills: {sources})"


class _Form(NamedTuple):
    skill: int  # row of the vocabulary
    text: str  # the form as written in the vocabulary
    bare: bool  # needs context to count
    acronyms: tuple[tuple[int, str], ...]  # token positions that must be in capitals


@dataclass
class _Candidate:
    first: int  # token index
    last: int
    form: _Form
    accepted: bool = False


class SkillMatcher:
    """Find the skills of a vocabulary in texts.

    Example:
        >>> matcher = SkillMatcher()
        >>> [m.skill for m in matcher.find("Skills: Python, Postgres, k8s")]
        ['Python', 'PostgreSQL', 'Kubernetes']
    """

    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        """Compile the token n-gram dictionary of a vocabulary.

        Args:
            vocabulary: The skills to look for; the built-in vocabulary if ``None``.
        """
        self.vocabulary = vocabulary if vocabulary is not None else Vocabulary.builtin()
        frame = self.vocabulary.frame
        self._skills: list[str] = frame["skill"].tolist()
        self._categories: list[str] = frame["category"].tolist()
        self._forms: dict[tuple[str, ...], list[_Form]] = {}
        self._prefixes: set[tuple[str, ...]] = set()
        rows = zip(self._skills, frame["aliases"], frame["ambiguous"], strict=True)
        for index, (skill, aliases, ambiguous) in enumerate(rows):
            bare = set(bare_forms(skill, aliases)) if ambiguous else set()
            for text in (skill, *aliases):
                key = skill_key(text)
                acronyms: tuple[tuple[int, str], ...] = ()
                if text != text.lower():
                    tokens = _TOKEN_RE.findall(text)
                    acronyms = tuple(
                        (i, caps)
                        for i, token in enumerate(tokens)
                        if (caps := _acronym(token)) is not None
                    )
                self._forms.setdefault(key, []).append(_Form(index, text, text in bare, acronyms))
                for end in range(1, len(key)):
                    self._prefixes.add(key[:end])

    @cached_property
    def credentials(self) -> frozenset[str]:
        """The skills that are credentials one holds: a licence, a certification, a
        registration in their name or an alias ("CPA": "Certified Public Accountant").

        Example:
            >>> sorted({"CPA", "Registered Nurse", "Python"} & SkillMatcher().credentials)
            ['CPA', 'Registered Nurse']
        """
        frame = self.vocabulary.frame
        return frozenset(
            skill
            for skill, aliases in zip(frame["skill"], frame["aliases"], strict=True)
            if any(_CREDENTIAL_WORDS.search(text) for text in (skill, *aliases))
        )

    def find(self, text: str, skill_list: bool = False) -> list[SkillMention]:
        """Find every skill mention in a text.

        Args:
            text: A resume, posting or any other text.
            skill_list: The text is known to list skills (a posting's requirement bullets),
                as if it stood under a skills heading.

        Returns:
            The mentions in order of appearance (a skill named twice appears twice).
        """
        if not text:
            return []
        # A link names no skill ("https://..." is not HTTP); blanked so offsets stay the same.
        tokens = tokenize(_URL_RE.sub(lambda url: " " * len(url.group()), text))
        context = _Context(text, skill_list)
        candidates = self._candidates(tokens, context)
        if any(c.form.bare for c in candidates):
            self._resolve_bare(candidates, tokens, context)
        mentions = []
        for candidate in candidates:
            if not candidate.accepted:
                continue
            start, end = tokens[candidate.first][1], tokens[candidate.last][2]
            index = candidate.form.skill
            mentions.append(
                SkillMention(
                    skill=self._skills[index],
                    category=self._categories[index],
                    surface=text[start:end],
                    start=start,
                    end=end,
                    sentence=context.sentence(start, end),
                )
            )
        return mentions

    def skills(self, text: str) -> set[str]:
        """Return the canonical names of the skills found in a text.

        Args:
            text: Any text.

        Returns:
            The set of canonical skill names.
        """
        return {mention.skill for mention in self.find(text)}

    def _candidates(
        self, tokens: list[tuple[str, int, int]], context: _Context
    ) -> list[_Candidate]:
        keys = [_token_key(token) for token, _, _ in tokens]
        forms, prefixes = self._forms, self._prefixes
        found: list[_Candidate] = []
        i, n = 0, len(tokens)
        while i < n:
            ends: list[int] = []
            key: tuple[str, ...] = ()
            j = i
            while j < n:
                key = (*key, keys[j])
                if key in forms:
                    ends.append(j)
                if key not in prefixes:
                    break
                j += 1
            match = None
            for last in reversed(ends):  # longest first
                form = self._pick(forms[tuple(keys[i : last + 1])], tokens, i, last, context)
                if form is not None:
                    match = _Candidate(i, last, form, accepted=not form.bare)
                    break
            if match is None:
                i += 1
            else:
                found.append(match)
                i = match.last + 1
        return found

    @staticmethod
    def _pick(
        options: list[_Form],
        tokens: list[tuple[str, int, int]],
        first: int,
        last: int,
        context: _Context,
    ) -> _Form | None:
        broken = last > first and any(
            _SPAN_BREAK_RE.search(context.text[tokens[k][2] : tokens[k + 1][1]])
            for k in range(first, last)
        )
        for form in options:
            if broken and not _SPAN_BREAK_RE.search(form.text):
                continue  # "Research, design" is not "Research Design"; "teams.\n- Lead"
            if form.bare:
                surface = tokens[first][0]
                if not (
                    surface == form.text
                    or (form.text.islower() and surface == form.text.capitalize())
                    or (surface == form.text.upper() and context.line_is_upper(tokens[first][1]))
                ):
                    continue
            ok = True
            for offset, acronym in form.acronyms:
                surface = tokens[first + offset][0]
                if surface != acronym and surface != acronym + "s":
                    ok = False
                    break
            if ok:
                return form
        return None

    def _resolve_bare(
        self,
        candidates: list[_Candidate],
        tokens: list[tuple[str, int, int]],
        context: _Context,
    ) -> None:
        text = context.text
        spans = [(tokens[c.first][1], tokens[c.last][2]) for c in candidates]
        # Chains: neighbouring candidates on one line separated only by list delimiters.
        chain_of = list(range(len(candidates)))
        for k in range(1, len(candidates)):
            gap = text[spans[k - 1][1] : spans[k][0]]
            if "\n" not in gap and _LIST_GAP_RE.match(gap):
                chain_of[k] = chain_of[k - 1]
        chains: dict[int, list[int]] = {}
        for k, chain in enumerate(chain_of):
            chains.setdefault(chain, []).append(k)
        item = {}
        for k, candidate in enumerate(candidates):
            if not candidate.form.bare:
                continue
            start, end = spans[k]  # a bare form is one token, so both ends are on one line
            _, line_start, line_end = context.line(start)
            # A cue before a mention spans at most two tokens ("experience with", "such as"),
            # so its search starts after the third token back rather than at the line start.
            back = candidate.first - _CUE_TOKENS
            pos = max(line_start, tokens[back][2]) if back >= 0 else line_start
            item[k] = bool(
                _ITEM_LEFT_RE.search(text, pos, start) and _ITEM_RIGHT_RE.match(text, end, line_end)
            )
            sentence_start = _SENTENCE_START_RE.search(text, pos, start) is not None
            cued = bool(
                _BEFORE_CUE_RE.search(text, pos, start)
                or _AFTER_CUE_RE.match(text, end, line_end)
                or (not sentence_start and _WEAK_AFTER_CUE_RE.match(text, end, line_end))
                or (
                    end - start > 1  # "in C major", "in R&D": no tool
                    and _IN_BEFORE_RE.search(text, pos, start)
                    and _ends_clause(text, end, line_end)
                )
            )
            labelled = item[k] and (context.label_before(start) or context.in_skills_section(start))
            candidate.accepted = cued or labelled
        for members in chains.values():
            if len(members) < 2:
                continue
            categories = {
                _category_group(self._categories[candidates[k].form.skill]) for k in members
            }
            supported = (
                len(members) >= 3
                or len(categories) == 1
                or any(candidates[k].accepted for k in members)
            )
            if supported:
                for k in members:
                    if item.get(k):
                        candidates[k].accepted = True


def _category_group(category: str) -> str:
    return "technology" if category in _TECHNOLOGY_CATEGORIES else category


class _Context:
    """Lines, sections and sentences of one text, each computed once per line on demand.

    Every query costs a binary search over the line starts plus work on its own line at most
    once, so finding the skills of a text stays linear in its length even when it is one long
    line (scraped resumes and postings often are).
    """

    def __init__(self, text: str, skill_list: bool = False) -> None:
        self.text = text
        self.skill_list = skill_list
        self._line_starts: list[int] | None = None
        self._upper: dict[int, bool] = {}
        self._label_ends: dict[int, int | None] = {}
        self._skill_sections: list[bool] | None = None
        self._pieces: dict[int, tuple[list[int], list[int]]] = {}
        self._sentences: dict[tuple[int, int], str] = {}

    def _starts(self) -> list[int]:
        if self._line_starts is None:
            self._line_starts = [0, *(m.end() for m in re.finditer(r"\n", self.text))]
        return self._line_starts

    def line(self, offset: int) -> tuple[int, int, int]:
        """``(index, start, end)`` of the line holding ``offset``; ``end`` is before its ``\\n``."""
        starts = self._starts()
        index = bisect.bisect_right(starts, offset) - 1
        end = starts[index + 1] - 1 if index + 1 < len(starts) else len(self.text)
        return index, starts[index], end

    def _line_text(self, index: int) -> str:
        starts = self._starts()
        end = starts[index + 1] - 1 if index + 1 < len(starts) else len(self.text)
        return self.text[starts[index] : end]

    def line_is_upper(self, offset: int) -> bool:
        index, _, _ = self.line(offset)
        if index not in self._upper:
            self._upper[index] = not any(ch.islower() for ch in self._line_text(index))
        return self._upper[index]

    def label_before(self, offset: int) -> bool:
        """Whether a skills label ("Languages:") opens the line before ``offset``."""
        index, start, _ = self.line(offset)
        if index not in self._label_ends:
            # Nothing in the label before its colon can be a colon, so every match of the line
            # ends at its first colon, and the text before ``offset`` holds a label exactly
            # when the line's label ends before ``offset``.
            match = _LABEL_RE.match(self._line_text(index))
            self._label_ends[index] = None if match is None else start + match.end()
        end = self._label_ends[index]
        return end is not None and end <= offset

    def in_skills_section(self, offset: int) -> bool:
        if self.skill_list:
            return True
        index, _, _ = self.line(offset)
        if self._skill_sections is None:
            self._skill_sections = self._find_sections()
        return self._skill_sections[index]

    def _find_sections(self) -> list[bool]:
        """Per line: whether the nearest heading above it names a skills section (one pass)."""
        flags: list[bool] = []
        current = False
        for index in range(len(self._starts())):
            flags.append(current)
            line = self._line_text(index)
            name = heading_name(line)
            if name is not None:
                current = name == "skills" or bool(_SKILL_SECTION_RE.search(line))
        return flags

    def _line_pieces(
        self, index: int, line_start: int, line_end: int
    ) -> tuple[list[int], list[int]]:
        """Start and end offsets of the sentences of a line, found once per line."""
        if index not in self._pieces:
            spans = sentence_spans(self.text[line_start:line_end])
            self._pieces[index] = (
                [line_start + start for start, _ in spans],
                [line_start + end for _, end in spans],
            )
        return self._pieces[index]

    def sentence(self, start: int, end: int) -> str:
        index, line_start, line_end = self.line(start)
        starts, ends = self._line_pieces(index, line_start, line_end)
        piece = bisect.bisect_right(starts, start) - 1
        if piece >= 0 and start < ends[piece]:
            span = (starts[piece], max(ends[piece], min(end, line_end)))
        else:  # outside every sentence: the whole line
            span = (line_start, line_end)
        if span not in self._sentences:
            self._sentences[span] = _BULLET_RE.sub("", self.text[span[0] : span[1]]).strip()
        return self._sentences[span]
