"""Summarise py-spy raw (collapsed) stacks: samples per process, and per process the frames that take the most
samples inclusively and by themselves.  ``python bench/spy_summary.py spy.txt [--top 25] [--match TEXT]``"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict

PROCESS = re.compile(r'^process (\d+):".*?";')


def load(path: str) -> dict[str, Counter]:
    """{process: Counter(stack tuple → samples)}"""
    out: dict[str, Counter] = defaultdict(Counter)
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            body, _, count = line.rstrip("\n").rpartition(" ")
            pid = "?"
            while (m := PROCESS.match(body)):  # workers are nested: forkserver;worker;frames
                pid, body = m.group(1), body[m.end():]
            frames = tuple(f for f in body.split(";") if f)
            out[pid][frames] += int(count)
    return out


def frame_name(frame: str) -> str:
    return re.sub(r":\d+\)$", ")", frame)  # drop the line number: one entry per function


def summarise(stacks: Counter, top: int, match: str | None = None) -> list[str]:
    total = sum(stacks.values())
    incl, self_ = Counter(), Counter()
    for frames, n in stacks.items():
        names = [frame_name(f) for f in frames]
        if match and not any(match in f for f in names):
            continue
        for f in set(names):
            incl[f] += n
        if names:
            self_[names[-1]] += n
    lines = [f"  inclusive (of {total} samples):"]
    lines += [f"    {n / total:6.1%}  {f}" for f, n in incl.most_common(top)]
    lines += ["  self:"] + [f"    {n / total:6.1%}  {f}" for f, n in self_.most_common(top)]
    return lines


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("raw")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--match", help="only stacks through a frame containing this text")
    p.add_argument("--process", help="only this pid")
    args = p.parse_args(argv)
    procs = load(args.raw)
    for pid, stacks in sorted(procs.items(), key=lambda kv: -sum(kv[1].values())):
        if args.process and pid != args.process:
            continue
        print(f"process {pid}: {sum(stacks.values())} samples")
        print("\n".join(summarise(stacks, args.top, args.match)))


if __name__ == "__main__":
    main()
