"""Short labels for table rows that have only a description (most real Technologies rows).

A row is shown by its name; a row without one used to be shown by its description cut to fit, so a
network of technologies read "A method that…", "A technology that…", "The use of…". `short_label`
derives a noun-phrase-ish head instead, with plain word rules (no tagger, English and French):

1. Leading articles go ("A", "The", "Une", "Les", "L'"), then a vague frame and its preposition
   ("The use of", "The process of", "Processus d'") and a leading gerund ("Utilizing", "Leveraging").
2. Words are kept up to the first clause boundary: punctuation, a relative word ("that", "which",
   "qui"), a preposition that starts a purpose or means ("to", "for", "by", "pour", "par"), an
   adverb in -ly, or a participle followed by a preposition ("created by", "installées dans").
3. A head that says little on its own (at most one word besides a generic noun: "AI systems",
   "Tools", "Approche") keeps the clause after the boundary: "AI systems to provide financial
   advice", with "designed to" / "aimed at" shortened to "to" / "for".
4. At most MAX_WORDS words and MAX_CHARS characters, cut at a word, without a dangling "of" / "de"
   at the end; first letter upper-case.

Rows keep their full description for the hover and for search; this only names the node.
"""

from __future__ import annotations

import re

MAX_WORDS = 6
MAX_CHARS = 45

_DETERMINERS = {
    "a", "an", "the", "this", "these", "un", "une", "le", "la", "les", "des", "du", "ce", "ces", "cette",
}
#: Elided French articles and prepositions glued to the next word ("l'énergie", "d'adaptation").
_ELIDED = re.compile(r"^(?:l|d|qu)['’](?=\w)", re.IGNORECASE)
#: Nouns that only frame what follows them: "The use of X" is about X.
_FRAMES = {
    "use", "usage", "utilization", "utilisation", "application", "process", "processus", "development",
    "développement", "integration", "intégration", "creation", "création", "study", "exploration",
    "implementation", "adoption", "deployment", "trend", "concept", "practice", "emergence", "rise",
    "introduction", "growth", "advancement", "advancements", "advances", "form", "type", "kind",
    "mise", "emploi", "approach", "field", "area", "notion", "idea",
}
_FRAME_PREPOSITIONS = {"of", "de", "du", "des"}
_LEADING_GERUNDS = {
    "utilizing", "using", "leveraging", "applying", "employing", "creating", "developing",
    "implementing", "integrating", "researching", "investigating", "exploring", "harnessing",
    "utilising", "deploying", "building", "designing", "combining",
}
#: Words before which a noun phrase stops (relative words, prepositions of purpose or means...).
_BOUNDARIES = {
    # English
    "that", "which", "who", "whom", "whose", "where", "when", "while", "whereby", "to", "for", "by",
    "with", "through", "via", "using", "including", "such", "like", "as", "from", "into", "on", "in",
    "at", "against", "across", "within", "without", "between", "among", "toward", "towards", "over",
    "aimed", "designed", "used", "intended", "capable", "allowing", "enabling", "providing", "helping",
    "making", "based", "leveraging", "utilizing", "focused", "focusing", "combining", "can", "could",
    "will", "may", "is", "are", "was", "were", "has", "have", "being",
    # French
    "qui", "que", "dont", "où", "pour", "par", "avec", "afin", "permettant", "visant", "grâce",
    "dans", "sur", "en", "comme", "à", "au", "aux", "est", "sont", "vers", "entre", "sans",
    "chez", "selon", "utilisant",
}
#: Boundary words after which a vague head may continue (rule 3), and what they become.
_CONTINUATIONS = {
    "that": "that", "which": "that", "to": "to", "for": "for", "designed": "to", "intended": "to",
    "used": "to", "developed": "to", "aimed": "for", "capable": "capable", "qui": "qui", "pour": "pour",
    "permettant": "permettant", "visant": "visant", "enabling": "enabling", "allowing": "allowing",
    "helping": "helping",
}
#: Left out of a continuation: "AI is being used to" reads "AI used to".
_AUXILIARIES = {"is", "are", "was", "were", "be", "been", "being", "est", "sont", "a", "ont"}
#: After a shortened connector ("designed to" -> "to"), its own preposition is dropped.
_CONNECTOR_TAILS = {"to", "for", "at", "à"}
#: Nouns too generic to name a row alone ("AI systems", "Tools", "Approche").
_GENERIC = {
    "tool", "tools", "system", "systems", "technology", "technologies", "technique", "techniques",
    "method", "methods", "approach", "approaches", "platform", "platforms", "software", "application",
    "applications", "device", "devices", "solution", "solutions", "strategy", "strategies", "initiative",
    "initiatives", "effort", "efforts", "innovation", "innovations", "model", "models", "framework",
    "frameworks", "feature", "features", "service", "services", "program", "programs", "research",
    "practice", "practices", "capability", "capabilities", "field", "area", "way", "ways", "network",
    "networks", "product", "products", "process", "processes", "mechanism", "mechanisms", "measures",
    "outils", "outil", "système", "systèmes", "technologie", "méthode", "méthodes",
    "approche", "approches", "plateforme", "plateformes", "logiciel", "logiciels", "stratégie",
    "stratégies", "dispositif", "dispositifs", "capacité", "processus", "modèle", "modèles",
}
#: Words an -ly or participle rule must not take for an adverb or a verb.
_NOT_ADVERBS = {"supply", "family", "assembly", "italy", "july", "apply", "reply", "ally", "anomaly",
                "monopoly", "rally", "early", "only", "daily", "weekly", "monthly", "yearly", "friendly"}
_PARTICIPLE_PREPOSITIONS = {"by", "to", "for", "in", "on", "with", "as", "from", "at", "into", "through",
                            "par", "pour", "dans", "sur", "en", "à", "au", "aux", "avec"}
#: Words a label must not end with.
_DANGLING = _DETERMINERS | _FRAME_PREPOSITIONS | {
    "and", "or", "of", "et", "ou", "to", "for", "that", "with", "in", "on", "à", "pour", "qui", "de",
    "its", "their", "leur", "leurs", "son", "sa", "ses",
}
_PUNCTUATION_AFTER = ",;:.!?)]}\"”»"
_PUNCTUATION_BEFORE = "([{\"“«"


def _words(text: str) -> list[tuple[str, str]]:
    """Text -> (word, the punctuation ending a clause after it, or "") pairs; dashes and brackets
    end clauses too."""
    words: list[tuple[str, str]] = []
    for raw in text.split():
        if raw in {"-", "–", "—", "/"}:
            if words:
                words[-1] = (words[-1][0], raw)
            continue
        if raw[0] in _PUNCTUATION_BEFORE:
            if words:
                words[-1] = (words[-1][0], raw[0])
            raw = raw.lstrip(_PUNCTUATION_BEFORE)
            if not raw:
                continue
        word = raw.rstrip(_PUNCTUATION_AFTER)
        if raw.endswith(".") and "." in word:  # an abbreviation ("A.I.", "U.S."), not a full stop
            word = raw
        if word:
            words.append((word, raw[len(word):]))
    return words


def _fold(word: str) -> str:
    return word.casefold().replace("’", "'")


def _is_adverb(word: str) -> bool:
    folded = _fold(word)
    return len(folded) > 4 and folded.endswith("ly") and folded not in _NOT_ADVERBS


def _is_participle(word: str, following: str | None) -> bool:
    folded = _fold(word)
    ending = folded.endswith(("ed", "ées", "és", "ée")) and len(folded) > 4
    return ending and following is not None and _fold(following) in _PARTICIPLE_PREPOSITIONS


def _strip_elision(word: str) -> str:
    return _ELIDED.sub("", word)


Words = list[tuple[str, str]]


def _skip_opening(words: Words) -> Words:
    """Rule 1: leading articles, vague frames with their preposition, and a leading gerund."""
    changed = True
    while changed and len(words) > 1:
        changed = False
        first, ended = words[0]
        folded = _fold(first)
        if ended:
            break
        if folded in _DETERMINERS:
            words, changed = words[1:], True
        elif folded.startswith("l'") and len(folded) > 2:
            words, changed = [(_strip_elision(first), ended), *words[1:]], True
        elif folded in _FRAMES and len(words) > 2 and not words[1][1]:
            following = _fold(words[1][0])
            if following in _FRAME_PREPOSITIONS:
                words, changed = words[2:], True
            elif following.startswith("d'") and len(following) > 2:
                words, changed = [(_strip_elision(words[1][0]), ""), *words[2:]], True
        elif folded in _LEADING_GERUNDS:
            words, changed = words[1:], True
    return words


def _ends_phrase(words: Words, position: int) -> bool:
    """Whether the word at `position` starts a new clause (rule 2)."""
    word = words[position][0]
    following = words[position + 1][0] if position + 1 < len(words) else None
    return _fold(word) in _BOUNDARIES or _is_adverb(word) or _is_participle(word, following)


def _head(words: Words) -> tuple[list[str], int, str]:
    """Rule 2: (the words before the first boundary; where the rest starts; the punctuation that
    ended the head, "" when a boundary word did). A lone adjective before a comma ("A compact,
    custom-built seismometer") does not end the head."""
    head: list[str] = []
    for position, (word, ended) in enumerate(words):
        if head and _ends_phrase(words, position):
            return head, position, ""
        head.append(word)
        if ended and not (ended == "," and len(head) == 1):
            return head, position + 1, ended
    return head, len(words), ""


def _is_vague(head: list[str]) -> bool:
    """Rule 3: at most one word that is neither generic nor a function word."""
    return sum(1 for word in head if _fold(word) not in _GENERIC | _DANGLING) <= 1


def _continuation(words: Words) -> list[str]:
    """Rule 3: the clause after a vague head, its connector shortened ("designed to" -> "to"),
    auxiliaries and adverbs left out, up to its next boundary once it holds three words."""
    connector = _fold(words[0][0])
    rest = [(word, ended) for word, ended in words[1:] if not _is_adverb(word)]
    shortened = _CONTINUATIONS.get(connector, connector)
    if shortened != connector and rest and _fold(rest[0][0]) in _CONNECTOR_TAILS:
        # "designed to" -> "to", "used for" -> "for", "aimed at" -> "for"; "designed as" stays
        tail = _fold(rest[0][0])
        kept, rest = [tail if tail in {"to", "for", "pour"} else shortened], rest[1:]
    else:
        kept = [] if connector in _AUXILIARIES else [words[0][0]]
    if words[0][1]:
        return kept
    for position, (word, ended) in enumerate(rest):
        if _fold(word) in _AUXILIARIES and kept[-1:] != ["to"]:  # "designed to be reliable" keeps "be"
            continue
        if len(kept) >= 3 and _ends_phrase(rest, position):
            break
        kept.append(word)
        if ended or len(kept) >= MAX_WORDS:
            break
    return kept


def _capped(words: list[str]) -> str:
    """Rule 4: at most MAX_WORDS words and MAX_CHARS characters, no dangling function word."""
    kept = list(words[:MAX_WORDS])
    while len(kept) > 1 and len(" ".join(kept)) > MAX_CHARS:
        kept.pop()
    while len(kept) > 1 and _fold(kept[-1]) in _DANGLING:
        kept.pop()
    label = " ".join(kept)
    if len(label) > MAX_CHARS:  # one very long word
        label = label[: MAX_CHARS - 1] + "…"
    return label[:1].upper() + label[1:]


def short_label(description: object) -> str:
    """A row's description -> a short label naming it (module docstring); "" for no text."""
    text = "" if description is None else str(description).strip()
    if not text or text.lower() == "nan":
        return ""
    words = _skip_opening(_words(text))
    head, rest_starts, ended = _head(words)
    if _is_vague(head) and not ended and rest_starts < len(words):
        head += _continuation(words[rest_starts:])
    return _capped(head)
