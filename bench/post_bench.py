"""Time `comptoir journal post` (one entry, with its commit) on a copy of the demo books.

Copies ledger-data/ into a fresh git repository, validates it once (so writes are checked
incrementally, the usual case), then times N posts as whole processes and prints the median,
the quartiles and the spread. Used to check that a change to the write path costs nothing:
give `--python` once per interpreter (each a venv with another checkout installed); each gets
its own copy, and their posts alternate so a busy machine slows them alike.

    python bench/post_bench.py                 # 20 posts with this interpreter
    python bench/post_bench.py --python /tmp/base/.venv/bin/python --python .venv/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHILD_ENV = dict(os.environ, COMPTOIR_TODAY="2026-11-28", GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@localhost",
                 GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@localhost")


def _book(folder: Path, python: str) -> list[str]:
    shutil.copytree(REPO / "ledger-data", folder, ignore=shutil.ignore_patterns("script"))
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "demo books"]):
        subprocess.run(["git", *cmd], cwd=folder, check=True, env=CHILD_ENV)
    comptoir = [python, "-m", "comptoir", "--repo", str(folder)]
    subprocess.run([*comptoir, "validate"], check=True, env=CHILD_ENV, capture_output=True)
    return comptoir


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--posts", type=int, default=20)
    ap.add_argument("--python", action="append", help="an interpreter with comptoir installed (repeatable)")
    ap.add_argument("--json", help="write the figures to this file as well")
    args = ap.parse_args()
    pythons = args.python or [sys.executable]
    times: dict[str, list[float]] = {p: [] for p in pythons}
    with tempfile.TemporaryDirectory(prefix="comptoir-post-bench-") as tmp:
        books = {p: _book(Path(tmp) / f"book{i}", p) for i, p in enumerate(pythons)}
        for n in range(args.posts):
            for python in pythons:
                started = time.perf_counter()
                subprocess.run([*books[python], "journal", "post", "--date", "2026-11-28", "--memo", f"bench {n}",
                                "-p", "6100", "12.50", "-p", "1010", "-12.50"], check=True, env=CHILD_ENV,
                               capture_output=True)
                times[python].append(time.perf_counter() - started)
        for i, _ in enumerate(pythons):
            count = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=Path(tmp) / f"book{i}",
                                   capture_output=True, text=True, check=True).stdout.strip()
            assert int(count) == args.posts + 1, count
    figures = {}
    for python, got in times.items():
        q = statistics.quantiles(got, n=4)
        figures[python] = {"posts": args.posts, "median_s": round(statistics.median(got), 4), "q1_s": round(q[0], 4),
                           "q3_s": round(q[2], 4), "min_s": round(min(got), 4), "max_s": round(max(got), 4)}
        print(python, " ".join(f"{k}={v}" for k, v in figures[python].items()))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
