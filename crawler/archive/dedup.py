"""``newsarchive dedup``: signatures for stored texts that lack one, then the near-duplicate groups rebuilt (pure).

Archives written before signatures existed hold the article text but no signature; the crawl's own function
(``crawler.extract.fingerprint.text_signature``) signs them here in a process pool, and
``crawler.storage.duplicates.rebuild_groups`` rebuilds the LSH index and the groups from every stored signature
and canonical URL. Canonical URLs come from the pages themselves: ``newsarchive reextract`` reads them.
"""

from __future__ import annotations

import os
from itertools import islice
from concurrent.futures import ProcessPoolExecutor

from crawler.extract.fingerprint import text_signature
from crawler.storage.duplicates import (clear_signatures, pack_signature, rebuild_groups, store_signatures,
                                        texts_without_signature)
from crawler.storage.schema import open_db


def _sign(rows: list[tuple[int, str]]) -> list[tuple[int, bytes | None]]:
    return [(source_id, pack_signature(text_signature(text))) for source_id, text in rows]


def dedup(db_path: str, *, recompute: bool = False, workers: int | None = None) -> dict:
    """Sign the unsigned texts (all of them with ``recompute``), rebuild the groups; returns
    {signed, placed, groups, grouped, duplicates}."""
    db = open_db(db_path)
    try:
        if recompute:
            clear_signatures(db)
        signed = 0
        workers = workers or os.cpu_count() or 1
        with ProcessPoolExecutor(max_workers=workers) as pool:
            batches = texts_without_signature(db)
            while chunk := list(islice(batches, 2 * workers)):  # a few batches of text in memory at a time
                for result in pool.map(_sign, chunk):
                    with db.atomic():
                        store_signatures(db, result)
                    signed += len(result)
        return {"signed": signed, **rebuild_groups(db)}
    finally:
        db.close()
