"""Pure decisions about a failed download: its status and a one-line message."""

from __future__ import annotations

# Exception class name (anywhere in the MRO) -> status
FAILURE_STATUS = {
    "HttpError": "http_error",
    "DownloadTimeoutError": "timeout",
    "TimeoutError": "timeout",
    "TCPTimedOutError": "timeout",
    "CannotResolveHostError": "dns_error",
    "DNSLookupError": "dns_error",
    "DownloadConnectionRefusedError": "connection_refused",
    "ConnectionRefusedError": "connection_refused",
    "ConnectionLost": "connection_lost",
    "ResponseDataLossError": "truncated",
    "ResponseFailed": "connection_lost",
    "UnsupportedURLSchemeError": "bad_url",
    "BlockedAddress": "blocked_address",
    "NotInReplay": "not_in_replay",
}


def one_line(text, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def classify_failure(exc: BaseException, http_status: int | None = None) -> tuple[str, str]:
    """(status, one-line message) for a download failure."""
    names = [c.__name__ for c in type(exc).__mro__]
    if "ReplayedFailure" in names:  # WARC replay of a failure: the status recorded at capture
        return exc.status, exc.message
    cause = exc.__cause__
    if cause is not None and "DownloadFailedError" in names:
        # Scrapy ≥ 2.19 wraps Twisted's ResponseFailed (connection lost or closed before an answer)
        names = [c.__name__ for c in type(cause).__mro__] + names
        exc = cause
    message = one_line(_failure_text(exc))
    if "IgnoreRequest" in names and "robots.txt unreachable" in message:
        return "robots_unreachable", message
    if "IgnoreRequest" in names and "robots" in message.lower():
        return "robots_denied", "forbidden by robots.txt"
    low = message.lower()
    if "DownloadCancelledError" in names or "maxsize" in low or "max size" in low or "larger than" in low:
        return "too_large", message
    if "IgnoreRequest" in names and "redirect" in low:
        return "redirect_loop", message
    if "HttpError" in names and http_status is not None:
        return "http_error", f"HTTP {http_status}"
    for name in names:
        if name in FAILURE_STATUS:
            return FAILURE_STATUS[name], f"{type(exc).__name__}: {message}" if message != type(exc).__name__ else message
    return "fetch_error", f"{type(exc).__name__}: {message}"


def _failure_text(exc: BaseException) -> str:
    """``str(exc)``, with Twisted's ResponseFailed reasons (a list of Failures) spelled out."""
    reasons = getattr(exc, "reasons", None)
    if reasons and all(hasattr(r, "getErrorMessage") for r in reasons):
        return "; ".join(f"{r.type.__name__}: {r.getErrorMessage()}" for r in reasons)
    return str(exc) or type(exc).__name__
