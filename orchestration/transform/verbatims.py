"""Themes and tone of survey verbatims, by rules an analyst edits in seeds (no Python).

The seeds (dbt_project/seeds/, documented in docs/voc.md):
- `voc_languages`: per language, the Snowball stemmer (if one exists), whether diacritics are
  folded, how text is split (`words`, or `characters` for Chinese) and the negation window;
- `voc_theme_rules`: per theme and language, patterns with a match kind: `word` (compared after
  stemming, so inflected forms match), `prefix` (a word starting with it: for languages without
  a stemmer, such as Latvian) or `substring` (anywhere in the text: Chinese, which has no spaces);
  several words in a pattern must come in that order, at most MAX_GAP other words apart;
- `voc_tone_words`: per language, words (same match kinds) with a tone, positive or negative;
- `voc_negations`: per language, words that negate what follows within the window.

A theme matched right after a negation ("not helpful", "не помог") is not tagged; a tone word
after a negation counts the other way ("not good" is negative). Text is normalised the same way
as the patterns: Unicode NFKC, case-folded, Russian yo read as ie, diacritics folded where the
language allows it (customers often type Latvian and Lithuanian without them).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect
from collections.abc import Iterable
from dataclasses import dataclass

import snowballstemmer

WORD = re.compile(r"\w+", re.UNICODE)
KINDS = ("word", "prefix", "substring")
MAX_GAP = 2  # other words allowed between two words of a pattern ("bill was wrong")
# a negation reaches no further than its clause: "No problem, sorted quickly" negates "problem" only
CLAUSE_END = re.compile(r"[,.;:!?()\n\u3002\uff0c\uff1b\uff1a\uff01\uff1f\u3001\u0589]")


@dataclass(frozen=True)
class Language:
    code: str
    stemmer: str | None  # a snowballstemmer algorithm, or None
    fold_diacritics: bool
    segmentation: str  # words | characters
    negation_window: int  # words (or characters) before a match that can negate it
    negation_after: int = 0  # words after it that can (Armenian: "քաղաքավարի չէր")


@dataclass(frozen=True)
class Rule:
    label: str  # the theme, or the tone (positive / negative)
    language: str
    kind: str  # word | prefix | substring
    pattern: str

    @property
    def name(self) -> str:
        return f"{self.language} {self.kind} '{self.pattern}'"


@dataclass(frozen=True)
class Match:
    label: str
    rule: Rule
    matched: str  # the words of the text that matched
    negated: bool


@dataclass(frozen=True)
class Token:
    text: str  # normalised
    stem: str
    start: int  # character offsets in the normalised text
    end: int
    clause: int  # which clause of the text (split at punctuation) it is in


YO_AS_IE = {0x0451: 0x0435}  # Russian writers often leave out the dots of yo


def _fold_case(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().translate(YO_AS_IE)


def normalise(text: str, language: Language) -> str:
    text = _fold_case(text)
    if language.fold_diacritics:
        decomposed = unicodedata.normalize("NFD", text)
        text = unicodedata.normalize(
            "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
        )
    return text


_STEMMERS = threading.local()  # a Snowball stemmer keeps state while stemming: one per thread


def _stemmer(algorithm: str):
    stemmers = _STEMMERS.__dict__.setdefault("by_algorithm", {})
    if algorithm not in stemmers:
        stemmers[algorithm] = snowballstemmer.stemmer(algorithm)
    return stemmers[algorithm]


def _stem(word: str, language: Language) -> str:
    """The stem of a (case-folded, not yet diacritic-folded) word, diacritics folded after
    stemming: the stemmers know the accented endings."""
    stem = _stemmer(language.stemmer).stemWord(word) if language.stemmer else word
    return normalise(stem, language)


def tokens(text: str, language: Language) -> list[Token]:
    folded = WORD.findall(_fold_case(text))
    normal = normalise(text, language)
    words = list(WORD.finditer(normal))
    # stem the word as written (the stemmers know the accented endings); folding diacritics
    # keeps the words, so the two lists agree (if not, stem the folded word)
    raw = folded if len(folded) == len(words) else [w.group() for w in words]
    ends = [m.start() for m in CLAUSE_END.finditer(normal)]
    return [
        Token(w.group(), _stem(r, language), w.start(), w.end(), bisect(ends, w.start()))
        for w, r in zip(words, raw, strict=True)
    ]


class Matcher:
    """Rules of one kind of label (themes, or tone) for every language, compiled once."""

    def __init__(
        self,
        languages: Iterable[Language],
        rules: Iterable[Rule],
        negations: Iterable[tuple[str, str]],
    ) -> None:
        self.languages = {lang.code: lang for lang in languages}
        self.rules: dict[str, list[tuple[Rule, tuple[str, ...]]]] = {}
        for rule in rules:
            if rule.kind not in KINDS:
                raise ValueError(f"{rule.name}: match kind must be one of {', '.join(KINDS)}")
            language = self.languages.get(rule.language)
            if language is None:
                raise ValueError(f"{rule.name}: language {rule.language!r} is not in voc_languages")
            self.rules.setdefault(rule.language, []).append((rule, self._compile(rule, language)))
        self.negations: dict[str, set[str]] = {}
        for code, word in negations:
            language = self.languages[code]
            self.negations.setdefault(code, set()).add(normalise(word, language))

    @staticmethod
    def _compile(rule: Rule, language: Language) -> tuple[str, ...]:
        if rule.kind == "substring" or language.segmentation == "characters":
            return (normalise(rule.pattern, language),)
        if rule.kind == "prefix":
            return tuple(normalise(w, language) for w in WORD.findall(rule.pattern))
        return tuple(_stem(w, language) for w in WORD.findall(_fold_case(rule.pattern)))

    def match(self, text: str | None, language_code: str) -> list[Match]:
        """Every rule that matches the text, each once (its first occurrence)."""
        language = self.languages.get(language_code)
        if not text or language is None:
            return []
        if language.segmentation == "characters":
            return self._match_characters(text, language)
        words = tokens(text, language)
        negations = self.negations.get(language.code, set())
        found = []
        for rule, parts in self.rules.get(language.code, []):
            if rule.kind == "substring":
                hit = self._substring(text, language, parts[0], negations)
                if hit:
                    found.append(Match(rule.label, rule, *hit))
                continue
            hit = _find(words, parts, rule.kind)
            if hit is not None:
                first, last = hit
                before = words[max(0, first - language.negation_window) : first]
                after = words[last + 1 : last + 1 + language.negation_after]
                negated = any(
                    w.text in negations for w in before + after if w.clause == words[first].clause
                )
                matched = " ".join(w.text for w in words[first : last + 1])
                found.append(Match(rule.label, rule, matched, negated))
        return found

    def _substring(
        self, text: str, language: Language, pattern: str, negations: set[str]
    ) -> tuple[str, bool] | None:
        normal = normalise(text, language)
        if language.segmentation == "characters":
            normal = re.sub(r"\s+", "", normal)
        at = normal.find(pattern)
        if at < 0:
            return None
        before = CLAUSE_END.split(normal[max(0, at - language.negation_window) : at])[-1]
        if language.segmentation == "words":
            before_words = set(WORD.findall(before))
            negated = bool(before_words & negations)
        else:
            negated = any(n in before for n in negations)
        return pattern, negated

    def _match_characters(self, text: str, language: Language) -> list[Match]:
        negations = self.negations.get(language.code, set())
        found = []
        for rule, parts in self.rules.get(language.code, []):
            hit = self._substring(text, language, parts[0], negations)
            if hit:
                found.append(Match(rule.label, rule, *hit))
        return found


def _find(words: list[Token], parts: tuple[str, ...], kind: str) -> tuple[int, int] | None:
    """The first and last word of the pattern's first occurrence: its words in order, each at
    most MAX_GAP words after the one before."""

    def fits(word: Token, part: str) -> bool:
        return word.stem == part if kind == "word" else word.text.startswith(part)

    for start, word in enumerate(words):
        if not fits(word, parts[0]):
            continue
        at = start
        for part in parts[1:]:
            reach = range(at + 1, min(len(words), at + 2 + MAX_GAP))
            nxt = next((j for j in reach if fits(words[j], part)), None)
            if nxt is None:
                break
            at = nxt
        else:
            return start, at
    return None


def themes(matcher: Matcher, text: str | None, language: str) -> dict[str, Match]:
    """The themes of a verbatim, each with the first rule that tagged it; a negated match
    ("not helpful") tags nothing."""
    tagged: dict[str, Match] = {}
    for match in matcher.match(text, language):
        if not match.negated and match.label not in tagged:
            tagged[match.label] = match
    return tagged


def tone(matcher: Matcher, text: str | None, language: str) -> tuple[str | None, list[Match]]:
    """The tone of a verbatim from its own words: positive words count +1, negative -1, the
    other way after a negation; positive above 0, negative below, neutral at 0 (also with no
    tone word). None without text."""
    if not text or not text.strip():
        return None, []
    matches = matcher.match(text, language)
    score = sum((1 if m.label == "positive" else -1) * (-1 if m.negated else 1) for m in matches)
    return ("positive" if score > 0 else "negative" if score < 0 else "neutral"), matches


def matchers(
    languages: Iterable[dict],
    theme_rules: Iterable[dict],
    tone_words: Iterable[dict],
    negations: Iterable[dict],
) -> tuple[Matcher, Matcher]:
    """The theme matcher and the tone matcher from the rows of the seeds voc_languages,
    voc_theme_rules, voc_tone_words and voc_negations."""
    languages, negations = list(languages), list(negations)
    return (
        _matcher(languages, theme_rules, "theme", negations),
        _matcher(languages, tone_words, "tone", negations),
    )


def _matcher(
    languages: Iterable[dict], rules: Iterable[dict], label: str, negations: Iterable[dict]
) -> Matcher:
    """A matcher of the seed rows `rules`, labelled by their column `label` (theme or tone)."""
    langs = [
        Language(
            code=row["language"],
            stemmer=_text(row.get("stemmer")),
            fold_diacritics=str(row["fold_diacritics"]).lower() == "true",
            segmentation=row["segmentation"],
            negation_window=int(row["negation_window"]),
            negation_after=int(_text(row.get("negation_after")) or 0),
        )
        for row in languages
    ]
    return Matcher(
        langs,
        [Rule(r[label], r["language"], r["match"], r["pattern"]) for r in rules],
        [(row["language"], row["word"]) for row in negations],
    )


def _text(value: object) -> str | None:
    """A seed cell as text, None when empty (csv gives '', pandas NaN)."""
    if value is None or value != value or str(value).strip() == "":
        return None
    return str(value)


THEME_COLUMNS = [
    "response_id",
    "theme",
    "rule_language",
    "rule_match",
    "rule_pattern",
    "matched_text",
]
TONE_COLUMNS = {  # name -> pandas dtype of the tone model's columns
    "response_id": "string",
    "text_tone": "string",
    "positive_words": "Int64",
    "negative_words": "Int64",
    "tone_words": "string",
}


def tag_themes(responses, seeds: dict) -> list[dict]:
    """One row per response x theme (with the rule that tagged it) of (response_id, verbatim,
    language_code) rows, by the seed rows in `seeds` (voc_languages, voc_theme_rules,
    voc_negations)."""
    matcher = _matcher(
        seeds["voc_languages"], seeds["voc_theme_rules"], "theme", seeds["voc_negations"]
    )
    rows = []
    for response_id, text, language in responses:
        for theme, match in themes(matcher, text, language).items():
            values = [
                response_id,
                theme,
                match.rule.language,
                match.rule.kind,
                match.rule.pattern,
                match.matched,
            ]
            rows.append(dict(zip(THEME_COLUMNS, values, strict=True)))
    return rows


def tag_tone(responses, seeds: dict) -> list[dict]:
    """One row per response with text: its tone, by the seed rows in `seeds` (voc_languages,
    voc_tone_words, voc_negations)."""
    matcher = _matcher(
        seeds["voc_languages"], seeds["voc_tone_words"], "tone", seeds["voc_negations"]
    )
    rows = []
    for response_id, text, language in responses:
        label, matches = tone(matcher, text, language)
        if label is None:
            continue
        signs = [(m.label == "positive") != m.negated for m in matches]
        rows.append(
            {
                "response_id": response_id,
                "text_tone": label,
                "positive_words": sum(signs),
                "negative_words": len(signs) - sum(signs),
                "tone_words": "; ".join(("not " if m.negated else "") + m.matched for m in matches),
            }
        )
    return rows
