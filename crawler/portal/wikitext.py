"""Parse the wikitext of one ``Portal:Current events/<YYYY> <Month> <D>`` page into events.

Handles every markup era: ``{{Current events header|Y|M|D}}`` … ``|}``; ``{{Current events|…|content=…}}``
with ``;Category`` or ``'''Category'''`` headings or none (2008); ``{{Current events|…|top=yes}}`` …
``{{Current events|…|bottom=yes}}``. Unreadable pages raise ``PortalParseError`` (day, 1-based line).
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote

from crawler.items import Event, SourceRef
from crawler.portal.bullets import (LANGUAGE_PREFIXES, Bullet, BulletContent, decode_references,
                                    events_from_bullets, link_namespace, normalize_title, outlet_name)
from crawler.portal.errors import MarkupError, PortalParseError
from crawler.portal.templates import (DEAD_LINK_MARK, expand_templates, find_template_end,
                                      split_arguments)
from crawler.portal.titles import MONTH_NUMBERS
from crawler.portal.units import SUPERSCRIPT_DIGITS

_OPEN_RE = re.compile(r"\{\{\s*[Cc]urrent[ _]events(?P<header>[ _]header)?\s*(?=[|}])")
_CONTENT_PARAM_RE = re.compile(r"\|\s*content\s*=")
_BOTTOM_RE = re.compile(r"\{\{\s*[Cc]urrent[ _]events\s*\|[^{}]*\bbottom\s*=")
_ABOVE_RE = re.compile(r"<!--\s*All news items above this line\s*-->", re.I)
_BELOW_RE = re.compile(r"<!--\s*All news items below this line\s*-->", re.I)
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|$)", re.S)
_NOWIKI_RE = re.compile(r"<nowiki\s*>(.*?)</nowiki\s*>|<nowiki\s*/>", re.S | re.I)
_REF_RE = re.compile(r"<ref\b[^>]*/>|<ref\b[^>]*>(.*?)</ref\s*>", re.S | re.I)
_REF_LINK_RE = re.compile(r"\[(?:https?:|ftp:)?//[^\s\[\]<>\"]+(?:[^\[\]]|\[\[[^\[\]]*\]\])*\]", re.I)
_SUP_DIGITS_RE = re.compile(r"<sup>\s*([0-9−-]{1,3})\s*</sup>", re.I)
_BR_RE = re.compile(r"<br\s*/?>", re.I)
_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>")
_INLINE_RE = re.compile(r"\[\[|\[(?=(?:https?:|ftp:)?//[^\s\[\]<>\"])|'{2,}|" + DEAD_LINK_MARK, re.I)
_URL_RE = re.compile(r"(?:https?:|ftp:)?//[^\s\[\]<>\"]+", re.I)
_LINK_BRACKETS_RE = re.compile(r"\[\[|\]\]")
_TRAIL_RE = re.compile(r"[a-z]+")
_BOLD_HEADING_RE = re.compile(r"^'''(?!')(.+?)'''$")
_EQ_HEADING_RE = re.compile(r"^(={2,6})\s*(.+?)\s*\1$")
_NOWIKI_ESCAPES = str.maketrans({c: f"&#{ord(c)};" for c in "[]{}|'<>*;:=~"})


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _opening_params(text: str, match: re.Match) -> tuple[list[str], dict[str, str]]:
    """Positional and named parameters of the opening template, up to ``content=``."""
    end = find_template_end(text, match.start())
    content = _CONTENT_PARAM_RE.search(text, match.end())
    stop = end if end >= 0 else len(text)
    if content and content.start() < stop and "}}" not in text[match.end():content.start()]:
        stop = content.start() + 2
    positional, named = [], {}
    for part in split_arguments(text[match.start() + 2:max(stop - 2, match.end())])[1:]:
        key, eq, value = part.partition("=")
        if eq and re.fullmatch(r"\s*\w+\s*", key):
            named[key.strip().lower()] = value.strip()
        else:
            positional.append(part.strip())
    return positional, named


def _day_from_params(positional: list[str], named: dict[str, str]) -> date | None:
    values = [named.get("year"), named.get("month"), named.get("day")]
    for i, value in enumerate(values):
        if not value and i < len(positional):
            values[i] = positional[i]
    year, month, day = (v.strip() if v else "" for v in values)
    month_number = MONTH_NUMBERS.get(month.lower()) if not month.isdigit() else int(month)
    if not (year.isdigit() and day.isdigit() and month_number):
        return None
    try:
        return date(int(year), month_number, int(day))
    except ValueError:
        return None


def find_day(wikitext: str) -> date | None:
    """The day named by the page's Current events template, or None."""
    match = _OPEN_RE.search(wikitext)
    return _day_from_params(*_opening_params(wikitext, match)) if match else None


# ---- one bullet -------------------------------------------------------------------------------

def _pipe_trick(target: str) -> str:
    text = target.lstrip(":")
    if link_namespace(text):
        text = text.split(":", 1)[1]
    stripped = re.sub(r"\s*\([^()]*\)\s*$", "", text)
    return stripped if stripped != text else text.split(",", 1)[0]


def _scan(text: str, content: BulletContent) -> None:
    """Render inline wikitext (templates already expanded) into ``content``."""
    pos = 0
    while True:
        m = _INLINE_RE.search(text, pos)
        if not m:
            content.add_text(decode_references(text[pos:]))
            return
        content.add_text(decode_references(text[pos:m.start()]))
        token = m.group(0)
        if token == "[[":
            pos = _wikilink(text, m.start(), content)
        elif token == "[":
            pos = _citation(text, m.start(), content)
        elif token == DEAD_LINK_MARK:
            content.mark_dead()
            pos = m.end()
        else:  # '' italic, ''' bold, ''''' both: markup only
            n = len(token)
            content.add_text("'" if n == 4 else "'" * (n - 5) if n > 5 else "")
            pos = m.end()


def _plain(text: str) -> str:
    sub = BulletContent()
    _scan(text, sub)
    return "".join(p for p in sub.parts if isinstance(p, str))


def _wikilink(text: str, start: int, content: BulletContent) -> int:
    depth, end = 0, -1
    for m in _LINK_BRACKETS_RE.finditer(text, start):
        depth += 1 if m.group(0) == "[[" else -1
        if depth == 0:
            end = m.end()
            break
    if end < 0:
        snippet = text[start:start + 40].split("|")[0].split("\n")[0]
        raise MarkupError(f"unclosed wikilink '{snippet}…'")
    target, pipe, label = text[start + 2:end - 2].partition("|")
    namespace = link_namespace(target)
    inline = target.lstrip().startswith(":")
    if namespace in ("file", "image", "media", "category") and not inline:
        return end
    if namespace in LANGUAGE_PREFIXES and not inline:
        return end  # [[es:Title]]: the page's interlanguage sidebar link, not in the text
    trail = _TRAIL_RE.match(text, end)
    if trail:
        end = trail.end()
    if pipe and not label.strip():
        label = _pipe_trick(target)
    elif not pipe:
        label = (unquote(target) if "%" in target else target).strip().lstrip(":")
    shown = _plain(label) + (trail.group(0) if trail else "")
    content.add_text(shown)
    content.add_entity(normalize_title(target), shown)
    return end


def _citation(text: str, start: int, content: BulletContent) -> int:
    url = _URL_RE.match(text, start + 1)
    pos, close = url.end(), -1
    while pos < len(text):
        if text.startswith("[[", pos):
            inner = text.find("]]", pos)
            pos = inner + 2 if inner >= 0 else len(text)
        elif text[pos] == "]":
            close = pos
            break
        elif text[pos] == "[" and _URL_RE.match(text, pos + 1):
            break
        else:
            pos += 1
    if close < 0:
        raise MarkupError(f"unclosed citation bracket '{text[start:start + 50]}…'")
    label = _plain(text[url.end():close])
    content.add_source(SourceRef(url=decode_references(url.group(0)), outlet=outlet_name(label)))
    return close + 1


def _ref_citations(match: re.Match) -> str:
    """A ``<ref>…</ref>`` as just the citations it holds (links, cite templates); its other text is dropped."""
    inner = match.group(1) or ""
    if "//" not in inner:
        return ""
    try:
        inner = expand_templates(inner)
    except MarkupError:
        return ""
    return "".join(" " + m.group(0) for m in _REF_LINK_RE.finditer(inner))


def render_bullet(body: str) -> BulletContent:
    """The rendered content of one bullet (without its ``*``); MarkupError when unreadable."""
    text = _REF_RE.sub(_ref_citations, body)
    text = expand_templates(text)
    text = _SUP_DIGITS_RE.sub(lambda m: m.group(1).translate(SUPERSCRIPT_DIGITS), text)
    text = _TAG_RE.sub("", _BR_RE.sub(" ", text))
    content = BulletContent()
    _scan(text, content)
    return content


# ---- the page ---------------------------------------------------------------------------------

def _strip_comments(text: str) -> str:
    """Remove HTML comments, keeping their newlines so line numbers stay right."""
    text = _COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return _NOWIKI_RE.sub(lambda m: (m.group(1) or "").translate(_NOWIKI_ESCAPES), text)


def _closing_excess(line: str) -> int:
    """Index of a ``}}`` that closes a template opened before this line, or -1."""
    depth = 0
    for m in re.finditer(r"\{\{|\}\}", line):
        depth += 1 if m.group(0) == "{{" else -1
        if depth < 0:
            return m.start()
    return -1


def _heading_markup(line: str) -> str | None:
    """The wikitext naming a category on a heading line (``;X``, bold ``X``, ``==X==``), else None."""
    if line.startswith(";"):
        return line[1:]
    m = _BOLD_HEADING_RE.match(line) or _EQ_HEADING_RE.match(line)
    return m.group(m.lastindex) if m else None


def _is_block_line(line: str) -> bool:
    s = line.strip()
    return s.startswith(("*", "#", ";", "}}", "|}")) or _heading_markup(s) is not None


def _content_span(text: str, day: date | None) -> tuple[int, int, str, int]:
    """(start, end, form, template offset) of the news items; form is content, block or markers."""
    match = _OPEN_RE.search(text)
    if not match:
        below, above = _BELOW_RE.search(text), _ABOVE_RE.search(text)
        if not below and not above:
            raise PortalParseError("not a Current events day page: no {{Current events}} template "
                                   "and no news-item markers", day, 1)
        return (below.end() if below else 0), (above.start() if above else len(text)), "markers", -1
    content = _CONTENT_PARAM_RE.search(text, match.end())
    if content and "}}" not in text[match.end():content.start()]:
        start, form = content.end(), "content"
    else:
        start, form = find_template_end(text, match.start()), "block"
        if start < 0:
            raise PortalParseError(f"unclosed template '{match.group(0).strip()}|…'",
                                   day, _line_of(text, match.start()))
    end = len(text)
    for pattern in (_ABOVE_RE, _BOTTOM_RE):
        found = pattern.search(text, start)
        if found:
            end = min(end, found.start())
    return start, end, form, match.start()


def parse_wikitext(wikitext: str, day: date | None = None) -> list[Event]:
    """The events of one day page's wikitext; ``day`` (if given) wins over the template's day."""
    text = wikitext.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    page_day = find_day(text)
    day = day or page_day
    start, end, form, template_at = _content_span(text, day)
    if day is None:
        line = _line_of(text, template_at) if template_at >= 0 else 1
        raise PortalParseError("no day: not a Current events day page (the template names no "
                               "year/month/day) and none was given", None, line)
    first_line = _line_of(text, start)
    lines = _strip_comments(text[start:end]).split("\n")
    bullets: list[Bullet] = []
    category: str | None = None
    closed = form != "content"
    i = 0
    while i < len(lines):
        line_no, line = first_line + i, lines[i].strip()
        i += 1
        if not line:
            continue
        if (form == "content" and line.startswith("}}")) or (form == "block" and line.startswith("|}")):
            closed = True
            break
        if not line.startswith(("*", "#")):  # "#": a numbered list item is a bullet too
            heading = _heading_markup(line)
            if heading is not None:
                try:
                    category = render_bullet(heading).text or None
                except MarkupError as exc:
                    raise PortalParseError(str(exc), day, line_no) from None
            elif form == "content" and _closing_excess(line) >= 0:
                closed = True
                break
            continue
        level = len(line) - len(line.lstrip("*#"))
        body = line[level:]
        while body.count("{{") > body.count("}}") and i < len(lines) and not _is_block_line(lines[i]):
            body += "\n" + lines[i]
            i += 1
        cut = _closing_excess(body) if form == "content" else -1
        if cut >= 0:
            body, closed = body[:cut], True
        try:
            content = render_bullet(body)
        except MarkupError as exc:
            raise PortalParseError(str(exc), day, line_no) from None
        bullets.append(Bullet(level=level, category=category, content=content))
        if cut >= 0:
            break
    if not closed and _closing_excess(_strip_comments(text[end:])) < 0:
        opening = _OPEN_RE.match(text, template_at).group(0).strip()
        raise PortalParseError(f"unclosed template '{opening}|…' (the page never closes it)",
                               day, _line_of(text, template_at))
    return events_from_bullets(bullets, day)
