"""The publisher's time zone, to turn a UTC instant into the calendar day the publisher printed."""

from __future__ import annotations

import re
from datetime import date, timedelta, timezone


from .dateparse import _Cand
from .page import Page

_COUNTRY_ZONE = {
    "at": "Europe/Vienna", "de": "Europe/Berlin", "ch": "Europe/Zurich", "li": "Europe/Vaduz",
    "fr": "Europe/Paris", "it": "Europe/Rome", "es": "Europe/Madrid", "pt": "Europe/Lisbon",
    "nl": "Europe/Amsterdam", "be": "Europe/Brussels", "lu": "Europe/Luxembourg", "dk": "Europe/Copenhagen",
    "se": "Europe/Stockholm", "no": "Europe/Oslo", "fi": "Europe/Helsinki", "pl": "Europe/Warsaw",
    "cz": "Europe/Prague", "sk": "Europe/Bratislava", "hu": "Europe/Budapest", "ro": "Europe/Bucharest",
    "bg": "Europe/Sofia", "gr": "Europe/Athens", "tr": "Europe/Istanbul", "ru": "Europe/Moscow",
    "ua": "Europe/Kyiv", "by": "Europe/Minsk", "lt": "Europe/Vilnius", "lv": "Europe/Riga",
    "ee": "Europe/Tallinn", "ie": "Europe/Dublin", "uk": "Europe/London", "gb": "Europe/London",
    "si": "Europe/Ljubljana", "hr": "Europe/Zagreb", "rs": "Europe/Belgrade", "ba": "Europe/Sarajevo",
    "il": "Asia/Jerusalem", "eg": "Africa/Cairo", "sa": "Asia/Riyadh", "ae": "Asia/Dubai", "qa": "Asia/Qatar",
    "kw": "Asia/Kuwait", "iq": "Asia/Baghdad", "sy": "Asia/Damascus", "lb": "Asia/Beirut", "jo": "Asia/Amman",
    "ir": "Asia/Tehran", "af": "Asia/Kabul", "pk": "Asia/Karachi", "in": "Asia/Kolkata",
    "np": "Asia/Kathmandu", "lk": "Asia/Colombo", "bd": "Asia/Dhaka", "mm": "Asia/Yangon",
    "cn": "Asia/Shanghai", "hk": "Asia/Hong_Kong", "tw": "Asia/Taipei", "jp": "Asia/Tokyo",
    "kr": "Asia/Seoul",
    "sg": "Asia/Singapore", "my": "Asia/Kuala_Lumpur",
    "id": "Asia/Jakarta", "th": "Asia/Bangkok", "vn": "Asia/Ho_Chi_Minh", "ph": "Asia/Manila",
    "au": "Australia/Sydney", "nz": "Pacific/Auckland", "za": "Africa/Johannesburg", "ng": "Africa/Lagos",
    "ke": "Africa/Nairobi", "gh": "Africa/Accra", "ca": "America/Toronto", "us": "America/New_York",
    "mx": "America/Mexico_City", "br": "America/Sao_Paulo", "ar": "America/Argentina/Buenos_Aires",
    "cl": "America/Santiago", "pe": "America/Lima", "ve": "America/Caracas", "py": "America/Asuncion",
    "uy": "America/Montevideo", "az": "Asia/Baku", "am": "Asia/Yerevan", "ge": "Asia/Tbilisi",
    "kz": "Asia/Almaty",
}
# country-code TLDs mostly used generically
_GENERIC_CC = {"co", "io", "tv", "me", "ly", "fm", "ai", "cc", "ws", "to", "gg", "so", "la", "ag", "am", "nu"}
_LOCALE_RE = re.compile(r"^[a-z]{2,3}[-_]([a-z]{2})$", re.I)
_OFFSET_RE = re.compile(r"T\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*([+-])(\d\d):?(\d\d)")


def _publisher_zone(page: Page):
    """Where the publisher's calendar day is counted: an offset other timestamps of the page
    state, else the zone of the country of the domain (ccTLD) or of the page locale; None if unknown."""
    offsets: list[str] = []
    for obj, _own in page.jsonld:
        for key in ("datePublished", "dateModified", "dateCreated", "uploadDate"):
            v = obj.get(key)
            if isinstance(v, str):
                offsets += ["".join(m) for m in _OFFSET_RE.findall(v)]
    for name in ("article:modified_time", "og:updated_time", "article:published_time", "datemodified"):
        for v in page.meta.get(name, ()):
            offsets += ["".join(m) for m in _OFFSET_RE.findall(v)]
    offsets = [o for o in offsets if o[1:] != "0000"]
    if offsets:
        o = max(set(offsets), key=offsets.count)
        return timezone((-1 if o[0] == "-" else 1) * timedelta(hours=int(o[1:3]), minutes=int(o[3:5])))
    cc = None
    host = page.host
    if host:
        tld = host.rsplit(".", 1)[-1]
        if len(tld) == 2 and tld not in _GENERIC_CC:
            cc = tld
    if cc is None:
        for loc in (page.meta_first("og:locale"), page.html_lang, page.meta_first("content-language")):
            m = _LOCALE_RE.match((loc or "").strip())
            if m:
                cc = m.group(1).lower()
                break
    name = _COUNTRY_ZONE.get(cc or "")
    if not name:
        return None
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # pragma: no cover - no tz database
        return None


def _localize(c: _Cand, zone, from_url: date | None) -> _Cand:
    """A UTC timestamp names an instant; the publisher's calendar day is that instant in its zone.

    The URL's own date settles the day when it is consistent with the instant (the publisher
    wrote its local day there); else the instant is converted to the inferred publisher zone."""
    if c.at is None or c.at.utcoffset() != timedelta(0):
        return c
    local = c.at.astimezone(zone).date() if zone is not None else c.day
    day = local
    if from_url and from_url != c.day:
        minutes = c.at.hour * 60 + c.at.minute
        if from_url == local:
            day = from_url
        elif from_url == c.day - timedelta(days=1) and minutes < 9 * 60:
            day = from_url
        elif from_url == c.day + timedelta(days=1) and 24 * 60 - minutes <= 13 * 60:
            day = from_url
    elif from_url == c.day:
        day = from_url
    if day == c.day:
        return c
    return _Cand(day, c.at, c.source, c.confidence, c.raw)


# -- dateline next to the headline -------------------------------------------------------------

