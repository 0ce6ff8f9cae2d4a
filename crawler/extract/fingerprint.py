"""The MinHash signature of an article's text, what near-duplicate grouping compares (pure; datasketch).

The text is lower-cased and cut into word tokens (``\\w+``); a text written without spaces between words (Chinese,
Japanese, Thai) is cut into characters instead. Its shingles are the runs of ``SHINGLE`` consecutive tokens, and
the signature is datasketch's ``MinHash`` over them with ``PERMUTATIONS`` hash functions and a fixed seed: two
signatures agree in a position with a probability equal to the Jaccard similarity of the two shingle sets.
``crawler.storage.duplicates`` stores the signature, cuts it into LSH bands and compares candidates. Changing any
constant here changes every signature: the archive's groups are then rebuilt (``newsarchive dedup --recompute``).
"""

from __future__ import annotations

import re

SHINGLE = 5  # tokens a shingle
PERMUTATIONS = 128  # hash functions of the signature (32-bit values)
SEED = 1
MIN_TOKENS = 30  # a shorter text (a stub, a teaser) is too short to tell copies from look-alikes
_WORD = re.compile(r"\w+")
_UNSPACED = 12.0  # mean characters a token above which a text is taken as written without spaces


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens, or characters for a text written without spaces."""
    words = _WORD.findall(text.lower())
    if words and sum(map(len, words)) / len(words) > _UNSPACED:
        return [ch for word in words for ch in word]
    return words


def shingles(text: str) -> set[bytes]:
    """The distinct runs of ``SHINGLE`` tokens (UTF-8 encoded); one run when the text is shorter."""
    toks = tokens(text)
    if len(toks) <= SHINGLE:
        return {" ".join(toks).encode()} if toks else set()
    return {" ".join(toks[i : i + SHINGLE]).encode() for i in range(len(toks) - SHINGLE + 1)}


def text_signature(text: str | None) -> list[int] | None:
    """The text's MinHash signature (``PERMUTATIONS`` unsigned 32-bit integers), or None for a text of fewer than
    ``MIN_TOKENS`` tokens."""
    if not text or len(tokens(text)) < MIN_TOKENS:
        return None
    from datasketch import MinHash

    minhash = MinHash(num_perm=PERMUTATIONS, seed=SEED)
    minhash.update_batch(list(shingles(text)))
    return [int(v) for v in minhash.hashvalues]
