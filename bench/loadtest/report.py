"""Print locust's per-page statistics as a Markdown table: requests, failures, p50, p95, p99, max;
then the sign-in figures the locustfile kept apart, and any failures.

python bench/loadtest/report.py var/loadtest/result_stats.csv [var/loadtest/result_failures.csv]
"""

import csv
import json
import sys
from pathlib import Path


def main(stats_path: str, failures_path: str | None = None) -> None:
    rows = list(csv.DictReader(Path(stats_path).read_text().splitlines()))
    print("| page | requests | failures | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        if row["Request Count"] == "0":
            continue  # the sign-in steps, once their figures were kept apart
        name = "**all pages**" if row["Name"] == "Aggregated" else row["Name"]
        print(f"| {name} | {int(row['Request Count']):,} | {int(row['Failure Count']):,} | {row['50%']} | "
              f"{row['95%']} | {row['99%']} | {float(row['Max Response Time']):.0f} |")  # fmt: skip
    sign_in = Path(stats_path).parent / "sign_in.json"
    if sign_in.exists():
        print("\nSigning in, all users at the start (before the statistics above restarted):\n")
        print("| step | requests | failures | p50 (ms) | p95 (ms) | max (ms) |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for row in json.loads(sign_in.read_text()):
            print(f"| {row['name']} | {row['requests']} | {row['failures']} | {row['p50']:.0f} | {row['p95']:.0f} | "
                  f"{row['max']:.0f} |")  # fmt: skip
    if failures_path and Path(failures_path).exists():
        failures = list(csv.DictReader(Path(failures_path).read_text().splitlines()))
        for failure in failures:
            print(f"FAILED {failure['Occurrences']}x {failure['Method']} {failure['Name']}: {failure['Error']}")


if __name__ == "__main__":
    main(*sys.argv[1:])
