"""One declaration per facet: what users can narrow the corpus by, and what every use of it needs.

A facet is one entry in FACETS. From that entry come:

- the fields of the `Filters` value, their defaults and checks (signals.filters.Filters),
- its URL form (`?theme=AI&rmin=4`: `Filters.to_params` / `Filters.from_params`),
- its words (`Filters.describe`: `themes` -> `all of AI, energy`),
- the `signals` command's flags (`--theme`, `--min-relevancy`: `add_arguments`, `filters_from_args`),
- the matching and the option counts (signals.filters, one function per kind),
- the sidebar widgets and their session-state keys (signals.app.state, one widget per kind).

Five kinds (and their annotation variants, below), as Datasette registers its facet classes in one list: `ChoiceFacet` (pick values from a
list, a document needs any of them; or all of them, with a `MatchMode`), `RangeFacet` (a lowest and
a highest number), `DateFacet` (a first and a last day), `TextFacet` (free text, searched where its
scope says), `SearchFacet` (a query ranked by words and meaning: the documents it finds). A new facet of one of these kinds is one more entry; its values may come from any table
whose rows name their document by `doc_id`, not only from the loader's frames (see `Source`).

No pandas here: the `signals` parser builds its flags from this module, and `signals --help` must
not pay for pandas.
"""

from __future__ import annotations

import argparse
import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from signals import schema

if TYPE_CHECKING:  # pragma: no cover
    from signals.filters import Filters

#: A facet's level: "documents" picks documents (with all their rows); "rows" picks table rows, and
#: keeps a document only while one of its rows is kept.
LEVELS = ("documents", "rows")
#: How a choice facet with a MatchMode combines its values: a document has any of them, or all.
MATCH_MODES = ("any", "all")
#: Where free text is searched: the table rows themselves, or their documents (see signals.filters).
TEXT_SCOPES = ("rows", "documents")


@dataclass(frozen=True)
class Source:
    """Where a facet's values are: `column` of the table named `table`, whose rows name their
    document by `doc_id`.

    `table` is one of the corpus's frames (documents, keywords, themes, items) or a table handed to
    `signals.filters.apply` and `facet_counts` beside the corpus (`tables={"annotations": frame}`):
    what analysts decide about documents lives in the workspace, not in the loaded corpus, and
    facets over it are declared the same way. `key_column`, when the table has one, already holds
    each value's match key (the themes frame's `theme_key`), so matching need not compute it.
    """

    table: str
    column: str
    key_column: str | None = None


class Facet(ABC):
    """What every kind of facet answers (the kinds below are frozen dataclasses that fill it in).

    Every facet has a `key` (its name: the key of its option counts; for ranges and dates also
    its widget's), a `label` (the widget's), a `help` (tooltip and flag help), a `level` (LEVELS)
    and a `source` (None for free text, which reads many columns).
    """

    key: str
    label: str
    help: str
    level: str
    source: Source | None

    @abstractmethod
    def defaults(self) -> dict[str, Any]:
        """The Filters fields this facet holds -> the value that restricts nothing."""

    def check(self, values: Mapping[str, Any]) -> None:
        """Raise ValueError when a value of this facet's fields (field -> value) is not allowed
        (by default every value is)."""

    @abstractmethod
    def is_set(self, filters: Filters) -> bool:
        """True when this facet restricts something in `filters`."""

    def restricts_rows(self, filters: Filters) -> bool:
        """True when this facet picks table rows in `filters` (a document then needs one kept row)."""
        return self.level == "rows" and self.is_set(filters)

    @abstractmethod
    def url_keys(self) -> tuple[str, ...]:
        """The URL query parameters this facet writes and reads."""

    @abstractmethod
    def to_params(self, filters: Filters) -> dict[str, list[str]]:
        """URL parameter -> values, for what is set (nothing for defaults)."""

    @abstractmethod
    def from_params(self, params: Mapping[str, list[str]]) -> dict[str, Any]:
        """URL parameters -> the fields they set; values it cannot read are left out."""

    @abstractmethod
    def describe(self, filters: Filters) -> dict[str, str]:
        """Label -> value in words, read as "label value", when set (`{"relevancy": "≥ 4"}`)."""

    @abstractmethod
    def add_arguments(self, group: argparse._ArgumentGroup) -> None:
        """Add this facet's flags to a parser (their `dest` are the Filters fields)."""

    @abstractmethod
    def widget_keys(self) -> dict[str, str]:
        """Filters field (or, for one widget holding two fields, the facet's key) -> session-state key."""


def _read(params: Mapping[str, list[str]], key: str) -> list[str]:
    """A URL parameter's values without empty ones (a hand-edited `?theme=&theme=AI`)."""
    return [value for value in params.get(key, []) if value is not None and value != ""]


# ---------------------------------------------------------------------------------------------
# Choices: pick values from a list
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MatchMode:
    """A choice facet's switch between "any of the chosen values" (default) and "all of them"."""

    field: str  # the Filters field: "any" or "all"
    key: str  # its URL parameter and widget key
    cli_flag: str  # a flag that sets "all"
    help: str  # the widget's tooltip (the flag says it in its own words)


@dataclass(frozen=True)
class ChoiceFacet(Facet):
    """Values chosen from a list; a document (or row, at level "rows") is kept when it has any.

    Values match case-insensitively through `match_key` (a theme's canonical form by default;
    sections through their slug, so `Weak Signals` is `signals`). Option counts count documents
    per value (rows at level "rows"). `key` is the URL parameter and the widget key.
    """

    key: str
    field: str
    label: str
    singular: str  # the values in words, one ("theme") and several ("themes")
    plural: str
    source: Source
    cli_flag: str
    help: str = ""
    level: str = "documents"
    match_key: Callable[[str], str] = schema.theme_key
    #: Options listed first, in this order (sections in the documents' order), the rest by count.
    leading_options: tuple[str, ...] = ()
    mode: MatchMode | None = None

    def defaults(self) -> dict[str, Any]:
        """See Facet.defaults: no value chosen (and "any", with a MatchMode)."""
        return {self.field: ()} | ({self.mode.field: "any"} if self.mode else {})

    def check(self, values: Mapping[str, Any]) -> None:
        """See Facet.check: the mode is one of MATCH_MODES."""
        if self.mode and values.get(self.mode.field, "any") not in MATCH_MODES:
            raise ValueError(f"{self.mode.field} must be one of {MATCH_MODES}, not {values[self.mode.field]!r}")

    def is_set(self, filters: Filters) -> bool:
        """See Facet.is_set: a mode alone restricts nothing."""
        return bool(getattr(filters, self.field))

    def chosen(self, filters: Filters) -> tuple[str, ...]:
        """The values chosen in `filters`."""
        return getattr(filters, self.field)

    def needs_all(self, filters: Filters) -> bool:
        """True when a document must have every chosen value."""
        return self.mode is not None and getattr(filters, self.mode.field) == "all"

    def url_keys(self) -> tuple[str, ...]:
        """See Facet.url_keys."""
        return (self.key, self.mode.key) if self.mode else (self.key,)

    def to_params(self, filters: Filters) -> dict[str, list[str]]:
        """See Facet.to_params: `{"theme": ["AI", "energy"], "theme_mode": ["all"]}`."""
        params = {self.key: list(self.chosen(filters))} if self.is_set(filters) else {}
        if self.mode and getattr(filters, self.mode.field) != "any":
            params[self.mode.key] = [getattr(filters, self.mode.field)]
        return params

    def from_params(self, params: Mapping[str, list[str]]) -> dict[str, Any]:
        """See Facet.from_params: repeated values once each, in their order."""
        values: dict[str, Any] = {}
        chosen = _read(params, self.key)
        if chosen:
            values[self.field] = tuple(dict.fromkeys(chosen))
        if self.mode:
            mode = _read(params, self.mode.key)
            if mode and mode[0] in MATCH_MODES:
                values[self.mode.field] = mode[0]
        return values

    def describe(self, filters: Filters) -> dict[str, str]:
        """See Facet.describe: `{"themes": "all of AI, energy"}`, `{"category": "science"}`."""
        chosen = self.chosen(filters)
        if not chosen:
            return {}
        text = ", ".join(chosen)
        if self.mode and len(chosen) > 1:
            text = f"{getattr(filters, self.mode.field)} of {text}"
        return {self.singular if len(chosen) == 1 else self.plural: text}

    def add_arguments(self, group: argparse._ArgumentGroup) -> None:
        """See Facet.add_arguments: a repeatable flag (and the mode's switch)."""
        group.add_argument(self.cli_flag, action="append", default=[], dest=self.field,
                           metavar=self.cli_flag.lstrip("-").upper(), help=self.help or None)
        if self.mode:
            group.add_argument(self.mode.cli_flag, action="store_const", const="all", default="any",
                               dest=self.mode.field, help=f"a document needs every {self.cli_flag} (default: any one)")

    def widget_keys(self) -> dict[str, str]:
        """See Facet.widget_keys: the multiselect's and the mode's."""
        return {self.field: self.key} | ({self.mode.field: self.mode.key} if self.mode else {})

    def ordered_options(self, options: Iterable[str]) -> list[str]:
        """Options as the widget lists them: `leading_options` first, in their order, then the rest."""
        options = list(options)
        present = set(options)
        leading = [o for o in self.leading_options if o in present]
        return leading + [o for o in options if o not in set(leading)]


# ---------------------------------------------------------------------------------------------
# Ranges of whole numbers, dates, free text
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RangeFacet(Facet):
    """A lowest and a highest whole number, each optional (None: no bound), within `bounds`.

    At level "rows" a row is kept when its value lies in the range (a row without one is not);
    at level "documents", a document with at least one such row of the source table. `key` is the
    widget key and the word in descriptions (`relevancy ≥ 4`).
    """

    key: str
    label: str
    field_names: tuple[str, str]  # the Filters fields: lowest, highest
    url_params: tuple[str, str]
    cli_flags: tuple[str, str]
    bounds: tuple[int, int]
    source: Source
    help: str = ""
    level: str = "rows"

    def defaults(self) -> dict[str, Any]:
        """See Facet.defaults: no bound."""
        return dict.fromkeys(self.field_names)

    def check(self, values: Mapping[str, Any]) -> None:
        """See Facet.check: each bound within `bounds`."""
        low, high = self.bounds
        for name in self.field_names:
            value = values.get(name)
            if value is not None and not low <= value <= high:
                raise ValueError(f"{name} must be within {low}-{high}")

    def limits(self, filters: Filters) -> tuple[int | None, int | None]:
        """(lowest, highest) in `filters`; None where unbounded."""
        return getattr(filters, self.field_names[0]), getattr(filters, self.field_names[1])

    def is_set(self, filters: Filters) -> bool:
        """See Facet.is_set."""
        return any(limit is not None for limit in self.limits(filters))

    def url_keys(self) -> tuple[str, ...]:
        """See Facet.url_keys."""
        return self.url_params

    def to_params(self, filters: Filters) -> dict[str, list[str]]:
        """See Facet.to_params: `{"rmin": ["4"]}`."""
        return {key: [str(limit)] for key, limit in zip(self.url_params, self.limits(filters)) if limit is not None}

    def from_params(self, params: Mapping[str, list[str]]) -> dict[str, Any]:
        """See Facet.from_params: whole numbers within `bounds`."""
        values = {}
        for name, key in zip(self.field_names, self.url_params):
            raw = _read(params, key)
            try:
                number = int(raw[0]) if raw else None
            except ValueError:
                continue
            if number is not None and self.bounds[0] <= number <= self.bounds[1]:
                values[name] = number
        return values

    def describe(self, filters: Filters) -> dict[str, str]:
        """See Facet.describe: `= 5`, `2 to 4`, `≥ 4`, `≤ 3`."""
        low, high = self.limits(filters)
        if low is not None and high is not None:
            return {self.key: f"= {low}" if low == high else f"{low} to {high}"}
        if low is not None:
            return {self.key: f"≥ {low}"}
        if high is not None:
            return {self.key: f"≤ {high}"}
        return {}

    def parse_bound(self, text: str) -> int:
        """A flag's text -> a whole number within `bounds` (argparse's error otherwise)."""
        try:
            value = int(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from error
        if not self.bounds[0] <= value <= self.bounds[1]:
            raise argparse.ArgumentTypeError(f"{self.key} is {self.bounds[0]}-{self.bounds[1]}")
        return value

    def add_arguments(self, group: argparse._ArgumentGroup) -> None:
        """See Facet.add_arguments: `--min-relevancy N`, `--max-relevancy N`."""
        span = f"{self.bounds[0]}-{self.bounds[1]}"
        for flag, name, which in zip(self.cli_flags, self.field_names, ("lowest", "highest")):
            group.add_argument(flag, type=self.parse_bound, dest=name, metavar="N",
                               help=f"{which} {self.key} kept ({span})")

    def widget_keys(self) -> dict[str, str]:
        """See Facet.widget_keys: one slider for both bounds."""
        return {self.key: self.key}


def parse_date(text: str) -> dt.date:
    """A flag's text `YYYY-MM-DD` -> a date (argparse's error otherwise)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from error


@dataclass(frozen=True)
class DateFacet(Facet):
    """A first and a last day (both included), each optional; a document needs a date between them.

    `key` is the widget key and the word in descriptions (`dates from 2024-01-01`).
    """

    key: str
    label: str
    field_names: tuple[str, str]  # the Filters fields: first day, last day
    url_params: tuple[str, str]
    cli_flags: tuple[str, str]
    source: Source
    help: str = ""
    level: str = "documents"

    def defaults(self) -> dict[str, Any]:
        """See Facet.defaults: no bound."""
        return dict.fromkeys(self.field_names)

    def days(self, filters: Filters) -> tuple[dt.date | None, dt.date | None]:
        """(first, last) day in `filters`; None where unbounded."""
        return getattr(filters, self.field_names[0]), getattr(filters, self.field_names[1])

    def is_set(self, filters: Filters) -> bool:
        """See Facet.is_set."""
        return any(day is not None for day in self.days(filters))

    def url_keys(self) -> tuple[str, ...]:
        """See Facet.url_keys."""
        return self.url_params

    def to_params(self, filters: Filters) -> dict[str, list[str]]:
        """See Facet.to_params: `{"since": ["2024-01-01"]}`."""
        return {key: [day.isoformat()] for key, day in zip(self.url_params, self.days(filters)) if day is not None}

    def from_params(self, params: Mapping[str, list[str]]) -> dict[str, Any]:
        """See Facet.from_params: ISO dates."""
        values = {}
        for name, key in zip(self.field_names, self.url_params):
            raw = _read(params, key)
            try:
                if raw:
                    values[name] = dt.date.fromisoformat(raw[0])
            except ValueError:
                continue
        return values

    def describe(self, filters: Filters) -> dict[str, str]:
        """See Facet.describe: `2024-01-01 to 2024-02-01`, `from ...`, `until ...`."""
        since, until = self.days(filters)
        if since and until:
            return {self.key: f"{since.isoformat()} to {until.isoformat()}"}
        if since:
            return {self.key: f"from {since.isoformat()}"}
        if until:
            return {self.key: f"until {until.isoformat()}"}
        return {}

    def add_arguments(self, group: argparse._ArgumentGroup) -> None:
        """See Facet.add_arguments: `--since YYYY-MM-DD`, `--until YYYY-MM-DD`."""
        for flag, name, which in zip(self.cli_flags, self.field_names, ("first", "last")):
            group.add_argument(flag, type=parse_date, dest=name, metavar="YYYY-MM-DD",
                               help=f"{which} date kept (inclusive)")

    def widget_keys(self) -> dict[str, str]:
        """See Facet.widget_keys: one date range input for both days."""
        return {self.key: self.key}


@dataclass(frozen=True)
class TextFacet(Facet):
    """Free text, searched where its scope says (TEXT_SCOPES; signals.filters has the rules).

    In scope "rows" it picks rows (level rows); in "documents" it picks documents. `key` and
    `scope_key` are the URL parameters and widget keys.
    """

    key: str
    field: str
    scope_key: str
    scope_field: str
    label: str
    cli_flag: str
    scope_cli_flag: str
    help: str = ""
    scope_help: str = ""
    level: str = "rows"  # in the default scope; see restricts_rows
    source: Source | None = None

    def defaults(self) -> dict[str, Any]:
        """See Facet.defaults: no text, searched in rows."""
        return {self.field: "", self.scope_field: TEXT_SCOPES[0]}

    def check(self, values: Mapping[str, Any]) -> None:
        """See Facet.check: the scope is one of TEXT_SCOPES."""
        scope = values.get(self.scope_field, TEXT_SCOPES[0])
        if scope not in TEXT_SCOPES:
            raise ValueError(f"{self.scope_field} must be one of {TEXT_SCOPES}, not {scope!r}")

    def text(self, filters: Filters) -> str:
        """The text searched for in `filters` ("" for none)."""
        return getattr(filters, self.field)

    def scope(self, filters: Filters) -> str:
        """Where the text is searched in `filters`."""
        return getattr(filters, self.scope_field)

    def is_set(self, filters: Filters) -> bool:
        """See Facet.is_set: a scope alone restricts nothing."""
        return bool(self.text(filters))

    def restricts_rows(self, filters: Filters) -> bool:
        """See Facet.restricts_rows: text searched in rows."""
        return self.is_set(filters) and self.scope(filters) == "rows"

    def url_keys(self) -> tuple[str, ...]:
        """See Facet.url_keys."""
        return (self.key, self.scope_key)

    def to_params(self, filters: Filters) -> dict[str, list[str]]:
        """See Facet.to_params: `{"q": ["privacy"], "q_in": ["documents"]}` (the default scope left out)."""
        params = {self.key: [self.text(filters)]} if self.is_set(filters) else {}
        if self.scope(filters) != TEXT_SCOPES[0]:
            params[self.scope_key] = [self.scope(filters)]
        return params

    def from_params(self, params: Mapping[str, list[str]]) -> dict[str, Any]:
        """See Facet.from_params."""
        values: dict[str, Any] = {}
        text, scope = _read(params, self.key), _read(params, self.scope_key)
        if text:
            values[self.field] = text[0]
        if scope and scope[0] in TEXT_SCOPES:
            values[self.scope_field] = scope[0]
        return values

    def describe(self, filters: Filters) -> dict[str, str]:
        """See Facet.describe: `{"text": "“privacy” in rows"}`."""
        return {"text": f"“{self.text(filters)}” in {self.scope(filters)}"} if self.is_set(filters) else {}

    def add_arguments(self, group: argparse._ArgumentGroup) -> None:
        """See Facet.add_arguments: `--text TEXT`, `--text-scope rows|documents`."""
        group.add_argument(self.cli_flag, default="", dest=self.field, help=self.help)
        group.add_argument(self.scope_cli_flag, choices=TEXT_SCOPES, default=TEXT_SCOPES[0], dest=self.scope_field,
                           help=self.scope_help)

    def widget_keys(self) -> dict[str, str]:
        """See Facet.widget_keys: the text box and the scope switch."""
        return {self.field: self.key, self.scope_field: self.scope_key}


@dataclass(frozen=True)
class SearchFacet(Facet):
    """A query ranked by its words and its meaning together (signals.semantic.search): a document is
    kept when it is among the `top` documents the query finds in the whole corpus.

    Its matching needs the corpus's search index (words and document embeddings), which
    signals.filters opens only when a query is set; a caller that holds the index open hands the
    found documents in as the table `source.table` (`tables=`, as for the workspace's tables). The
    app draws its box on the Search page (same session-state key), not in the sidebar.
    """

    key: str
    field: str
    label: str
    cli_flag: str
    top: int = 100
    help: str = ""
    level: str = "documents"
    source: Source | None = Source("search", "doc_id")

    def defaults(self) -> dict[str, Any]:
        """See Facet.defaults: no query."""
        return {self.field: ""}

    def query(self, filters: Filters) -> str:
        """The query in `filters` ("" for none)."""
        return getattr(filters, self.field)

    def is_set(self, filters: Filters) -> bool:
        """See Facet.is_set."""
        return bool(self.query(filters).strip())

    def url_keys(self) -> tuple[str, ...]:
        """See Facet.url_keys."""
        return (self.key,)

    def to_params(self, filters: Filters) -> dict[str, list[str]]:
        """See Facet.to_params: `{"search": ["farmers flying drones"]}`."""
        return {self.key: [self.query(filters)]} if self.is_set(filters) else {}

    def from_params(self, params: Mapping[str, list[str]]) -> dict[str, Any]:
        """See Facet.from_params."""
        query = _read(params, self.key)
        return {self.field: query[0]} if query else {}

    def describe(self, filters: Filters) -> dict[str, str]:
        """See Facet.describe: `{"search": "“farmers flying drones” (best 100 by words and meaning)"}`."""
        if not self.is_set(filters):
            return {}
        return {self.key: f"“{self.query(filters)}” (best {self.top} by words and meaning)"}

    def add_arguments(self, group: argparse._ArgumentGroup) -> None:
        """See Facet.add_arguments: `--search QUERY`."""
        group.add_argument(self.cli_flag, default="", dest=self.field, metavar="QUERY", help=self.help)

    def widget_keys(self) -> dict[str, str]:
        """See Facet.widget_keys: the Search page's box."""
        return {self.field: self.key}


# ---------------------------------------------------------------------------------------------
# The analyst's annotations: starred, status, tags, note, ratings, horizon (signals.workspace)
# ---------------------------------------------------------------------------------------------
#: The table annotation facets read: not a frame but the workspace's annotations joined to the
#: items (signals.workspace.annotations.Joined), handed in as `apply(..., tables={ANNOTATIONS: joined})`.
ANNOTATIONS = "annotations"


class AnnotationFacet:
    """What makes a facet an annotation facet: its Filters fields are named as the fields of
    `signals.workspace.annotations.Criteria` they set, and every annotation facet that is set goes
    into one Criteria whose `Joined.mask` picks the rows (a row counts its document's annotation
    for what it does not say itself). Level "rows": a document stays while one of its rows does."""

    def criteria(self: Facet, filters: Filters) -> dict[str, Any]:  # type: ignore[misc]
        """The Criteria fields this facet sets in `filters` (nothing when it restricts nothing)."""
        defaults = self.defaults()
        return {name: getattr(filters, name) for name in defaults if getattr(filters, name) != defaults[name]}


@dataclass(frozen=True)
class AnnotationChoiceFacet(AnnotationFacet, ChoiceFacet):
    """Statuses, tags or horizons chosen from a list; a row is kept when its annotation has any.

    `allowed`: the only values there are (statuses, horizons), in their order; () for free values
    (tags, matched case-insensitively). Option counts are rows (`Joined.option_counts`).
    """

    allowed: tuple[str, ...] = ()

    def check(self, values: Mapping[str, Any]) -> None:
        """See Facet.check: every chosen value is one of `allowed` (when there is such a list)."""
        wrong = [v for v in values.get(self.field, ()) if self.allowed and v not in self.allowed]
        if wrong:
            raise ValueError(f"{self.field} must be among {', '.join(self.allowed)}, not {', '.join(wrong)}")

    def from_params(self, params: Mapping[str, list[str]]) -> dict[str, Any]:
        """See Facet.from_params: values not in `allowed` are left out (a hand-edited URL)."""
        values = super().from_params(params)
        if self.allowed and self.field in values:
            kept = tuple(v for v in values[self.field] if v in self.allowed)
            values = {self.field: kept} if kept else {}
        return values

    def add_arguments(self, group: argparse._ArgumentGroup) -> None:
        """See Facet.add_arguments: a repeatable flag, its values checked against `allowed`."""
        group.add_argument(self.cli_flag, action="append", default=[], dest=self.field,
                           choices=self.allowed or None, metavar=self.cli_flag.lstrip("-").upper(),
                           help=self.help or None)


@dataclass(frozen=True)
class AnnotationFlagFacet(AnnotationFacet, Facet):
    """Yes, no or either (None): starred, has a note, rated. `key` is the URL parameter
    (`?starred=yes`), the widget key and the key of its option counts; `words` say it (`starred`,
    `not starred`)."""

    key: str
    field: str
    label: str
    words: tuple[str, str]  # what yes and no mean: ("starred", "not starred")
    cli_flags: tuple[str, str]  # the flags that set yes and no
    source: Source
    help: str = ""
    level: str = "rows"

    def defaults(self) -> dict[str, Any]:
        """See Facet.defaults: either."""
        return {self.field: None}

    def check(self, values: Mapping[str, Any]) -> None:
        """See Facet.check: yes (True), no (False) or either (None)."""
        if values.get(self.field) not in (None, True, False):
            raise ValueError(f"{self.field} must be True, False or None, not {values[self.field]!r}")

    def value(self, filters: Filters) -> bool | None:
        """True, False, or None for either."""
        return getattr(filters, self.field)

    def is_set(self, filters: Filters) -> bool:
        """See Facet.is_set."""
        return self.value(filters) is not None

    def url_keys(self) -> tuple[str, ...]:
        """See Facet.url_keys."""
        return (self.key,)

    def to_params(self, filters: Filters) -> dict[str, list[str]]:
        """See Facet.to_params: `{"starred": ["yes"]}`."""
        value = self.value(filters)
        return {} if value is None else {self.key: ["yes" if value else "no"]}

    def from_params(self, params: Mapping[str, list[str]]) -> dict[str, Any]:
        """See Facet.from_params: yes / no (true, false, 1, 0 too)."""
        raw = [v.strip().casefold() for v in _read(params, self.key)]
        if raw and raw[0] in ("yes", "true", "1"):
            return {self.field: True}
        if raw and raw[0] in ("no", "false", "0"):
            return {self.field: False}
        return {}

    def describe(self, filters: Filters) -> dict[str, str]:
        """See Facet.describe: `{"starred": "yes"}`, `{"rated": "no"}`."""
        value = self.value(filters)
        return {} if value is None else {self.key.replace("_", " "): "yes" if value else "no"}

    def add_arguments(self, group: argparse._ArgumentGroup) -> None:
        """See Facet.add_arguments: `--starred` / `--unstarred` (the last one given wins)."""
        for flag, value, words in zip(self.cli_flags, (True, False), self.words):
            group.add_argument(flag, action="store_const", const=value, default=None, dest=self.field,
                               help=f"keep the rows {words} (an annotation of the row or of its document)")

    def widget_keys(self) -> dict[str, str]:
        """See Facet.widget_keys: one switch."""
        return {self.field: self.key}


@dataclass(frozen=True)
class AnnotationRangeFacet(AnnotationFacet, RangeFacet):
    """Impact or likelihood from a lowest to a highest rating; an unrated row is outside every range."""


# ---------------------------------------------------------------------------------------------
# The facets, in the order they are described, listed as flags and drawn (search text first)
# ---------------------------------------------------------------------------------------------
FACETS: tuple[Facet, ...] = (
    ChoiceFacet(
        key="theme", field="themes", label="Themes", singular="theme", plural="themes",
        source=Source("themes", "theme", key_column="theme_key"), cli_flag="--theme",
        help="Documents with any (or all) of these themes",
        mode=MatchMode(field="theme_mode", key="theme_mode", cli_flag="--all-themes",
                       help="any: documents with at least one chosen theme; all: with every chosen theme"),
    ),
    ChoiceFacet(key="category", field="categories", label="Category", singular="category", plural="categories",
                source=Source("documents", "category"), cli_flag="--category",
                help="The document's category (its Other section)"),
    ChoiceFacet(key="type", field="types", label="Type", singular="type", plural="types",
                source=Source("documents", "type"), cli_flag="--type",
                help="The document's type (its Other section)"),
    ChoiceFacet(key="keyword", field="keywords", label="Keywords", singular="keyword", plural="keywords",
                source=Source("keywords", "keyword"), cli_flag="--keyword",
                help="Documents with any of these keywords"),
    ChoiceFacet(key="domain", field="domains", label="Source domain", singular="source domain",
                plural="source domains", source=Source("documents", "domain"), cli_flag="--domain",
                help="The article's web site"),
    ChoiceFacet(key="section", field="sections", label="Sections", singular="section", plural="sections",
                source=Source("items", "section"), cli_flag="--section", level="rows",
                help="Which tables' rows to keep", match_key=schema.section_slug,
                leading_options=schema.TABLE_SECTIONS),
    DateFacet(key="dates", label="Dates", field_names=("since", "until"), url_params=("since", "until"),
              cli_flags=("--since", "--until"), source=Source("documents", "date"),
              help="Date of the source page; documents without a valid date are left out when narrowed"),
    RangeFacet(key="relevancy", label="Relevancy", field_names=("min_relevancy", "max_relevancy"),
               url_params=("rmin", "rmax"), cli_flags=("--min-relevancy", "--max-relevancy"),
               bounds=(schema.RELEVANCY_MIN, schema.RELEVANCY_MAX), source=Source("items", schema.RELEVANCY),
               help="Keep table rows whose relevancy lies in this range"),
    TextFacet(key="q", field="text", scope_key="q_in", scope_field="text_scope", label="Search text",
              cli_flag="--text", scope_cli_flag="--text-scope",
              help="Free text, searched in rows or in documents (case-insensitive; accents count)",
              scope_help="in rows: each table row's own text (name, description, other columns); "
                         "in documents: a document's title, summary, keywords and themes, keeping all its rows"),
    SearchFacet(key="search", field="search", label="Search by words and meaning", cli_flag="--search",
                help="Keep the 100 documents a query finds by its words and its meaning together "
                     "(accents ignored; French and English; see `signals search`)"),
    # The analyst's own assessments (the sidebar's "Assessment" group): rows whose annotation, or
    # their document's, says so. Field names are those of annotations.Criteria.
    AnnotationFlagFacet(key="starred", field="starred", label="Starred", words=("starred", "not starred"),
                        cli_flags=("--starred", "--unstarred"), source=Source(ANNOTATIONS, "starred"),
                        help="Rows you starred (or whose document you starred)"),
    AnnotationChoiceFacet(key="status", field="statuses", label="Status", singular="status", plural="statuses",
                          source=Source(ANNOTATIONS, "status"), cli_flag="--status", level="rows",
                          match_key=str, allowed=schema.ANNOTATION_STATUSES,
                          leading_options=schema.ANNOTATION_STATUSES,
                          help="Your triage of the row: new (not triaged), watch, escalate, dismissed"),
    AnnotationChoiceFacet(key="tag", field="tags", label="Tags", singular="tag", plural="tags",
                          source=Source(ANNOTATIONS, "tags"), cli_flag="--tag", level="rows",
                          match_key=str.casefold, help="Rows with any of your tags (case-insensitive)"),
    AnnotationFlagFacet(key="has_note", field="has_note", label="Note", words=("with a note", "without a note"),
                        cli_flags=("--has-note", "--no-note"), source=Source(ANNOTATIONS, "note"),
                        help="Rows you wrote a note on"),
    AnnotationRangeFacet(key="impact", label="Impact", field_names=("min_impact", "max_impact"),
                         url_params=("imin", "imax"), cli_flags=("--min-impact", "--max-impact"),
                         bounds=schema.ANNOTATION_RATING_RANGE, source=Source(ANNOTATIONS, "impact"),
                         help="Your impact rating (1-5); unrated rows are left out when narrowed"),
    AnnotationRangeFacet(key="likelihood", label="Likelihood", field_names=("min_likelihood", "max_likelihood"),
                         url_params=("lmin", "lmax"), cli_flags=("--min-likelihood", "--max-likelihood"),
                         bounds=schema.ANNOTATION_RATING_RANGE, source=Source(ANNOTATIONS, "likelihood"),
                         help="Your likelihood rating (1-5); unrated rows are left out when narrowed"),
    AnnotationChoiceFacet(key="horizon", field="horizons", label="Time to impact", singular="horizon",
                          plural="horizons", source=Source(ANNOTATIONS, "horizon"), cli_flag="--horizon",
                          level="rows", match_key=str, allowed=schema.ANNOTATION_HORIZONS,
                          leading_options=schema.ANNOTATION_HORIZONS,
                          help="Your time to impact: <1y, 1-3y, 3-10y, >10y"),
    AnnotationFlagFacet(key="rated", field="rated", label="Rated", words=("rated", "unrated"),
                        cli_flags=("--rated", "--unrated"), source=Source(ANNOTATIONS, "impact"),
                        help="Rows with an impact or likelihood rating (unrated: with neither)"),
)


def field_defaults(facets: Iterable[Facet] | None = None) -> dict[str, Any]:
    """Every Filters field of the facets (FACETS by default) -> its default, in facet order."""
    defaults: dict[str, Any] = {}
    for facet in FACETS if facets is None else facets:
        defaults |= facet.defaults()
    return defaults


def url_keys() -> tuple[str, ...]:
    """Every URL parameter the facets write, in facet order (the filters' part of a URL)."""
    return tuple(key for facet in FACETS for key in facet.url_keys())


def choice_facets() -> tuple[ChoiceFacet, ...]:
    """The facets whose options are listed, with counts (documents or rows of the corpus; the
    annotation facets' counts come from the workspace, see `annotation_facets`)."""
    return tuple(facet for facet in FACETS if isinstance(facet, ChoiceFacet) and not isinstance(facet, AnnotationFacet))


def annotation_facets() -> tuple[Facet, ...]:
    """The facets over the analyst's annotations, in FACETS order (the sidebar's Assessment group)."""
    return tuple(facet for facet in FACETS if isinstance(facet, AnnotationFacet))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Every facet's flags, in one group of a subcommand's parser (`dest`: the Filters fields)."""
    group = parser.add_argument_group("filters (repeat a flag for several values)")
    for facet in FACETS:
        facet.add_arguments(group)


def check_declarations(facets: Iterable[Facet]) -> None:
    """Raise ValueError when two facets share a field, a URL parameter, a widget key or a flag (one
    would overwrite the other), or a facet's level is unknown or reads rows outside items."""
    facets = list(facets)
    claimed = {
        "field": [name for facet in facets for name in facet.defaults()],
        "URL parameter": [key for facet in facets for key in facet.url_keys()],
        "widget key": [key for facet in facets for key in facet.widget_keys().values()],
        "facet key": [facet.key for facet in facets],
    }
    for what, names in claimed.items():
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"facets share a {what}: {', '.join(repeated)}")
    for facet in facets:
        if facet.level not in LEVELS:
            raise ValueError(f"facet {facet.key}: level must be one of {LEVELS}, not {facet.level!r}")
        # Rows are picked in the items frame: a row facet reading another table could not name them.
        if facet.level == "rows" and facet.source is not None and facet.source.table != "items" \
                and not (isinstance(facet, AnnotationFacet) and facet.source.table == ANNOTATIONS):
            raise ValueError(f"facet {facet.key}: a facet of level rows reads the items table (or the annotations)")
    parser = argparse.ArgumentParser(add_help=False)
    group = parser.add_argument_group()
    for facet in facets:  # argparse itself refuses a flag given twice
        try:
            facet.add_arguments(group)
        except argparse.ArgumentError as error:
            raise ValueError(f"facets share a flag: {error}") from error


check_declarations(FACETS)
