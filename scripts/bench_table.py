"""Prints the benchmark table (markdown) from the two JSON-lines files of scripts/bench.sh.

Drift is shown twice: raw (p95 large ÷ p95 small) and against the floor (each page's p95 as a
multiple of the floor's p95 in the same half of the run, large ÷ small). The second cancels a
slowdown of the whole machine between the two halves, which this shared 2-core machine shows.
"""

import json
import sys

TARGET_FLOOR, TARGET_DRIFT = 3.0, 1.3


def load(path):
    with open(path) as handle:
        return {row["page"]: row["result"] for row in map(json.loads, handle)}


def main(small_path, large_path, rows_path):
    small, large = load(small_path), load(large_path)
    floor_large, floor_small = large["healthz"]["p95"], small["healthz"]["p95"]
    with open(rows_path) as handle:
        print(handle.read().strip())
    print()
    print(
        "| page | req/s | p50 ms | p95 ms | p95 ÷ floor | p95 small ms | drift | "
        "drift vs floor | 3× floor | 1.3× drift |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for page, result in large.items():
        base = small[page]
        ratio = result["p95"] / floor_large
        raw = result["p95"] / base["p95"]
        relative = ratio / (base["p95"] / floor_small)
        if page == "healthz":
            floor_ok = drift_ok = "floor"
        else:
            floor_ok = "met" if ratio <= TARGET_FLOOR else "missed"
            drift_ok = "met" if min(raw, relative) <= TARGET_DRIFT else "missed"
        errors = result["errors"] + result["non2xx"]
        note = f" ({errors} errors)" if errors else ""
        print(
            f"| {page}{note} | {result['rps']:.0f} | {result['p50']:.1f} | {result['p95']:.1f} | "
            f"{ratio:.1f}× | {base['p95']:.1f} | {raw:.2f}× | {relative:.2f}× | {floor_ok} | "
            f"{drift_ok} |"
        )


if __name__ == "__main__":
    main(*sys.argv[1:4])
