"""Time `comptoir journal post` (one entry, with its commit) on a copy of the demo books.

Copies ledger-data/ into a fresh git repository, validates it once (so writes are checked
incrementally, the usual case), then times N posts as whole processes and prints the median,
the quartiles and the spread. Used to check that a change to the write path costs nothing.

    python bench/post_bench.py                 # 20 posts
    python bench/post_bench.py --posts 40 --json figures.json
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
CHILD_ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p),
                 COMPTOIR_TODAY="2026-11-28", GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@localhost",
                 GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@localhost")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--posts", type=int, default=20)
    ap.add_argument("--json", help="write the figures to this file as well")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="comptoir-post-bench-") as tmp:
        book = Path(tmp) / "book"
        shutil.copytree(REPO / "ledger-data", book, ignore=shutil.ignore_patterns("script"))
        for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "demo books"]):
            subprocess.run(["git", *cmd], cwd=book, check=True, env=CHILD_ENV)
        comptoir = [sys.executable, "-m", "comptoir", "--repo", str(book)]
        subprocess.run([*comptoir, "validate"], check=True, env=CHILD_ENV, capture_output=True)
        times = []
        for n in range(args.posts):
            started = time.perf_counter()
            subprocess.run([*comptoir, "journal", "post", "--date", "2026-11-28", "--memo", f"bench {n}",
                            "-p", "6100", "12.50", "-p", "1010", "-12.50"], check=True, env=CHILD_ENV,
                           capture_output=True)
            times.append(time.perf_counter() - started)
        count = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=book, capture_output=True, text=True,
                               check=True).stdout.strip()
        assert int(count) == args.posts + 1, count
    q = statistics.quantiles(times, n=4)
    figures = {"posts": args.posts, "median_s": round(statistics.median(times), 4), "q1_s": round(q[0], 4),
               "q3_s": round(q[2], 4), "min_s": round(min(times), 4), "max_s": round(max(times), 4)}
    print(" ".join(f"{k}={v}" for k, v in figures.items()))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
