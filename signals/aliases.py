"""Themes that mean the same thing: a user-edited aliases file, applied to a Corpus, and suggestions.

The file is CSV with two columns, `alias,theme` (a header row with those names is optional; blank
lines and lines starting with `#` are skipped; further columns are ignored, so the output of
`signals themes PATH --suggest --format csv` is itself a valid aliases file):

    alias,theme
    AI,artificial intelligence
    machine-learning,machine learning

Matching is case- and spacing-insensitive (schema.theme_key). Applying the file renames every alias
to its theme in the corpus's themes frame; a document carrying both keeps one row. Chains resolve
(`a -> b`, `b -> c` gives `a -> c`); a cycle is an error. Only themes change: keywords, items and
documents are left as they are, so every theme count, filter, chart and export sees the merged themes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from pathlib import Path

import pandas as pd

from signals import schema
from signals.corpus_type import Corpus

HEADER = ("alias", "theme")
SUGGESTION_COLUMNS = ("alias", "theme", "reason", "alias_documents", "theme_documents", "similarity", "evidence")
REASONS = ("plural", "acronym", "spelling", "shared words", "meaning")
#: Cosine of two theme names' embeddings for a "meaning" suggestion (they must also be each other's
#: nearest theme). With the multilingual model, on the real corpus's themes: "climate crisis" /
#: "climate change" 0.73, "depopulation" / "population decline" 0.80, "psychologie" / "psychology"
#: 0.87, but also neighbours that are not synonyms ("bull market" / "bear market" 0.78, "safety" /
#: "security" 0.88): suggestions, with their evidence, for an analyst to accept or not.
MEANING_SIMILARITY = 0.7
#: Near-identical spellings: rapidfuzz ratio (0-100) at least this.
SPELLING_RATIO = 90
#: Shared-word pairs: the same words in another order, or words that differ only in their ending
#: ("technology" / "technological"): each differing word spelled at least this alike (rapidfuzz ratio).
#: One name's words inside the other's is a narrower form, not a synonym ("technology" / "military
#: technology": the real corpus's themes gave 113 such pairs, which drowned the rest of the list).
STEM_RATIO = 85
#: ... and differing only in their last letters: at most this many of the shorter word's.
STEM_ENDING = 4
_WORD = re.compile(r"[^\W_]+")
_STOP = frozenset({"a", "an", "and", "the", "of", "in", "on", "for", "to", "with", "by", "&"})
#: Prefixes that make a word's opposite or counterpart. Names that differ by one are spelled and
#: embedded alike ("structured data" / "unstructured data": ratio 94, cosine 0.88) and are not synonyms.
_OPPOSING_PREFIXES = ("un", "non", "anti", "dis", "in", "im", "ir", "il", "de", "re", "mis", "counter", "pre", "post",
                      "micro", "macro", "over", "under", "inter", "intra", "sub", "super", "hyper", "hypo",
                      "mono", "multi", "ex", "up", "down",
                      "dé", "dés", "mé", "més", "mal", "contre", "sur", "sous")  # French: "déséquilibre"
#: Words that name opposites or counterparts, which embeddings put close together ("bull market" /
#: "bear market": cosine 0.78, each the other's nearest theme on the real corpus).
_OPPOSITES = frozenset(frozenset(pair) for pair in (
    ("bull", "bear"), ("public", "private"), ("rural", "urban"), ("supply", "demand"), ("import", "export"),
    ("imports", "exports"), ("online", "offline"), ("rise", "fall"), ("increase", "decrease"),
    ("growth", "decline"), ("surplus", "deficit"), ("fusion", "fission"), ("input", "output"),
    ("male", "female"), ("men", "women"), ("buyer", "seller"), ("buyers", "sellers"), ("employer", "employee"),
    ("employers", "employees"), ("minimum", "maximum"), ("high", "low"), ("rich", "poor"), ("old", "young"),
    ("north", "south"), ("east", "west"), ("left", "right"), ("war", "peace"), ("success", "failure"),
))


class AliasError(ValueError):
    """An aliases file that cannot be used: says which line and why."""


def parse_aliases(text: str) -> dict[str, str]:
    """CSV text -> {alias key: theme spelling} (module docstring), chains resolved.

    Raises AliasError (with the line number) for a row without both columns or a cycle.
    """
    pairs: dict[str, tuple[str, int]] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in row]
        if number == 1 and tuple(c.casefold() for c in cells[:2]) == HEADER:
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise AliasError(f"line {number}: expected `alias,theme`, got {','.join(row)!r}")
        alias, theme = schema.theme_key(cells[0]), cells[1]
        if alias == schema.theme_key(theme):
            continue
        pairs[alias] = (theme, number)
    resolved: dict[str, str] = {}
    for alias, (theme, number) in pairs.items():
        seen = [alias]
        while schema.theme_key(theme) in pairs:
            key = schema.theme_key(theme)
            if key in seen:
                raise AliasError(f"line {number}: aliases loop back to {alias!r} ({' -> '.join(seen + [key])})")
            seen.append(key)
            theme, number = pairs[key]
        resolved[alias] = theme
    return resolved


def read_aliases(path: str | os.PathLike) -> dict[str, str]:
    """An aliases CSV file -> {alias key: theme spelling} (see parse_aliases)."""
    return parse_aliases(Path(path).read_text(encoding="utf-8-sig"))


def fingerprint(aliases: dict[str, str]) -> str:
    """A short digest of a mapping (a cache key for the aliased corpus)."""
    digest = hashlib.blake2b(digest_size=8)
    for alias in sorted(aliases):
        digest.update(f"{alias}\0{aliases[alias]}\n".encode())
    return digest.hexdigest()


def apply_aliases(corpus: Corpus, aliases: dict[str, str]) -> Corpus:
    """Corpus + {alias key: theme} -> a Corpus whose themes frame says `theme` wherever it said an alias.

    Works on the categories, not per row; theme and theme_key stay categorical. Unchanged when no
    alias occurs in the corpus.
    """
    themes = corpus.themes
    if not aliases or themes.empty:
        return corpus
    keys = themes["theme_key"].astype("str")
    hit = keys.isin(aliases.keys())
    if not hit.any():
        return corpus
    target_key = {alias: schema.theme_key(theme) for alias, theme in aliases.items()}
    new_keys = keys.where(~hit, keys.map(target_key))
    new_spelling = themes["theme"].astype("str").where(~hit, keys.map(aliases))
    renamed = pd.DataFrame({"doc_id": themes["doc_id"], "theme": new_spelling, "theme_key": new_keys})
    # The display spelling of a merged key: the target's own spelling where the corpus has one,
    # else the one the aliases file gives.
    spelling = (
        renamed.groupby(["theme_key", "theme"]).size().reset_index(name="n")
        .assign(is_target=lambda f: f["theme"].map(lambda t: t in set(aliases.values())))
        .sort_values(["theme_key", "is_target", "n", "theme"], ascending=[True, False, False, True])
        .drop_duplicates("theme_key").set_index("theme_key")["theme"]
    )
    renamed["theme"] = renamed["theme_key"].map(spelling)
    renamed = renamed.drop_duplicates(["doc_id", "theme_key"]).reset_index(drop=True)
    renamed["theme"] = renamed["theme"].astype("category")
    renamed["theme_key"] = renamed["theme_key"].astype("category")
    return corpus.with_frames(themes=renamed[list(schema.THEME_COLUMNS)])


def _words(key: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(key) if w not in _STOP)


def _singular_key(key: str) -> str:
    return " ".join(schema.fold_plural(w) for w in key.split(" "))


def _acronyms(key: str) -> set[str]:
    """The initials a multi-word name may be shortened to: of its words but "and" ("artificial
    intelligence" -> "ai", "internet of things" -> "iot", "environmental social and governance" ->
    "esg"), with "&" for "and" ("research and development" -> "r&d"), and of its words but the small
    ones when it has three or more others ("united states of america" -> "usa"; "internet of
    things" does not give "it", which is another theme). None when one of its words is itself those
    initials: "AI innovation" is not what "AI" stands for."""
    words = _WORD.findall(key.replace("&", " and "))
    content = [w for w in words if w not in _STOP]
    if len(content) < 2:
        return set()
    found = {"".join(w[0] for w in words if w != "and")}
    if "and" in words:
        found.add("".join("&" if w == "and" else w[0] for w in words if w not in _STOP or w == "and"))
    if len(content) >= 3:
        found.add("".join(w[0] for w in content))
    return {initials for initials in found if len(initials) > 1 and initials not in words}


def _folded_words(key: str) -> frozenset[str]:
    """A theme key's words made singular (schema.fold_plural), small words aside."""
    return frozenset(schema.fold_plural(word) for word in _words(key))


def _differing(a: str, b: str) -> tuple[frozenset[str], frozenset[str]]:
    """Two theme keys -> the words of each that the other lacks (small words aside)."""
    wa, wb = _words(a), _words(b)
    return wa - wb, wb - wa


def _opposed(a: str, b: str) -> bool:
    """Do two theme keys differ in one word that is the other's opposite or counterpart
    ("structured" / "unstructured", "inflation" / "deflation", "bull" / "bear")?"""
    only_a, only_b = _differing(a, b)
    if len(only_a) != 1 or len(only_b) != 1:
        return False
    (x,), (y,) = only_a, only_b
    if frozenset((x, y)) in _OPPOSITES or (x in _OPPOSING_PREFIXES and y in _OPPOSING_PREFIXES):
        return True  # "bull" / "bear"; "pre-war" / "post-war"
    roots_x = {x[len(p):] for p in _OPPOSING_PREFIXES if x.startswith(p)} | {x}
    roots_y = {y[len(p):] for p in _OPPOSING_PREFIXES if y.startswith(p)} | {y}
    return any(len(root) >= 4 for root in roots_x & roots_y)


def _alike_words(only_a: frozenset[str], only_b: frozenset[str]) -> list[tuple[str, str, float]] | None:
    """The differing words of two names paired by spelling, when every one has a partner spelled
    at least STEM_RATIO alike and differing only towards its end (a shared beginning of all but
    STEM_ENDING letters of the shorter: "technology" / "technological", not "transformation" /
    "transportation", ratio 86); else None."""
    from rapidfuzz import fuzz

    if len(only_a) != len(only_b):
        return None
    pairs, left = [], set(only_b)
    for x in sorted(only_a):
        ratio, y = max(((fuzz.ratio(x, y), y) for y in sorted(left)), default=(0.0, ""))
        if ratio < STEM_RATIO or len(os.path.commonprefix([x, y])) < min(len(x), len(y)) - STEM_ENDING:
            return None
        pairs.append((x, y, ratio))
        left.discard(y)
    return pairs


def suggest_synonyms(corpus: Corpus, limit: int | None = 200) -> pd.DataFrame:
    """Corpus -> DataFrame[alias, theme, reason, alias_documents, theme_documents, similarity]: pairs of
    themes that probably mean the same thing, for the user to accept into an aliases file.

    Reasons: "plural" (equal once each word is made singular), "acronym" (`AI` / `artificial
    intelligence`), "spelling" (rapidfuzz ratio >= SPELLING_RATIO: `cyber security` / `cybersecurity`),
    "shared words" (the same words in another order, or differing only in their endings, small words
    aside: `farming technology` / `technology in farming`), "meaning" (`_meaning_pairs`). Never a
    narrower form (one name's words inside the other's) by words or meaning, nor two names differing
    in a word and its opposite (`_opposed`: `structured` / `unstructured`, `bull` / `bear`). In each pair the
    theme on more documents is the suggested `theme`, the other the `alias`. Sorted by reason in that
    order (the surest first), then by the documents the merge would affect (most first), then alias; at most `limit` rows (None: all). Comparisons are
    blocked (only themes sharing a word, a singular form or an acronym are compared), so this stays
    fast on tens of thousands of themes.
    """
    from rapidfuzz import fuzz

    themes = corpus.themes
    empty = pd.DataFrame({c: pd.Series(dtype=d) for c, d in zip(
        SUGGESTION_COLUMNS, ("str", "str", "str", "int64", "int64", "float64", "str"))})
    if themes.empty:
        return empty
    counts = (themes.drop_duplicates(["doc_id", "theme_key"]).groupby("theme_key", observed=True).size())
    counts = counts[counts > 0]
    firsts = themes.drop_duplicates("theme_key")
    display = pd.Series(firsts["theme"].astype("str").to_numpy(), index=firsts["theme_key"].astype("str").to_numpy())
    keys = [str(k) for k in counts.index]
    documents = {str(k): int(v) for k, v in counts.items()}

    found: dict[tuple[str, str], tuple] = {}

    def note(a: str, b: str, reason: str, similarity: float, evidence=None, strength: float | None = None) -> None:
        """evidence: a text, or a function of the (alias, theme) keys giving it; strength orders the pairs of
        one reason that touch as many documents (default: similarity)."""
        pair = (a, b) if a < b else (b, a)
        if a != b and pair not in found and not _opposed(a, b):
            found[pair] = (reason, similarity, evidence or _EVIDENCE[reason].format(similarity=similarity),
                           similarity if strength is None else strength)

    # Exact rules by grouping on a derived key: plural and acronym.
    by_singular: dict[str, list[str]] = {}
    for key in keys:
        by_singular.setdefault(_singular_key(key), []).append(key)
    for group in by_singular.values():
        for other in group[1:]:
            note(group[0], other, "plural", 1.0)
    compact = {key.replace(" ", "").replace("-", ""): key for key in keys}
    for key in keys:
        for initials in sorted(_acronyms(key)):
            if initials in compact and compact[initials] != key:
                note(compact[initials], key, "acronym", 1.0)
    # Fuzzy rules within blocks: themes sharing a word, or the same letters without spaces/hyphens.
    words = {key: _words(key) for key in keys}
    blocks: dict[str, list[str]] = {}
    for key in keys:
        for word in words[key]:
            blocks.setdefault(word, []).append(key)
        blocks.setdefault("\0" + key.replace(" ", "").replace("-", "")[:5], []).append(key)
    for members in blocks.values():
        if len(members) < 2 or len(members) > 400:  # a word on hundreds of themes says nothing
            continue
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                ratio = fuzz.ratio(a.replace("-", " "), b.replace("-", " "))
                if ratio >= SPELLING_RATIO or a.replace(" ", "").replace("-", "") == b.replace(" ", "").replace("-", ""):
                    note(a, b, "spelling", ratio / 100.0)
                    continue
                wa, wb = words[a], words[b]
                if not (wa & wb):
                    continue
                only_a, only_b = wa - wb, wb - wa
                if not only_a and not only_b:
                    note(a, b, "shared words", 1.0, "the same words in another order")
                    continue
                alike = _alike_words(only_a, only_b) if only_a and only_b else None
                if alike:
                    note(a, b, "shared words", len(wa & wb) / len(wa | wb), "the same words but " + ", ".join(
                        f"“{x}” / “{y}” (spelled {ratio:.0f}% alike)" for x, y, ratio in alike))
    _meaning_pairs(keys, display, words, note)
    rows = []
    for (a, b), (reason, similarity, evidence, strength) in found.items():
        # The more used theme is the target (ties: the longer, more explicit spelling; then alphabetical).
        target, alias = sorted((a, b), key=lambda k: (-documents[k], -len(k), k))
        rows.append((display[alias], display[target], reason, documents[alias], documents[target],
                     round(similarity, 3), evidence(alias, target) if callable(evidence) else evidence, strength))
    if not rows:
        return empty
    table = pd.DataFrame(rows, columns=[*SUGGESTION_COLUMNS, "strength"])
    table["affected"] = table["alias_documents"] + table["theme_documents"]
    table["reason_rank"] = table["reason"].map({r: i for i, r in enumerate(REASONS)})
    table = table.sort_values(["reason_rank", "affected", "strength", "alias"], ascending=[True, False, False, True],
                              kind="stable", ignore_index=True)
    table = table[list(SUGGESTION_COLUMNS)].astype({"alias": "str", "theme": "str", "reason": "str"})
    return table if limit is None else table.head(limit)


_EVIDENCE = {
    "plural": "the same words once made singular",
    "acronym": "one is the initials of the other",
    "spelling": "spellings {similarity:.0%} alike (rapidfuzz ratio)",
    "shared words": "{similarity:.0%} of their words in common (Jaccard)",  # the rule says more
    "meaning": "names' embeddings at cosine {similarity:.2f}, each the other's nearest theme, neither a "
               "narrower form of the other",
}


def _meaning_pairs(keys: list[str], display: pd.Series, words: dict[str, frozenset[str]], note) -> None:
    """Note ("meaning") the themes whose names mean the same by their embeddings: each other's
    nearest theme, cosine >= MEANING_SIMILARITY, and not one's words inside the other's ("privacy" /
    "data privacy" is narrower, not a synonym: 0.89). Exact nearest neighbours (signals.semantic)."""
    import numpy as np

    from signals.semantic.model import embed
    from signals.semantic.neighbours import nearest

    if len(keys) < 2:
        return
    vectors = embed([str(display[k]) for k in keys])
    indices, similarities = nearest(vectors, 1)
    best, score = indices[:, 0], similarities[:, 0]
    pairs = []
    for i in np.flatnonzero((best >= 0) & (score >= MEANING_SIMILARITY)).tolist():
        j = int(best[i])
        if i < j and best[j] == i:
            a, b = keys[i], keys[j]
            folded_a, folded_b = _folded_words(a), _folded_words(b)
            if folded_a and folded_b and (folded_a <= folded_b or folded_b <= folded_a):
                continue  # a narrower form, plurals aside: "skills" / "skill sets"
            pairs.append((a, b, float(score[i])))
    # Names that share words differ in the others, and those say whether they are the same thing:
    # the evidence shows them and how close they are ("climate crisis" / "climate change": the
    # names at 0.73, "crisis" / "change" at 0.30; "drone warfare" / "drone sightings": 0.78, 0.35),
    # and such pairs are listed by that second cosine, the surest first.
    own = {key: _own_words(key, words[other]) for a, b, _ in pairs if words[a] & words[b]
           for key, other in ((a, b), (b, a))}
    parts = sorted(set(own.values()))
    part_vectors = dict(zip(parts, embed(parts))) if parts else {}
    for a, b, similarity in pairs:
        if words[a] & words[b]:
            closeness = float(part_vectors[own[a]] @ part_vectors[own[b]])
            shared = " ".join(w for w in _WORD.findall(a) if w in words[b] and w not in _STOP)

            def evidence(alias: str, theme: str, similarity=similarity, shared=shared, closeness=closeness,
                         a=a, b=b) -> str:
                first, second = (own[a], own[b]) if alias == a else (own[b], own[a])
                return (_EVIDENCE["meaning"].format(similarity=similarity) + f"; both say “{shared}”, and "
                        f"“{first}” / “{second}” are at cosine {closeness:.2f}")

            note(a, b, "meaning", similarity, evidence, strength=closeness)
        else:
            note(a, b, "meaning", similarity)


def _own_words(key: str, other: frozenset[str]) -> str:
    """A theme key's words that another theme's words lack, in their order ("climate crisis" beside
    "climate change" -> "crisis")."""
    return " ".join(w for w in _WORD.findall(key) if w not in other and w not in _STOP)


def aliases_csv(pairs: pd.DataFrame) -> str:
    """DataFrame with alias and theme columns -> aliases-file text (header `alias,theme`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(pairs[["alias", "theme"]].itertuples(index=False))
    return out.getvalue()
