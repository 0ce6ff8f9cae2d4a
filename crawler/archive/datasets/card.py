"""The data card of a ``wcep`` / ``hf`` dataset: splits, the figures WCEP's paper reports side by side with this
export's, fields, duplicates, provenance, licences; and the YAML header Hugging Face ``datasets`` reads (pure)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from crawler import __version__
from crawler.archive.datasets.wcep import ARTICLE_FIELDS, RECORD_FIELDS, CardFigures

# Gholipour Ghalandari et al. 2020, "A Large-Scale Multi-Document Summarization Dataset from the Wikipedia Current
# Events Portal" (ACL), Tables 3 and 4, and complementizer/wcep-mds-dataset.
WCEP = {
    "events": "10,200",
    "period": "2016-08-25 … 2019-08-20",
    "splits": "train 8,158 (2016-08-25 … 2019-01-05), val 1,020 (2019-01-06 … 2019-05-07), "
              "test 1,022 (2019-05-08 … 2019-08-20); chronological, no shared dates",
    "articles": "2.39m (WCEP-total); 650k in WCEP-100 (at most 100 an event)",
    "articles_per_event": "min 1, max 8,411, mean 234.5, median 78 (WCEP-total; WCEP-100: max 100, mean 63.7)",
    "no_article": "none: only events with at least one extracted article were kept",
    "cited_per_event": "min 1, max 5, mean 1.2, median 1 (\"# WCEP articles\")",
    "summary_words": "min 4, max 141, mean 32, median 29",
    "summary_sentences": "min 1, max 7, mean 1.4, median 1",
    "duplicates": "not marked: clusters keep syndicated copies under their several URLs",
    "dead": "not reported: cited articles were read from Wayback Machine snapshots (requested for every source "
            "not yet archived) with newspaper3k; those that failed are absent",
    "time": "newspaper3k's publish date (`time`), null when not found; no date source given",
    "extractor": "newspaper3k",
    "licences": "code MIT; summaries from Wikipedia (CC BY-SA); article text the publishers'",
}
_KIND = {"string": "string", "int": "int64", "float": "float64", "bool": "bool"}


def _fmt(value) -> str:
    if value is None:
        return "–"
    return f"{value:,.1f}" if isinstance(value, float) and not value.is_integer() else f"{int(value):,}"


def _spread(values: list[int]) -> str:
    lo, hi, mean, median = CardFigures.spread(values)
    return "none" if lo is None else f"min {_fmt(lo)}, max {_fmt(hi)}, mean {_fmt(mean)}, median {_fmt(median)}"


def _share(part: int, whole: int) -> str:
    return f"{part:,} of {whole:,} ({part / whole:.1%})" if whole else "0"


def _table(header, rows) -> list[str]:
    cell = lambda v: "" if v is None else str(v).replace("|", "\\|")  # noqa: E731
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + [
        "| " + " | ".join(cell(v) for v in row) + " |" for row in rows]


def render_wcep_card(fmt: str, stats, fig: CardFigures, facts: dict, dups: dict, *, start, end, with_text: bool,
                     keep_duplicates: bool, files: dict, out: Path) -> str:
    """The Markdown data card."""
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    out_lines = [f"# Data card: newsarchive dataset in WCEP's shape ({fmt})", "",
                 f"Exported {now} by newsarchive {__version__} (days asked: {start or 'first'} … {end or 'last'}).",
                 "One record per portal event: the event text is the summary, the articles of the sources it cites "
                 "are the documents (multi-document summarization, as WCEP).", ""]
    if fmt == "hf":
        out_lines += ["Load it offline with `datasets.load_dataset(\"<this directory>\")` or "
                      "`datasets.load_dataset(\"parquet\", data_dir=\"<this directory>/data\")`, or read the "
                      "shards with pyarrow.", ""]
    base = out if out.is_dir() else out.parent
    rel = lambda f: str(Path(f).relative_to(base)) if Path(f).is_relative_to(base) else f  # noqa: E731
    out_lines += ["## Splits", "", "Cut by date: no day is in two splits, each split is later than the one "
                  "before (as WCEP's)." if len(stats.splits) > 1 else "One split: every event.", ""]
    out_lines += _table(["split", "files", "events", "articles", "first day", "last day", "days"], [
        (s.name, ", ".join(f"`{rel(f)}`" for f in files.get(s.name, [])), _fmt(fig.per_split[s.name]),
         _fmt(fig.articles_per_split[s.name]), s.first_day, s.last_day, _fmt(s.days)) for s in stats.splits])
    cited_ok = fig.article_total + fig.collapsed
    rows = [
        ("events (clusters)", _fmt(fig.events), WCEP["events"]),
        ("period", f"{stats.first_day or '–'} … {stats.last_day or '–'}", WCEP["period"]),
        ("splits", "; ".join(f"{s.name} {_fmt(fig.per_split[s.name])} ({s.first_day} … {s.last_day})"
                             for s in stats.splits), WCEP["splits"]),
        ("articles (total)", _fmt(fig.article_total), WCEP["articles"]),
        ("articles per event", _spread(fig.articles), WCEP["articles_per_event"]),
        ("events with no article", _share(sum(1 for n in fig.articles if n == 0), fig.events),
         WCEP["no_article"]),
        ("cited sources per event", _spread(fig.citations), WCEP["cited_per_event"]),
        ("summary length in words", _spread(fig.summary_words), WCEP["summary_words"]),
        ("summary length in sentences", _spread(fig.summary_sentences), WCEP["summary_sentences"]),
        ("near-duplicates", f"{'kept' if keep_duplicates else 'collapsed'}: {_share(fig.collapsed, cited_ok)} "
                            f"of the events' cited articles are a copy of another article the same event cites; "
                            f"{_share(dups['duplicates'], dups['ok'])} of the cited articles are a copy of a "
                            f"representative ({_fmt(dups['groups'])} groups)", WCEP["duplicates"]),
        ("dead sources", f"{_share(dups['failed'], dups['sources'])} of the cited sources have no article "
                         f"(fetch or extraction failed; {_fmt(dups['pending'])} not fetched yet)", WCEP["dead"]),
        ("recovered from web archives", _share(dups["recovered"], dups["ok"]) + " of the articles ("
         + (", ".join(f"{k} {n:,}" for k, n in dups["recovered_from"]) or "none") + ")", "see above"),
        ("articles with a publication time", _share(fig.with_time, fig.article_total), WCEP["time"]),
        ("extractor versions", ", ".join(facts["extractors"]) or "none", WCEP["extractor"]),
        ("licences", "summaries CC BY-SA 4.0 (Wikipedia); article text the publishers'", WCEP["licences"]),
    ]
    out_lines += ["", "## Compared with WCEP", "",
                  "WCEP's figures are from its paper (Gholipour Ghalandari et al., ACL 2020, Tables 3–4). Its "
                  "clusters add Common Crawl articles found by a classifier to the 1.2 cited ones; this export "
                  "holds the cited sources only, so compare \"articles per event\" here with WCEP's \"cited sources "
                  "per event\".", ""]
    out_lines += _table(["figure", "this export", "WCEP"], rows)
    out_lines += ["", "## Fields", "", "A record:", ""]
    out_lines += _table(["field", "type", "meaning"], [(f"`{n}`", f"`{t}`", m) for n, t, m in RECORD_FIELDS])
    out_lines += ["", "An article:", ""]
    out_lines += _table(["field", "type", "meaning"], [(f"`{n}`", f"`{t}`", m) for n, t, m in ARTICLE_FIELDS])
    out_lines += ["", "## Near-duplicates", "",
                  "Sources whose texts are near-identical (estimated Jaccard similarity of their 5-word shingles "
                  "≥ 0.6, MinHash with 128 permutations) or tied by a canonical URL declaration share a "
                  "`duplicate_group`; its representative is the earliest published member, else the first fetched. "
                  + ("Every cited article is listed (`--keep-duplicates`)." if keep_duplicates else
                     "An event's copies of one text are one article: the representative when the event cites it, "
                     "else the first cited copy; the others' URLs are in `duplicate_urls`."),
                  "", "## Provenance", "",
                  "Events are parsed from English Wikipedia's `Portal:Current events/<date>` pages; `revision_id` "
                  "names the revision (`https://en.wikipedia.org/w/index.php?oldid=<revision_id>`). Where a date "
                  "came from (articles):", ""]
    out_lines += _table(["date source", "articles"], [(k, _fmt(n)) for k, n in dups["date_sources"]])
    out_lines += ["", "## Licences", "",
                  "- Summaries, stories, categories and entity titles: © Wikipedia contributors, CC BY-SA 4.0 "
                  "(https://creativecommons.org/licenses/by-sa/4.0/); share derived datasets alike.",
                  "- Article titles and text belong to their publishers; provided for research (text and data "
                  "mining) only" + (". Exported without text (`--no-text`)." if not with_text else
                                    "; export with `--no-text` before redistributing."),
                  "- The newsarchive software is MIT-licensed.", ""]
    return "\n".join(out_lines)


def _feature(name: str, kind: str, indent: str) -> list[str]:
    if kind in _KIND:
        return [f"{indent}- name: {name}", f"{indent}  dtype: {_KIND[kind]}"]
    if kind == "list<string>":
        return [f"{indent}- name: {name}", f"{indent}  sequence: string"]
    fields = ARTICLE_FIELDS if kind == "list<article>" else [
        ("title", "string", ""), ("label", "string", ""), ("qid", "string", "")]
    lines = [f"{indent}- name: {name}", f"{indent}  list:"]
    for n, t, _ in fields:
        lines += _feature(n, t, indent + "  ")
    return lines


def hf_header(splits, files: dict, sizes: dict, with_text: bool) -> str:
    """The YAML front matter of README.md: licence, configs (data files per split), features and split sizes."""
    q = json.dumps  # a JSON string is a valid YAML scalar
    lines = ["---", "license: other", "license_name: cc-by-sa-4.0-and-publishers",
             "license_link: https://creativecommons.org/licenses/by-sa/4.0/", "language:", "- en",
             "pretty_name: newsarchive events in WCEP's shape", "task_categories:", "- summarization",
             "tags:", "- news", "- multi-document-summarization", "- wcep", "configs:", "- config_name: default",
             "  data_files:"]
    for s in splits:
        lines += [f"  - split: {s.name}", f"    path: {q(f'data/{s.name}-*.parquet')}"]
    lines += ["dataset_info:", "  features:"]
    for n, t, _ in RECORD_FIELDS:
        lines += _feature(n, t, "  ")
    lines += ["  splits:"]
    for s in splits:
        lines += [f"  - name: {s.name}", f"    num_bytes: {sizes.get(s.name, 0)}",
                  f"    num_examples: {s.events}"]
    total = sum(sizes.values())
    lines += [f"  download_size: {total}", f"  dataset_size: {total}", "---", ""]
    return "\n".join(lines) + "\n"
