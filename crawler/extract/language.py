"""A page's language: what its markup declares, else a stopword vote over its prose (no language model)."""

from __future__ import annotations

import re
import unicodedata

from .page import Page

_LANG = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]+)*$", re.I)


def markup_language(page: Page) -> str | None:
    """The two-letter code the page declares (``<html lang>``, og:locale, Content-Language meta, JSON-LD
    ``inLanguage``), or None."""
    for v in (page.html_lang, page.meta_first("og:locale"), page.meta_first("content-language"),
              page.meta_first("language"), page.meta_first("dc.language")):
        m = _LANG.match((v or "").strip())
        if m:
            code = m.group(1).lower()
            if len(code) == 2:
                return code
    for obj in page.articles[:1]:
        v = obj.get("inLanguage")
        if isinstance(v, str):
            m = _LANG.match(v.strip())
            if m and len(m.group(1)) == 2:
                return m.group(1).lower()
    return None


_STOPWORDS = {
    "en": "the and of to in is that for it was on with as he said by at from his have are",
    "de": "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch",
    "fr": "le la les de des et est en un une du que qui dans pour pas sur au par il",
    "es": "el la de que y en los del se las por un para con una su al es lo como",
    "it": "il di che la e per un in del una non sono della le con si da al gli",
    "pt": "de que o a do da em um para com não uma os no se na por mais as dos",
    "nl": "de het een van en in is dat op te zijn met voor niet aan er die ook",
}
_STOPSETS = {k: set(v.split()) for k, v in _STOPWORDS.items()}


def guess_language(text: str) -> str | None:
    """Stopword vote for a few Latin-script languages; None when unsure."""
    words = re.findall(r"[^\W\d_]+", text[:5000].lower())
    if len(words) < 30:
        return None
    scores = sorted(((sum(w in s for w in words), k) for k, s in _STOPSETS.items()), reverse=True)
    (best, lang), (second, _) = scores[0], scores[1]
    if best >= 0.15 * len(words) and best >= 1.5 * second:
        return lang
    return None


_LOCALE = re.compile(r"^([a-z]{2,3})[-_]([a-z]{2})\b", re.I)


def date_order(page: Page) -> str:
    """How the page writes numeric dates: ``"mdy"`` for American English (``en-US`` in ``<html lang>``,
    og:locale, Content-Language or JSON-LD ``inLanguage``), else ``"dmy"``."""
    values = [page.html_lang, page.meta_first("og:locale"), page.meta_first("content-language"),
              page.meta_first("language"), page.meta_first("dc.language")]
    values += [obj.get("inLanguage") for obj in page.articles[:1]]
    for v in values:
        m = _LOCALE.match(v.strip()) if isinstance(v, str) else None
        if m:
            return "mdy" if (m.group(1).lower(), m.group(2).lower()) == ("en", "us") else "dmy"
    return "dmy"


def page_language(page: Page) -> str | None:
    """The declared language, else a guess from the page's paragraphs (before any body extraction)."""
    return markup_language(page) or guess_language(page.prose_sample)


# The languages a page in a given script most likely uses (Unicode script name → dateparser languages): what
# htmldate's dateparser fallback tries when the page declares no language. Latin: the most used ones.
_SCRIPT_LANGUAGES = {
    "LATIN": ("en", "es", "fr", "de", "pt", "it", "nl", "pl", "tr", "id", "sv", "cs", "hu", "ro", "da", "fi",
              "sk", "nb", "hr", "vi"),
    "ARABIC": ("ar", "fa", "ur"), "CYRILLIC": ("ru", "uk", "bg", "sr", "be", "mk", "kk"),
    "CJK": ("zh", "ja"), "HIRAGANA": ("ja",), "KATAKANA": ("ja",), "HANGUL": ("ko",), "THAI": ("th",),
    "GREEK": ("el",), "HEBREW": ("he",), "DEVANAGARI": ("hi", "mr", "ne"), "BENGALI": ("bn",), "TAMIL": ("ta",),
    "TELUGU": ("te",), "GEORGIAN": ("ka",), "ARMENIAN": ("hy",), "KHMER": ("km",), "MYANMAR": ("my",),
    "SINHALA": ("si",), "ETHIOPIC": ("am",), "LAO": ("lo",), "GUJARATI": ("gu",), "KANNADA": ("kn",),
    "MALAYALAM": ("ml",), "GURMUKHI": ("pa",),
}


def main_script(text: str) -> str | None:
    """The Unicode script most letters of ``text`` are in (``LATIN``, ``CYRILLIC``, ``CJK``...), or None."""
    counts: dict[str, int] = {}
    for ch in text[:3000]:
        if ch.isalpha():
            script = unicodedata.name(ch, "?").split(" ", 1)[0]
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return None
    if counts.get("HIRAGANA", 0) + counts.get("KATAKANA", 0) >= 0.1 * sum(counts.values()):
        return "HIRAGANA"  # Japanese writes kanji (CJK) with kana
    return max(counts, key=counts.get)


def date_languages(page: Page) -> tuple[str, ...] | None:
    """The languages to read the page's dates in: the declared or guessed language (and English), else those
    of the script its title and prose are written in; None when even that is unknown."""
    language = page_language(page)
    if language:
        return (language,) if language == "en" else (language, "en")
    script = main_script(f"{page.title_tag or ''} {page.prose_sample}")
    languages = _SCRIPT_LANGUAGES.get(script or "")
    if languages is None:
        return None
    return languages if "en" in languages else (*languages, "en")
