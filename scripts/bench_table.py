"""Prints the benchmark table (markdown) from the files scripts/bench.sh writes in its folder:
small.jsonl and large.jsonl (wrk's figures per page), small-queries.json and large-queries.json
(queries per page with the cache empty and warm), large-rows.txt (the data's size).

Usage: python scripts/bench_table.py bench-results

The goals (issue 18), each against the floor (/healthz) measured in the same half of the run, so
a slowdown of the whole machine between the halves cancels out:
- throughput: at least 1/8 of the floor's requests/s;
- p99 latency: at most 8× the floor's p99;
- drift: a page's share of the floor's throughput, small ÷ large, within 1.2×;
- queries: the same at both sizes, and at most 15 (cache empty).
"""

import json
import sys
from pathlib import Path

MIN_SHARE_OF_FLOOR = 1 / 8
MAX_P99_OVER_FLOOR = 8.0
MAX_DRIFT = 1.2
MAX_QUERIES = 15


def load(path):
    with open(path) as handle:
        return {row["page"]: row["result"] for row in map(json.loads, handle)}


def verdict(ok):
    return "met" if ok else "**missed**"


def main(folder):
    folder = Path(folder)
    small, large = load(folder / "small.jsonl"), load(folder / "large.jsonl")
    queries_small = json.loads((folder / "small-queries.json").read_text())
    queries_large = json.loads((folder / "large-queries.json").read_text())
    floor_small, floor_large = small["healthz"], large["healthz"]
    print((folder / "large-rows.txt").read_text().strip())
    print()
    print(
        f"Floor (/healthz): {floor_large['rps']:.0f} requests/s, p99 {floor_large['p99']:.1f} ms "
        f"at the large size ({floor_small['rps']:.0f} requests/s, p99 {floor_small['p99']:.1f} ms "
        "at the small size)."
    )
    print()
    print(
        "| page | req/s | share of floor | p50 ms | p99 ms | p99 ÷ floor | drift | "
        "queries (empty/warm cache) | ≥ 1/8 floor | p99 ≤ 8× | drift ≤ 1.2× | ≤ 15 queries |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---|---|---|---|")
    for page, result in large.items():
        if page == "healthz":
            continue
        base = small[page]
        share = result["rps"] / floor_large["rps"]
        share_small = base["rps"] / floor_small["rps"]
        p99_ratio = result["p99"] / floor_large["p99"]
        drift = share_small / share
        cold_small, warm_small = queries_small.get(page, [None, None])
        cold, warm = queries_large.get(page, [None, None])
        fixed = (cold, warm) == (cold_small, warm_small)
        queries = f"{cold}/{warm}" + ("" if fixed else f" (small: {cold_small}/{warm_small})")
        errors = result["errors"] + result["non2xx"]
        note = f" ({errors} errors)" if errors else ""
        print(
            f"| {page}{note} | {result['rps']:.0f} | 1/{1 / share:.1f} | {result['p50']:.1f} | "
            f"{result['p99']:.1f} | {p99_ratio:.1f}× | {drift:.2f}× | {queries} | "
            f"{verdict(share >= MIN_SHARE_OF_FLOOR)} | {verdict(p99_ratio <= MAX_P99_OVER_FLOOR)} | "
            f"{verdict(drift <= MAX_DRIFT)} | "
            f"{verdict(fixed and cold is not None and cold <= MAX_QUERIES)} |"
        )


if __name__ == "__main__":
    main(sys.argv[1])
