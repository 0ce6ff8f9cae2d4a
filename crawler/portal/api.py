"""Pure helpers for the MediaWiki query API: build the batched revisions request, read its answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode


class ApiError(Exception):
    """An error JSON from the API (``{"error": {"code", "info"}}``)."""

    def __init__(self, code: str, info: str, lag: float | None = None):
        super().__init__(f"MediaWiki API error {code}: {info}")
        self.code = code
        self.info = info
        self.lag = lag

    @property
    def retryable(self) -> bool:
        return self.code in {"maxlag", "ratelimited", "readonly", "internal_api_error_DBQueryError",
                             "internal_api_error_DBConnectionError"}


@dataclass
class PageRevision:
    """One page of an answer: either a revision with content, missing, or invalid."""

    title: str
    missing: bool = False
    invalid: bool = False
    revision_id: int | None = None
    timestamp: str | None = None
    content: str | None = None
    invalid_reason: str | None = None


@dataclass
class QueryResult:
    pages: list[PageRevision] = field(default_factory=list)
    normalized: dict[str, str] = field(default_factory=dict)  # requested title -> canonical title
    continue_params: dict[str, str] | None = None


def revisions_url(api: str, titles: list[str], maxlag: int | None = 5, extra: dict | None = None) -> str:
    """The batched request for the latest revision (ids, timestamp, content) of up to 50 titles."""
    params = {
        "action": "query",
        "format": "json",
        "formatversion": "2",
        "prop": "revisions",
        "rvprop": "ids|timestamp|content",
        "rvslots": "main",
        "titles": "|".join(titles),
    }
    if maxlag is not None:
        params["maxlag"] = str(maxlag)
    if extra:
        params.update(extra)
    sep = "&" if "?" in api else "?"
    return api + sep + urlencode(params)


def read_query(data: dict) -> QueryResult:
    """Interpret a formatversion=2 answer; raise ApiError for an error JSON, ValueError if unreadable."""
    if not isinstance(data, dict):
        raise ValueError("API answer is not a JSON object")
    if "error" in data:
        err = data["error"] or {}
        raise ApiError(str(err.get("code", "unknown")), str(err.get("info", "")), err.get("lag"))
    query = data.get("query")
    if not isinstance(query, dict):
        if "batchcomplete" in data:
            return QueryResult()
        raise ValueError("API answer has no 'query' object")
    result = QueryResult()
    for item in query.get("normalized", []) or []:
        result.normalized[item["from"]] = item["to"]
    for page in query.get("pages", []) or []:
        title = page.get("title", "")
        if page.get("missing"):
            result.pages.append(PageRevision(title=title, missing=True))
            continue
        if page.get("invalid"):
            result.pages.append(PageRevision(title=title, invalid=True,
                                             invalid_reason=page.get("invalidreason")))
            continue
        revs = page.get("revisions") or []
        if not revs:
            continue  # content arrives in a continuation
        rev = revs[0]
        slot = (rev.get("slots") or {}).get("main") or {}
        content = slot.get("content", rev.get("content"))
        result.pages.append(PageRevision(title=title, revision_id=rev.get("revid"),
                                         timestamp=rev.get("timestamp"), content=content))
    cont = data.get("continue")
    if isinstance(cont, dict) and cont:
        result.continue_params = {k: str(v) for k, v in cont.items()}
    return result
