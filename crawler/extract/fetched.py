"""What a fetched source holds: whether its body is an HTML page, its article, or a soft 404 (pure)."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from crawler.net.failures import one_line

HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
MIN_WORDS = 20  # below this an "article" is a stub, an index or an error page

MAGIC = ((b"%pdf", "a PDF document"), (b"\x89png", "a PNG image"), (b"gif8", "a GIF image"),
         (b"\xff\xd8\xff", "a JPEG image"), (b"pk\x03\x04", "a ZIP archive"), (b"riff", "a RIFF media file"))


def binary_kind(body: bytes) -> str | None:
    """What a body's first bytes say it is when it is a known binary format ("a PDF document"), else None."""
    head = body[:1024].lstrip().lower()
    return next((kind for magic, kind in MAGIC if head.startswith(magic)), None)


def not_html_reason(content_type: str | None, body: bytes) -> str | None:
    """Why a body is not an HTML page (None when it is): declared type, or sniffed binary content."""
    ctype = (content_type or "").split(";")[0].strip().lower()
    head = body[:1024].lstrip().lower()
    kind = binary_kind(body)
    if kind:
        return f"body is {kind}" + (f" (served as {ctype})" if ctype else "")
    if ctype in HTML_TYPES:
        return None
    if ctype in ("", "text/plain", "application/octet-stream", "binary/octet-stream"):
        if b"<html" in head or b"<!doctype html" in head or b"<head" in head or b"<body" in head:
            return None
    return f"content type {ctype or 'unknown'} is not HTML"


def is_html(content_type: str | None, body: bytes) -> bool:
    """HTML by declared type, or by sniffing when the type is missing or generic."""
    return not_html_reason(content_type, body) is None


def extract_source(body: bytes, url: str, content_type: str | None, event_day: str | None,
                   final_url: str | None = None) -> dict:
    """Run article extraction on a fetched body; returns {status, error, article fields…}.

    Runs in a worker process: plain values in and out.
    """
    from crawler.extract.article import extract_article

    if not body:
        return {"status": "empty_extraction", "error": "empty body"}
    reason = not_html_reason(content_type, body)
    if reason:
        return {"status": "not_html", "error": reason}
    day = date.fromisoformat(event_day) if event_day else None
    try:
        article = extract_article(body, final_url or url, event_day=day, content_type=content_type)
    except Exception as err:  # a bad page must not stop the run
        return {"status": "extraction_error", "error": one_line(f"{type(err).__name__}: {err}")}
    out = article.to_dict()
    words = out.get("word_count") or 0
    soft = soft_404_reason(url, final_url, out.get("title"), out.get("text") or "", words)
    if soft:
        out.update(status="soft_404", error=soft)
    elif not out.get("text") or words < MIN_WORDS:
        out.update(status="empty_extraction", error=f"no article text found ({words} words)")
    else:
        out.update(status="ok", error=None)
    out.update(duplicate_keys(body, final_url or url, out))
    return out


def duplicate_keys(body: bytes, page_url: str, article: dict) -> dict:
    """What near-duplicate grouping needs of an extracted page: the canonical URL it declares and, for an article,
    the MinHash signature of its text (``crawler.extract.canonical``, ``crawler.extract.fingerprint``)."""
    from crawler.extract.canonical import declared_canonical
    from crawler.extract.fingerprint import text_signature

    ok = article.get("status") == "ok"
    return {"canonical_url": declared_canonical(body, page_url),
            "minhash": text_signature(article.get("text")) if ok else None}


NOT_FOUND = re.compile(
    r"\b(page (was )?not found|404 (error|not found|page)|error 404|no longer (available|exists)|(page|article|story) (you requested |you are looking "
    r"for )?(cannot|could not|can't|does not|doesn't) (be found|exist)|has (been )?(removed|expired)|"
    r"seite nicht gefunden|page introuvable|página no encontrada)\b", re.I)


def soft_404_reason(url: str, final_url: str | None, title: str | None, text: str, words: int) -> str | None:
    """A 200 answer that is really "not found": a not-found title/short text, or a redirect to the home page."""
    if title and NOT_FOUND.search(title) and words < 300:
        return f"soft 404: the page says {title.strip()[:80]!r}"
    if words < 80 and NOT_FOUND.search(text[:400]):
        return "soft 404: the page says it was not found"
    if final_url and final_url != url:
        src, dst = urlsplit(url), urlsplit(final_url)
        if len(src.path.strip("/")) > 1 and dst.path.strip("/") in ("", "index.html", "index.php", "home"):
            return f"soft 404: redirected to the home page {final_url[:100]}"
    return None
