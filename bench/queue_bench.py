"""Many writers on one book: W processes each run `comptoir journal post` P times, all at once,
with the default lock wait. Checks that all W x P posts land exactly once (one commit each,
every memo once, a clean tree, `validate` passing) and that none was refused; prints the
wall time, the slowest single post (its wait in the queue included) and the throughput.

    python bench/queue_bench.py                    # 8 x 25, as issue 15 names
    python bench/queue_bench.py --workers 4 --posts 5 --json figures.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

WORKER = textwrap.dedent("""
    import json, subprocess, sys, time
    worker, posts = sys.argv[1], int(sys.argv[2])
    out = []
    for n in range(posts):
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "comptoir", "journal", "post", "--date", "2026-11-05",
                               "--memo", f"w{worker}-{n}", "-p", "6100", "1.00", "-p", "1010", "-1.00"],
                              capture_output=True, text=True)
        out.append({"seconds": time.perf_counter() - started, "code": proc.returncode,
                    "stderr": proc.stderr[-300:] if proc.returncode else ""})
    print(json.dumps(out))
""")


def git(book: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=book, capture_output=True, text=True, check=True).stdout


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--posts", type=int, default=25)
    ap.add_argument("--json", help="write the figures to this file as well")
    args = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p),
               COMPTOIR_TODAY="2026-11-28", GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@localhost",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@localhost")
    env.pop("COMPTOIR_LOCK_WAIT", None)  # the default wait, as a user has it
    with tempfile.TemporaryDirectory(prefix="comptoir-queue-bench-") as tmp:
        book = Path(tmp) / "book"
        subprocess.run([sys.executable, "-m", "comptoir", "init", str(book), "--company", "Queue", "--currency",
                        "EUR"], env=env, check=True, capture_output=True)
        env["COMPTOIR_REPO"] = str(book)
        before = int(git(book, "rev-list", "--count", "HEAD"))
        started = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(w), str(args.posts)], env=env,
                                  stdout=subprocess.PIPE, text=True) for w in range(args.workers)]
        results = [json.loads(p.communicate()[0]) for p in procs]
        wall = time.perf_counter() - started
        posts = [r for worker in results for r in worker]
        refused = [r for r in posts if r["code"]]
        memos = sorted(line.split(": ", 1)[1] for line in
                       git(book, "log", "--format=%s", f"-{args.workers * args.posts}").splitlines())
        expected = sorted(f"w{w}-{n}" for w in range(args.workers) for n in range(args.posts))
        commits = int(git(book, "rev-list", "--count", "HEAD")) - before
        clean = git(book, "status", "--porcelain") == ""
        valid = subprocess.run([sys.executable, "-m", "comptoir", "validate"], env=env,
                               capture_output=True).returncode == 0
    seconds = [r["seconds"] for r in posts]
    figures = {"workers": args.workers, "posts_each": args.posts, "landed": commits, "refused": len(refused),
               "exactly_once": memos == expected and commits == len(expected), "clean_tree": clean,
               "validate": valid, "wall_s": round(wall, 1), "posts_per_s": round(len(posts) / wall, 2),
               "median_post_s": round(statistics.median(seconds), 2), "slowest_post_s": round(max(seconds), 2)}
    print(" ".join(f"{k}={v}" for k, v in figures.items()))
    for r in refused[:5]:
        print("refused:", r["stderr"].strip(), file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if not refused and figures["exactly_once"] and clean and valid else 1


if __name__ == "__main__":
    sys.exit(main())
