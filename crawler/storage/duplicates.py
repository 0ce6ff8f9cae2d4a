"""Near-duplicate groups of sources, kept up to date as each source is stored (pure: sqlite-utils in, rows out).

A source's MinHash signature (``crawler.extract.fingerprint``, computed by the extraction workers) is stored in
``sources.minhash`` and cut into ``BANDS`` bands of ``ROWS`` values; each band's key goes in ``source_bands``. The
LSH index is that table: the candidates of a new signature are the sources sharing a band key (an index lookup,
nothing held in memory), and a candidate joins when the two signatures agree in at least ``THRESHOLD`` of their
positions (the estimated Jaccard similarity of the texts' shingles). Sources declaring the same canonical URL, or
one naming the other's URL as canonical, join whatever their texts. Groups are single-linkage: a source joining
two groups merges them (the smaller key stays). In a group the representative is the earliest published member,
else the first fetched; ``duplicate_of`` points the others at it and ``duplicate_similarity`` is each member's
similarity to it. A source whose text changes leaves its group first (the rest split where they no longer link).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Sequence

import sqlite_utils

from crawler.net.urls import source_url

BANDS, ROWS = 32, 4  # 128 values; a pair at similarity s shares a band with probability 1 - (1 - s^4)^32
THRESHOLD = 0.6  # estimated Jaccard similarity at and above which two texts are one text
SPLIT_CHECK_LIMIT = 200  # a group larger than this stays whole when a member leaves (pairwise check cost)
_SIG = struct.Struct(f"<{BANDS * ROWS}I")


def pack_signature(values: Sequence[int] | None) -> bytes | None:
    """A signature as stored in ``sources.minhash`` (little-endian unsigned 32-bit values)."""
    if not values:
        return None
    if len(values) != BANDS * ROWS:
        raise ValueError(f"a signature has {BANDS * ROWS} values, not {len(values)}")
    return _SIG.pack(*values)


def unpack_signature(blob: bytes | None) -> tuple[int, ...] | None:
    return _SIG.unpack(blob) if blob else None


def band_keys(blob: bytes) -> list[int]:
    """The LSH band keys of a stored signature: a signed 64-bit hash of the band's number and values."""
    size = ROWS * 4
    return [int.from_bytes(hashlib.blake2b(bytes([b]) + blob[b * size : (b + 1) * size], digest_size=8).digest(),
                           "little", signed=True) for b in range(BANDS)]


def similarity(a: Sequence[int] | None, b: Sequence[int] | None) -> float | None:
    """Share of positions where two signatures agree (the Jaccard estimate); None when either is missing."""
    if not a or not b:
        return None
    return sum(x == y for x, y in zip(a, b)) / len(a)


def _variants(url: str) -> list[str]:
    """A URL under http and https (a canonical declaration often differs from the fetched URL in the scheme)."""
    if url.startswith("https://"):
        return [url, "http://" + url[8:]]
    if url.startswith("http://"):
        return [url, "https://" + url[7:]]
    return [url]


def place_source(db: sqlite_utils.Database, source_id: int, minhash: bytes | None, canonical_url: str | None,
                 *, article: bool = True, threshold: float = THRESHOLD) -> int | None:
    """Store a source's signature and canonical URL and (re)place it among the groups; returns its group or None.

    Called (inside the caller's transaction) each time a source's extraction is written: it leaves the group it
    was in, then joins the sources it matches now. A page that holds no article (``article=False``: a soft 404,
    an empty page) keeps its canonical URL on record and joins nothing.
    """
    leave_group(db, source_id, threshold)
    db.execute("UPDATE sources SET minhash = ?, canonical_url = ? WHERE id = ?", [minhash, canonical_url, source_id])
    if not article:
        return None
    matches: dict[int, float | None] = {}
    own = unpack_signature(minhash)
    if minhash:
        keys = band_keys(minhash)
        db.conn.executemany("INSERT OR IGNORE INTO source_bands (band, source_id) VALUES (?, ?)",
                            [(k, source_id) for k in keys])
        marks = ",".join("?" * len(keys))
        for cid, blob in db.execute(
                f"SELECT id, minhash FROM sources WHERE id IN (SELECT source_id FROM source_bands WHERE band IN "
                f"({marks})) AND id != ?", [*keys, source_id]).fetchall():
            score = similarity(own, unpack_signature(blob))
            if score is not None and score >= threshold:
                matches[cid] = score
    urls = [u for u in db.execute("SELECT url, final_url FROM sources WHERE id = ?", [source_id]).fetchone() if u]
    for cid, blob in _canonical_partners(db, source_id, urls, canonical_url):
        matches.setdefault(cid, similarity(own, unpack_signature(blob)))
    if not matches:
        return None
    return _join(db, source_id, matches)


def _canonical_partners(db, source_id: int, urls: list[str], canonical_url: str | None) -> list[tuple[int, bytes]]:
    """Articles tied to this one by a canonical declaration: naming one of ``urls`` (its URL and final URL), or
    named by it, or declaring the same one."""
    own = sorted({v for u in urls for v in _variants(source_url(u))})
    clauses, params = [f"canonical_url IN ({','.join('?' * len(own))})"], list(own)
    if canonical_url:
        named = _variants(canonical_url)
        marks = ",".join("?" * len(named))
        clauses += [f"canonical_url IN ({marks})", f"url IN ({marks})"]
        params += named + named
    # ``+status``: the URL indexes find the rows; an index on status would walk every ok source
    return db.execute(f"SELECT id, minhash FROM sources WHERE ({' OR '.join(clauses)}) AND id != ? "
                      "AND +status = 'ok'", [*params, source_id]).fetchall()


def _join(db, source_id: int, matches: dict[int, float | None]) -> int:
    marks = ",".join("?" * len(matches))
    groups = {g for (g,) in db.execute(f"SELECT DISTINCT duplicate_group FROM sources WHERE id IN ({marks}) "
                                       "AND duplicate_group IS NOT NULL", list(matches))}
    members = {source_id, *matches}
    group = min(groups) if groups else min(members)
    if groups:
        gm = ",".join("?" * len(groups))
        members.update(i for (i,) in db.execute(f"SELECT id FROM sources WHERE duplicate_group IN ({gm})",
                                                 list(groups)))
    _set_group(db, members, group)
    refresh_group(db, group)
    return group


def _set_group(db, ids: Iterable[int], group: int | None) -> None:
    db.conn.executemany("UPDATE sources SET duplicate_group = ? WHERE id = ?", [(group, i) for i in ids])


def refresh_group(db: sqlite_utils.Database, group: int) -> None:
    """Choose the group's representative (earliest published, else first fetched) and each member's similarity to
    it; a group left with one member is dissolved."""
    rows = db.execute("SELECT id, published, published_at, fetched_at, minhash FROM sources "
                      "WHERE duplicate_group = ?", [group]).fetchall()
    if len(rows) < 2:
        db.execute("UPDATE sources SET duplicate_group = NULL, duplicate_of = NULL, duplicate_similarity = NULL "
                   "WHERE duplicate_group = ?", [group])
        return
    rep = min(rows, key=lambda r: (r[1] is None, r[1] or "", r[2] or "", r[3] or "", r[0]))
    rep_sig = unpack_signature(rep[4])
    db.conn.executemany(
        "UPDATE sources SET duplicate_of = ?, duplicate_similarity = ? WHERE id = ?",
        [(None if r[0] == rep[0] else rep[0],
          1.0 if r[0] == rep[0] else similarity(rep_sig, unpack_signature(r[4])), r[0]) for r in rows])


def leave_group(db: sqlite_utils.Database, source_id: int, threshold: float = THRESHOLD) -> None:
    """Take a source out of the LSH index and of its group; the members left split where they no longer link."""
    row = db.execute("SELECT duplicate_group, minhash FROM sources WHERE id = ?", [source_id]).fetchone()
    if row and row[1]:  # its bands, found by their keys (the table's primary key: no second index to keep)
        db.conn.executemany("DELETE FROM source_bands WHERE band = ? AND source_id = ?",
                            [(k, source_id) for k in band_keys(row[1])])
    db.execute("UPDATE sources SET duplicate_group = NULL, duplicate_of = NULL, duplicate_similarity = NULL "
               "WHERE id = ?", [source_id])
    if not row or row[0] is None:
        return
    group = row[0]
    rest = db.execute("SELECT id, url, canonical_url, minhash FROM sources WHERE duplicate_group = ?",
                      [group]).fetchall()
    if 1 < len(rest) <= SPLIT_CHECK_LIMIT:
        for part in _components(rest, threshold):
            _set_group(db, part, min(part) if len(part) > 1 else None)
            if len(part) > 1:
                refresh_group(db, min(part))
            else:
                db.execute("UPDATE sources SET duplicate_of = NULL, duplicate_similarity = NULL WHERE id = ?",
                           [part[0]])
        return
    refresh_group(db, group)


def _components(rows, threshold: float) -> list[list[int]]:
    """Connected parts of a group's members: linked by signature similarity or by a canonical declaration."""
    parent = {r[0]: r[0] for r in rows}

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    sigs = {r[0]: unpack_signature(r[3]) for r in rows}
    names = {r[0]: set(_variants(r[1])) for r in rows}
    for i, a in enumerate(rows):
        for b in rows[i + 1:]:
            score = similarity(sigs[a[0]], sigs[b[0]])
            linked = (score is not None and score >= threshold) or (a[2] and (a[2] == b[2] or a[2] in names[b[0]])) \
                or (b[2] and b[2] in names[a[0]])
            if linked:
                parent[find(a[0])] = find(b[0])
    parts: dict[int, list[int]] = {}
    for i in parent:
        parts.setdefault(find(i), []).append(i)
    return list(parts.values())


def _placed_ids(db: sqlite_utils.Database) -> list[int]:
    """Sources with a signature or a canonical URL, in first-fetched order."""
    return [i for (i,) in db.execute("SELECT id FROM sources WHERE minhash IS NOT NULL OR canonical_url IS NOT NULL "
                                     "ORDER BY fetched_at, id")]


def clear_groups(db: sqlite_utils.Database) -> None:
    """Empty the LSH index and every group (before a rebuild)."""
    db.execute("DELETE FROM source_bands")
    db.execute("UPDATE sources SET duplicate_group = NULL, duplicate_of = NULL, duplicate_similarity = NULL "
               "WHERE duplicate_group IS NOT NULL")


def texts_without_signature(db: sqlite_utils.Database, batch: int = 500):
    """Batches of (id, text) of the ok sources with text but no stored signature (one batch read at a time:
    signatures written meanwhile do not disturb the walk, which goes by id)."""
    last = -(2**63)
    while rows := db.execute("SELECT id, text FROM sources WHERE status = 'ok' AND minhash IS NULL AND text <> '' "
                             "AND id > ? ORDER BY id LIMIT ?", [last, batch]).fetchall():
        last = rows[-1][0]
        yield rows


def clear_signatures(db: sqlite_utils.Database) -> None:
    """Forget every stored signature (to sign the texts again after the signature's definition changed)."""
    db.execute("UPDATE sources SET minhash = NULL WHERE minhash IS NOT NULL")


def store_signatures(db: sqlite_utils.Database, rows: Iterable[tuple[int, bytes | None]]) -> None:
    """Write computed signatures (id, minhash) without grouping (a rebuild groups them afterwards)."""
    db.conn.executemany("UPDATE sources SET minhash = ? WHERE id = ?", [(m, i) for i, m in rows])


def rebuild_groups(db: sqlite_utils.Database, threshold: float = THRESHOLD, batch: int = 1000) -> dict:
    """Rebuild the LSH index and the groups from the stored signatures and canonical URLs, in first-fetched order;
    returns {placed, groups, grouped, duplicates}."""
    with db.atomic():
        clear_groups(db)
        ids = _placed_ids(db)
        for i in range(0, len(ids), batch):
            part = ids[i : i + batch]
            rows = db.execute(f"SELECT id, minhash, canonical_url, status FROM sources WHERE id IN "
                              f"({','.join('?' * len(part))})", part).fetchall()
            order = {sid: n for n, sid in enumerate(part)}
            for source_id, minhash, canonical, status in sorted(rows, key=lambda r: order[r[0]]):
                place_source(db, source_id, minhash, canonical, article=status == "ok", threshold=threshold)
    return {"placed": len(ids), **group_counts(db)}


def group_counts(db: sqlite_utils.Database) -> dict:
    """{groups, grouped (sources in a group), duplicates (members that are not the representative)}."""
    groups, grouped, dups = db.execute(
        "SELECT COUNT(DISTINCT duplicate_group), COUNT(duplicate_group), COUNT(duplicate_of) FROM sources "
        "WHERE duplicate_group IS NOT NULL").fetchone()
    return {"groups": groups, "grouped": grouped, "duplicates": dups}
