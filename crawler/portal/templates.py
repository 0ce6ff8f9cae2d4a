"""Expansion of the templates found in event text to what a reader sees.

``expand_templates`` replaces every ``{{...}}`` by wikitext (links stay links, so the caller still finds
entities); ``{{Dead link}}`` becomes ``DEAD_LINK_MARK`` so the caller can flag the citation before it.
"""

from __future__ import annotations

import re

from crawler.portal.errors import MarkupError
from crawler.portal.titles import MONTH_NAMES
from crawler.portal.units import render_convert

DEAD_LINK_MARK = "\ue000"

_BRACES_RE = re.compile(r"\{\{|\}\}")
_SPLIT_RE = re.compile(r"\{\{|\}\}|\[\[|\]\]|\|")
_NAMED_KEY_RE = re.compile(r"^\s*([\w][\w \-]*?)\s*$")

CONSTANTS = {
    "ndash": "–", "en dash": "–", "mdash": "—", "em dash": "—", "snd": " – ", "spnd": " – ",
    "sndash": " – ", "spaced ndash": " – ", "spaced en dash": " – ", "nbsp": " ", "'": "'", '"': '"',
    "'s": "'s", "!": "|", "=": "=", "!!": "||", "·": " · ", "dot": " · ", "-": "", "clear": "",
    "break": " ", "nbhyph": "‑", "okina": "ʻ", "cbignore": "", "flagicon": "", "flag icon": "",
    "flagdeco": "", "refimprove": "", "citation needed": "", "cn": "", "sfn": "", "efn": "",
    "refn": "", "r": "", "rp": "", "toc": "", "anchor": "",
}
CURRENCIES = {
    "us$": "US$", "usd": "US$", "£": "£", "gbp": "£", "€": "€", "eur": "€", "euro": "€", "¥": "¥",
    "jpy": "¥", "inr": "₹", "₹": "₹", "cad": "CA$", "ca$": "CA$", "aud": "A$", "a$": "A$",
    "nz$": "NZ$", "nzd": "NZ$", "hk$": "HK$", "hkd": "HK$", "cny": "CN¥", "rmb": "CN¥", "rub": "₽",
    "₽": "₽", "brl": "R$", "r$": "R$", "krw": "₩", "₩": "₩", "php": "₱", "₱": "₱", "ngn": "₦",
}
TEXT_TEMPLATES = {  # render the first positional argument
    "nowrap", "nobr", "nobreak", "small", "smaller", "big", "larger", "not a typo", "proper name",
    "em", "strong", "var", "code", "sup", "sub", "smallcaps", "small caps", "nowrap begin", "tooltip",
    "abbr", "abbrv", "abbr link", "keypress", "mono", "samp", "sans-serif", "serif", "italic title",
    "resize", "text", "plain",
}
DEAD_LINK_NAMES = {"dead link", "deadlink", "dead url", "404", "broken link", "dl", "dead-link",
                   "deadurl", "link broken", "dead"}
LANGUAGES = {
    "ar": "Arabic", "de": "German", "el": "Greek", "es": "Spanish", "fa": "Persian", "fr": "French",
    "he": "Hebrew", "hi": "Hindi", "it": "Italian", "ja": "Japanese", "ko": "Korean", "la": "Latin",
    "nl": "Dutch", "pl": "Polish", "pt": "Portuguese", "ru": "Russian", "tr": "Turkish",
    "uk": "Ukrainian", "ur": "Urdu", "zh": "Chinese", "sv": "Swedish", "ka": "Georgian",
}


def template_snippet(text: str) -> str:
    """The start of a template for error messages: ``{{convert|…``."""
    m = re.match(r"\{\{[^|{}\n]{0,40}\|?", text)
    return (m.group(0) if m else text[:40]) + "…"


def find_template_end(text: str, start: int) -> int:
    """Index just past the ``}}`` closing the template opened at ``start``; -1 if it never closes."""
    depth = 0
    for m in _BRACES_RE.finditer(text, start):
        depth += 1 if m.group(0) == "{{" else -1
        if depth == 0:
            return m.end()
    return -1


def split_arguments(body: str) -> list[str]:
    """Split a template body at its top-level pipes (not inside nested templates or links)."""
    parts, depth, last = [], 0, 0
    for m in _SPLIT_RE.finditer(body):
        tok = m.group(0)
        if tok in ("{{", "[["):
            depth += 1
        elif tok in ("}}", "]]"):
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append(body[last:m.start()])
            last = m.end()
    parts.append(body[last:])
    return parts


def expand_templates(text: str) -> str:
    """Replace every template of ``text`` (recursively) by its rendering; MarkupError if one is unclosed."""
    if "{{" not in text:
        return text
    out, pos = [], 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos:start])
        end = find_template_end(text, start)
        if end < 0:
            raise MarkupError(f"unclosed template '{template_snippet(text[start:])}'")
        parts = split_arguments(text[start + 2:end - 2])
        name = expand_templates(parts[0])
        positional, named = [], {}
        for part in parts[1:]:
            key, eq, value = part.partition("=")
            if eq and _NAMED_KEY_RE.match(key):
                named[key.strip().lower()] = expand_templates(value).strip()
            else:
                positional.append(expand_templates(part))
        out.append(render_template(name, positional, named))
        pos = end


def _format_num(text: str) -> str:
    m = re.fullmatch(r"\s*(-?)(\d+)(\.\d+)?\s*", text)
    if not m:
        return text.strip()
    return m.group(1) + f"{int(m.group(2)):,}" + (m.group(3) or "")


def _parser_function(name: str, value: str) -> str:
    func = name.strip().lower()
    if func == "formatnum":
        return _format_num(value)
    return {"lc": value.lower(), "uc": value.upper(), "ucfirst": value[:1].upper() + value[1:],
            "lcfirst": value[:1].lower() + value[1:]}.get(func, "")


def _cite(named: dict[str, str]) -> str:
    """``{{cite news|url=…|work=…}}`` as the portal's own citation markup, ``[URL (Outlet)]`` ("" without a URL)."""
    url = named.get("url") or named.get("archive-url") or named.get("archiveurl") or ""
    if not url.strip():
        return ""
    outlet = next((named[k] for k in ("work", "newspaper", "website", "magazine", "journal", "publisher", "agency")
                   if named.get(k, "").strip()), "")
    return f"[{url.strip()} ({outlet.strip()})]" if outlet else f"[{url.strip()}]"


def _as_of(args: list[str], named: dict[str, str]) -> str:
    if named.get("alt"):
        return named["alt"]
    lead = "Since" if named.get("since", "").lower() in ("y", "yes") else "As of"
    if named.get("lc", "").lower() in ("y", "yes"):
        lead = lead.lower()
    nums = [a.strip() for a in args[:3] if a.strip()]
    if not nums or not nums[0].isdigit():
        return lead
    year = nums[0]
    month = int(nums[1]) if len(nums) > 1 and nums[1].isdigit() and 1 <= int(nums[1]) <= 12 else None
    day = str(int(nums[2])) if len(nums) > 2 and nums[2].isdigit() else None
    if month is None:
        return f"{lead} {year}"
    month_name = MONTH_NAMES[month - 1]
    if day is None:
        return f"{lead} {month_name} {year}"
    if named.get("df", "").lower() in ("us", "mdy"):
        return f"{lead} {month_name} {day}, {year}"
    return f"{lead} {day} {month_name} {year}"


def _ill(args: list[str], named: dict[str, str]) -> str:
    target = args[0].strip() if args else ""
    label = named.get("lt") or (target if target else "")
    return f"[[{target}|{label}]]" if target else label


def _ship(args: list[str]) -> str:
    a = [x.strip() for x in args]
    if len(a) < 2:
        return " ".join(a)
    page = f"{a[0]} {a[1]}" + (f" ({a[2]})" if len(a) > 2 and a[2] else "")
    return f"[[{page}|{a[0]} ''{a[1]}'']]"


def render_template(name: str, args: list[str], named: dict[str, str]) -> str:
    """The wikitext a template renders to; unknown ones keep a lone positional argument, else vanish."""
    if ":" in name and not name.lower().startswith("template:"):
        func, _, first = name.partition(":")
        return "" if func.strip().startswith("#") else _parser_function(func, first)
    key = re.sub(r"[\s_]+", " ", name).strip()
    if key.lower().startswith("template:"):
        key = key[9:].strip()
    low = key.lower()
    first = args[0].strip() if args else ""
    if low in CONSTANTS:
        return CONSTANTS[low]
    if low in DEAD_LINK_NAMES:
        return DEAD_LINK_MARK
    if low in ("convert", "cvt"):
        return render_convert(args, named, "on" if low == "cvt" else "out")
    if low in TEXT_TEMPLATES:
        return args[0] if args else ""
    if low in CURRENCIES:
        return CURRENCIES[low] + first
    if low.startswith("cite ") or low in ("citation", "cite"):
        return _cite(named)
    if low in ("refbegin", "refend", "reflist"):
        return ""
    if low in ("lang", "transl", "transliteration", "script", "native name", "nastaliq"):
        return args[1].strip() if len(args) > 1 else first
    if low == "langx" or low.startswith("lang-"):
        code = args[0].strip() if low == "langx" else low[5:]
        text = (args[1] if low == "langx" and len(args) > 1 else first if low != "langx" else "").strip()
        language = LANGUAGES.get(code.lower())
        return f"{language}: {text}" if language else text
    if low in ("ill", "interlanguage link", "interlanguage link multi", "ill-wd", "link-interwiki"):
        return _ill(args, named)
    if low in ("as of", "asof"):
        return _as_of(args, named)
    if low in ("circa", "c.", "ca.", "ca"):
        return f"c. {first}" if first else "c."
    if low == "sic":
        text = "".join(a.strip() for a in args if a.strip() not in ("?",))
        if named.get("hide", "").lower() in ("y", "yes"):
            return text
        return f"{text} [sic]" if text else " [sic]"
    if low in ("frac", "fraction", "sfrac"):
        a = [x.strip() for x in args]
        if len(a) >= 3:
            return f"{a[0]}+{a[1]}⁄{a[2]}"
        return f"{a[0]}⁄{a[1]}" if len(a) == 2 else f"1⁄{a[0]}" if a else "⁄"
    if low in ("flag", "flagcountry", "flag country"):
        return f"[[{first}]]" if first else ""
    if low in ("ship", "sclass"):
        return _ship(args)
    if low == "nihongo":
        a = [x.strip() for x in args if x.strip()]
        return f"{a[0]} ({', '.join(a[1:])})" if len(a) > 1 else (a[0] if a else "")
    if low == "formatnum":
        return _format_num(first)
    if low in ("ubl", "unbulleted list", "hlist", "flatlist", "plainlist"):
        return ", ".join(a.strip() for a in args if a.strip())
    return args[0] if len(args) == 1 else ""
