"""Prints the benchmark table (markdown) from the two JSON-lines files of scripts/bench.sh."""

import json
import sys

TARGET_FLOOR, TARGET_DRIFT = 3.0, 1.3


def load(path):
    with open(path) as handle:
        return {row["page"]: row["result"] for row in map(json.loads, handle)}


def main(small_path, large_path, rows_path):
    small, large = load(small_path), load(large_path)
    floor = large["healthz"]["p95"]
    with open(rows_path) as handle:
        print(handle.read().strip())
    print()
    print(
        "| page | req/s (large) | p50 ms | p95 ms | p95 ÷ floor p95 | p95 small ms | drift | targets |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for page, result in large.items():
        base = small[page]
        ratio = result["p95"] / floor if floor else 0
        drift = result["p95"] / base["p95"] if base["p95"] else 0
        ok = page == "healthz" or (ratio <= TARGET_FLOOR and drift <= TARGET_DRIFT)
        flag = "floor" if page == "healthz" else ("met" if ok else "MISSED")
        errors = result["errors"] + result["non2xx"]
        note = f" ({errors} errors)" if errors else ""
        print(
            f"| {page} | {result['rps']:.0f} | {result['p50']:.1f} | {result['p95']:.1f} | "
            f"{ratio:.2f}× | {base['p95']:.1f} | {drift:.2f}× | {flag}{note} |"
        )


if __name__ == "__main__":
    main(*sys.argv[1:4])
