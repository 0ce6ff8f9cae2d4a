"""htmldate's last resort, dateparser, limited to the page's language and English.

htmldate hands the strings its own patterns cannot read to one dateparser ``DateDataParser`` built for every
language, which compiles its patterns for all of dateparser's ~200 languages on first use in each process.
Inside ``page_languages(...)`` (the page's language and English, or the languages of its script:
``crawler.extract.language.date_languages``), htmldate gets a parser for those languages instead, compiled
once per process and language set. A page with no letters to go by keeps htmldate's own parser, as does a
set dateparser knows none of. The parser's settings are htmldate's own.

htmldate looks the parser up through ``htmldate.extractors.get_external_parser`` on every use; ``install()``
replaces that function (a no-op when htmldate has no such function). htmldate caches results per string, so
a string seen on a page of another language keeps that page's reading.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

import htmldate.extractors as _extractors

_HTMLDATE_PARSER = getattr(_extractors, "get_external_parser", None)
_HTMLDATE_PARSER = getattr(_HTMLDATE_PARSER, "htmldate_parser", _HTMLDATE_PARSER)  # after a reload: the original
_LANGUAGES: contextvars.ContextVar[tuple[str, ...] | None] = contextvars.ContextVar("htmldate_languages",
                                                                                      default=None)


@lru_cache(maxsize=1)
def dateparser_languages() -> frozenset[str]:
    """The language codes dateparser has data for."""
    from dateparser.data.languages_info import language_order

    return frozenset(language_order)


_ALIASES = {"no": "nb", "iw": "he", "in": "id", "ji": "yi"}  # older or macro-language codes


def usable_languages(languages: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The languages dateparser has data for, in order; None (every language) when none is given or known."""
    known = dateparser_languages()
    kept = tuple(dict.fromkeys(_ALIASES.get(code, code) for code in languages or ()))
    kept = tuple(code for code in kept if code in known)
    return kept or None


@lru_cache(maxsize=64)
def _parser_for(languages: tuple[str, ...]):
    from dateparser import DateDataParser

    return DateDataParser(languages=list(languages), settings=_HTMLDATE_PARSER()._settings)


def external_parser():
    """What htmldate uses as its dateparser: one for the current page's languages, else htmldate's own."""
    languages = _LANGUAGES.get()
    if languages is None:
        return _HTMLDATE_PARSER()
    return _parser_for(languages)


def warm_up(languages: tuple[str, ...] = ("en",)) -> None:
    """Compile dateparser's patterns for these languages now, not on a page."""
    usable = usable_languages(languages)
    if usable is not None:
        _parser_for(usable).get_date_data("Published 1 January 2020")


def install() -> bool:
    """Route htmldate's dateparser look-ups through ``external_parser``; False if htmldate has no such hook."""
    if _HTMLDATE_PARSER is None:
        return False
    external_parser.htmldate_parser = _HTMLDATE_PARSER
    _extractors.get_external_parser = external_parser
    return True


@contextmanager
def page_languages(languages: tuple[str, ...] | None) -> Iterator[tuple[str, ...] | None]:
    """Within the block, htmldate's dateparser tries ``usable_languages(languages)`` only."""
    languages = usable_languages(languages)
    token = _LANGUAGES.set(languages)
    try:
        yield languages
    finally:
        _LANGUAGES.reset(token)
