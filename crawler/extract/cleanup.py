"""Line-level clean-up of the boilerplate a main-text extractor leaves in an article's text (pure: no Scrapy).

``clean_body`` drops, line by line: the headline repeated as one of the first lines, "Related:/Read more:"
teasers and the link lists under them, short lines that share a "label | " opening (links to other stories),
newsletter prompts, follow-us and photo-credit lines, "Click To Tweet" suffixes, and bare date or time lines at
the edges of the text.
"""

from __future__ import annotations

import re
from collections import Counter

from .dates import find_text_date
from .page import norm_words

_BOILER_LINE = re.compile(
    r"^(?:"
    r"(?:related|read more|read also|see more|see also|more|also|also read|also see|also on \S+|recommended|"
    r"trending|popular|most read|more stories|more from|more on this|don'?t miss|you may also like|"
    r"you might also like|related articles?|related stories|related content|related posts?|read next|"
    r"watch|watch now|listen|tags?|topics|filed under|advertisement|sponsored|comments?|\d+ comments?|"
    r"leave a comment|share this( article| story)?|share|print|email|tweet|click here)"
    r"\s*(?:[:|»>\-–—…].{0,200})?"
    r")$",
    re.I,
)
_PROMPT_LINE = re.compile(
    r"^(?:(?:sign up|subscribe|register)\b.{0,200}(?:newsletter|inbox|email|updates)"
    r"|get the (?:latest|day'?s|best).{0,120}(?:inbox|newsletter)"
    r"|sign up (?:for|to)\b.{0,120}"
    r"|follow (?:us|\S+(?: \S+){0,5}) on (?:twitter|facebook|instagram|linkedin|google news|whatsapp|threads|"
    r"bluesky|tiktok|youtube|x)\b.{0,160}"
    r"|(?:image|images|photo|photos|picture|foto|bild|credit|photograph)\s*:\s*.{1,80}"
    r"|like this (?:story|article)\?.{0,80}"
    r"|this copy is for your personal, non-commercial use only.*"
    r"|(?:this is an? |this story is an? )?(?:breaking|developing)(?: news)?(?: new)? story\b.{0,100}"
    r"|more to follow\W*|(?:this|the) (?:story|article|post|page) (?:will be|is being) updated\b.{0,100}"
    r")$",
    re.I,
)
# a newsletter prompt anywhere in a short line ("… by signing up to our free weekly newsletter")
_NEWSLETTER_LINE = re.compile(
    r"\b(?:sign(?:ing)? up|subscrib\w*|register\w*)\b.{0,120}\b(?:newsletters?|inbox)\b"
    r"|\bnewsletters?\b.{0,80}\b(?:sign(?:ing)? up|subscrib\w*)\b",
    re.I,
)
NEWSLETTER_LINE_MAX = 250
_LIST_ITEM = re.compile(r"^[-•*]\s+")
_CLICK_TO_TWEET = re.compile(r"\s*Click To Tweet\s*$", re.I)
_TIME_ONLY = re.compile(
    r"^(?:updated|published|posted|last updated|stand)?[:\s]*"
    r"(?:\d{1,2}[:.]\d{2}\s*(?:am|pm)?\s*(?:[a-z]{2,5}\b)?)?[\s,|-]*$",
    re.I,
)
_TIME = re.compile(r"(?<![\d$£€¥.,])(?:[01]?\d|2[0-3])[:.h][0-5]\d(?![\d.,])"
                   r"(?:\s*(?:[ap]\.m\.|am\b|pm\b|uhr\b|h\b))?", re.I)
STAMP_LINE_MAX = 60


def _is_stamp_line(line: str) -> bool:
    """A time stamp in any language: a short line with a time of day and at most two words besides its times
    and separators ("Updated 15:59", "Uppdaterad 15.59 | Publicerad 14.14", "Aktualisiert 10:02 Uhr")."""
    if len(line) >= STAMP_LINE_MAX or not _TIME.search(line):
        return False
    rest = re.findall(r"[^\W\d_]+", _TIME.sub(" ", line))
    return len(rest) <= 2


_DATE_WORDS = re.compile(
    r"\d+|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b"
    r"|\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\b(?:am|pm|gmt|utc|bst|est|edt|pst|ist|cet|cest)\b"
    r"|\b(?:updated|published|posted|last|on|at|by)\b|[^\w]+",
    re.I,
)
_TEASER_HEAD = re.compile(
    r"^(related|read more|see more|more|also|recommended|don'?t miss|you may also|you might also|more stories"
    r"|more from|read next|most read|trending|popular)",
    re.I,
)


def _is_date_line(line: str) -> bool:
    if len(line) > 90 or not find_text_date(line):
        return False
    rest = _DATE_WORDS.sub(" ", line)
    return len(rest.split()) <= 2


def _pipe_label(line: str) -> str | None:
    """The label before " | " of a short line that is not a table row, when it has two words or more."""
    s = line.strip()
    if " | " not in s or s.startswith("|") or len(s) > 160:
        return None
    label = s.split(" | ", 1)[0]
    return label if len(label.split()) >= 2 else None


def clean_body(text: str, title: str | list[str] | None = None) -> str:
    """Drop boilerplate lines trafilatura leaves in (see the module docstring). ``title``: the headline, or
    all of the page's headline variants (any of them repeated as one of the first lines is dropped)."""
    if not text:
        return text
    lines = [ln.rstrip() for ln in text.split("\n")]
    titles = [title] if isinstance(title, str) else (title or [])
    title_keys = {k for k in (norm_words(t) for t in titles if t) if k}
    out: list[str] = []
    in_related = False
    n = len(lines)
    # "Read more here | <headline>": a label of two words or more that starts several short lines
    labels = Counter(_pipe_label(ln) for ln in lines)
    teaser_labels = {k for k, v in labels.items() if k and v >= 2}
    for i, line in enumerate(lines):
        s = line.strip()
        if not s:
            continue
        s = _CLICK_TO_TWEET.sub("", s)
        if not s:
            continue
        if i < 3 and norm_words(s) in title_keys:
            continue
        if _BOILER_LINE.match(s) or _PROMPT_LINE.match(s):
            # a teaser header: the short list items right under it are its links
            in_related = bool(_TEASER_HEAD.match(s))
            continue
        if in_related and (_LIST_ITEM.match(s) or (len(s) < 120 and "[" in s)):
            continue
        in_related = False
        if (len(s) < NEWSLETTER_LINE_MAX and _NEWSLETTER_LINE.search(s)) or _pipe_label(s) in teaser_labels:
            continue
        if (i < 4 or i >= n - 2) and (_is_date_line(s) or (len(s) < 40 and _TIME_ONLY.match(s))
                                        or _is_stamp_line(s)):
            continue
        out.append(s)
    return "\n".join(out)
