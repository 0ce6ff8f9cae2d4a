"""The MediaWiki query API helpers: request URL and answer interpretation."""

from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.portal.api import ApiError, read_query, revisions_url
from crawler.net.politeness import retry_after_seconds


def test_revisions_url_has_the_documented_parameters():
    url = revisions_url("https://en.wikipedia.org/w/api.php", ["Portal:Current events/2014 February 13",
                                                               "Portal:Current events/2017 April 3"])
    q = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert q == {"action": "query", "format": "json", "formatversion": "2", "prop": "revisions",
                 "rvprop": "ids|timestamp|content", "rvslots": "main", "maxlag": "5",
                 "titles": "Portal:Current events/2014 February 13|Portal:Current events/2017 April 3"}


def test_read_query_pages_missing_normalized_and_continue():
    data = {
        "continue": {"rvcontinue": "3", "continue": "||"},
        "query": {
            "normalized": [{"from": "Portal:Current_events/2014_February_13",
                            "to": "Portal:Current events/2014 February 13"}],
            "pages": [
                {"pageid": 1, "ns": 100, "title": "Portal:Current events/2014 February 13",
                 "revisions": [{"revid": 1102326775, "timestamp": "2022-08-04T13:45:42Z",
                                "slots": {"main": {"content": "{{Current events}}"}}}]},
                {"ns": 100, "title": "Portal:Current events/2004 February 30", "missing": True},
                {"ns": 100, "title": "Portal:Current events/2014 February 14", "pageid": 2},
            ],
        },
    }
    res = read_query(data)
    assert res.normalized == {"Portal:Current_events/2014_February_13": "Portal:Current events/2014 February 13"}
    assert [(p.title, p.missing, p.revision_id) for p in res.pages] == [
        ("Portal:Current events/2014 February 13", False, 1102326775),
        ("Portal:Current events/2004 February 30", True, None),
    ]
    assert res.pages[0].content == "{{Current events}}"
    assert res.continue_params == {"rvcontinue": "3", "continue": "||"}


def test_error_json_raises_retryable_for_maxlag():
    with pytest.raises(ApiError) as exc:
        read_query({"error": {"code": "maxlag", "info": "Waiting for db: 6 seconds lagged", "lag": 6}})
    assert exc.value.retryable and exc.value.lag == 6
    with pytest.raises(ApiError) as exc:
        read_query({"error": {"code": "badvalue", "info": "nope"}})
    assert not exc.value.retryable


def test_unreadable_answer():
    with pytest.raises(ValueError):
        read_query({"warnings": {}})
    with pytest.raises(ValueError):
        read_query(["not", "an", "object"])


@pytest.mark.parametrize("value,expected", [(b"7", 7.0), ("0", 0.0), (" 2.5 ", 2.5), (None, None),
                                            (b"", None), ("soon", None)])
def test_retry_after_seconds(value, expected):
    assert retry_after_seconds(value) == expected


def test_retry_after_http_date():
    from datetime import datetime, timezone
    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=timezone.utc)
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", now=now) == 30.0
