"""What a write costs as the book grows: the same document writes on the company-year book at two
sizes, their times side by side and the ratio (issue 20, item 3: a write costs what it changes,
its time on the large book within 1.2x of the small one's).

Both books are made by bench/company_bench.py's generator (kept with --keep-dir and reused). Each
round resets each book to its generated commit, runs `validate` there (not timed: the usual case is
a book whose last tree comptoir has checked, so a write checks only what it adds), then times one
chain of writes as whole processes: `journal post`, `sales order`, `sales deliver` and `sales
invoice` of that order, `stock issue`, `crm lead update --note`, each dated the benchmark's today
(after every generated record, as a clerk's writes are). The books alternate within a
round, so a drift of the machine's speed hits both alike; figures are medians of --runs rounds
after a warm-up round: wall time, CPU time (the process and the git commands it waited for, which a
busy machine disturbs less) and the largest peak resident memory.

    python bench/write_bench.py                                   # 30,000 vs 300,000 entries
    python bench/write_bench.py --small 10000 --large 100000 --keep-dir /tmp/wb
    python bench/write_bench.py --python /path/to/other/venv/bin/python   # time another checkout
    python bench/write_bench.py --fsmonitor   # with git's monitor (Watchman) on in both books
    python bench/write_bench.py --all     # and stock receive, stock transfer, purchase order and
                                          # receive, journal reverse of the chain's post

A book generated before `comptoir init` set git's index settings (comptoir.book.git.INDEX_SETTINGS)
gets them set here, as docs/performance.md tells the owner of an existing book to.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import company_bench as cb  # noqa: E402
import run as ledger_bench  # noqa: E402

WRITES = ("journal post", "sales order", "sales deliver", "sales invoice", "stock issue", "crm lead update --note")
MORE = ("stock receive", "stock transfer", "purchase order", "purchase receive", "journal reverse")  # with --all


def _book(folder: Path, entries: int, orders: int, seed: int, comptoir: list[str]) -> tuple[Path, dict]:
    """The company book of `entries` in `folder`, generated unless it is there already."""
    args = argparse.Namespace(entries=entries, moves=None, leads=None, activities=None, orders=orders,
                              items=200, seed=seed)
    sizes = cb._sizes(args)
    marker = cb.git_dir(folder) / cb.MARKER if (folder / ".git").exists() else None
    info = json.loads(marker.read_text()) if marker and marker.is_file() else None
    if info is None or info.get("sizes") != sizes:
        if folder.exists():
            import shutil

            shutil.rmtree(folder)
        print(f"generating {sizes} in {folder} ...", file=sys.stderr, flush=True)
        info = cb.generate(folder, sizes, comptoir)
    _index_settings(folder)
    return folder, info


def _index_settings(folder: Path) -> None:
    """The index settings `comptoir init` gives a repository it creates (comptoir.book.git.INDEX_SETTINGS),
    set on a book generated before it did, as docs/performance.md tells a user to for an existing book."""
    import subprocess

    from comptoir.book import git

    wanted = dict(git.INDEX_SETTINGS)
    have = {key: subprocess.run(["git", "config", "--get", key], cwd=folder, capture_output=True, text=True).stdout.strip()
            for key in wanted}
    if have != wanted:
        print(f"setting git's index settings in {folder} ...", file=sys.stderr, flush=True)
        git.tune_index(folder)


def _chain(book: Path, info: dict, c: list[str]) -> list[tuple[str, list[str]]]:
    counts = info["counts"]
    out = [("journal post", ["journal", "post", "--date", cb.TODAY, "--memo", "Bench post",
                             "-p", "6400", "12.00", "-p", "1010"]),
           ("sales order", ["sales", "order", "--partner", info["customer"], "--line", f"{info['sku']} 1",
                            "--tax", "VAT20", "--warehouse", "DC", "--date", cb.TODAY]),
           ("sales deliver", ["sales", "deliver", "{order}", "--date", cb.TODAY]),
           ("sales invoice", ["sales", "invoice", "{order}", "--date", cb.TODAY])]
    sku = counts["stock item"]
    avail = json.loads(cb._output(c + ["stock", "available", sku, "--format", "json"]))
    wh = max(avail["rows"], key=lambda r: float(r["on_hand"]))["warehouse"]
    out.append(("stock issue", ["stock", "issue", sku, "--qty", "1", "--warehouse", wh, "--date", cb.TODAY,
                                "--reason", "bench"]))
    out.append(("crm lead update --note", ["crm", "lead", "update", counts["open lead"], "--note", "called back"]))
    return out


def _more(book: Path, info: dict, c: list[str]) -> list[tuple[str, list[str]]]:
    """The other stock and purchasing writes, and the reversal of the chain's post (--all)."""
    sku = info["counts"]["stock item"]
    avail = json.loads(cb._output(c + ["stock", "available", sku, "--format", "json"]))
    wh = max(avail["rows"], key=lambda r: float(r["on_hand"]))["warehouse"]
    other = next(w for w in ("DC", "W1", "W2", "W3", "W4") if w != wh)
    return [("stock receive", ["stock", "receive", sku, "--qty", "5", "--unit-cost", "3.00", "--warehouse", wh,
                               "--date", cb.TODAY]),
            ("stock transfer", ["stock", "transfer", sku, "--qty", "1", "--from", wh, "--to", other, "--date", cb.TODAY]),
            ("purchase order", ["purchase", "order", "--partner", "bench-supplies", "--line", f"{info['sku']} 5 2.00",
                                "--warehouse", "DC", "--date", cb.TODAY]),
            ("purchase receive", ["purchase", "receive", "{purchase}", "--date", cb.TODAY]),
            ("journal reverse", ["journal", "reverse", "{entry}", "--date", cb.TODAY])]


def _timed(cmd: list[str], what: str) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (with the git commands it waited for) and peak memory (KiB)."""
    import os
    import subprocess
    import tempfile

    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=cb.CHILD_ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            out.seek(0)
            raise SystemExit(f"bench: {what} failed: {' '.join(cmd)}\n{out.read().decode(errors='replace')[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def _round(book: Path, info: dict, c: list[str], head: str, figures: dict, count: bool, more: bool = False) -> None:
    cb._git(book, "reset", "-q", "--hard", head)
    cb._output(c + ["validate"])
    made: dict[str, str] = {}
    for label, argv in _chain(book, info, c) + (_more(book, info, c) if more else []):
        argv = [made.get(a[1:-1], a) if a.startswith("{") else a for a in argv]
        wall, cpu, rss = _timed(c + argv, label)
        if label == "sales order":
            made["order"] = cb._last_order(book)
        elif label in ("journal post", "purchase order"):
            names = cb._git(book, "show", "--name-only", "--format=", "HEAD").split()
            made["entry" if label == "journal post" else "purchase"] = Path(names[0]).stem
        if count:
            figures[label]["walls"].append(wall)
            figures[label]["cpus"].append(cpu)
            figures[label]["rss"].append(rss)
    cb._git(book, "reset", "-q", "--hard", head)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", type=int, default=30_000, help="journal entries of the small book (default 30000)")
    ap.add_argument("--large", type=int, default=300_000, help="journal entries of the large book (default 300000)")
    ap.add_argument("--orders", type=int, default=20, help="orders through the commands in each book (default 20)")
    ap.add_argument("--runs", type=int, default=3, help="timed rounds; medians are printed (default 3)")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--keep-dir", metavar="DIR", help="keep the books in DIR/company-N and reuse them")
    ap.add_argument("--python", help="time the comptoir installed in this interpreter's environment")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    ap.add_argument("--all", action="store_true", help="also time " + ", ".join(MORE))
    ap.add_argument("--fsmonitor", action="store_true",
                    help="turn git's file-system monitor on in both books first (`comptoir fsmonitor on`: Watchman "
                         "must be installed; a kept book keeps it on)")
    args = ap.parse_args(argv)
    import tempfile

    tmp = None if args.keep_dir else tempfile.TemporaryDirectory(prefix="comptoir-write-bench-")
    where = Path(args.keep_dir or tmp.name).resolve()  # type: ignore[union-attr]
    c0 = ledger_bench.comptoir_command()
    comptoir = [args.python, "-m", "comptoir"] if args.python else c0
    try:
        books = [_book(where / f"company-{n}", n, args.orders, args.seed, c0) for n in (args.small, args.large)]
        # the generated commit (a book made before it was noted: the one commit of the generated years)
        if args.fsmonitor:
            for book, _ in books:
                ledger_bench._run_ok(c0 + ["--repo", str(book), "fsmonitor", "on"], "fsmonitor on")
        heads = [info.get("head") or cb._git(b, "log", "--format=%H", "-1", "--grep=^Bench: the company").strip()
                 for b, info in books]
        writes = WRITES + (MORE if args.all else ())
        figures = [{label: {"walls": [], "cpus": [], "rss": []} for label in writes} for _ in books]
        t0 = time.perf_counter()
        for rnd in range(args.runs + 1):  # round 0 warms the store up, not counted
            for i, (book, info) in enumerate(books):
                _round(book, info, comptoir + ["--repo", str(book)], heads[i], figures[i], rnd > 0, args.all)
        lines = [f"write cost{' (git monitor on)' if args.fsmonitor else ''}: the same writes on the company book "
                 f"at {args.small:,} and {args.large:,} journal "
                 f"entries (+ 2/5 as many stock moves, 2/25 leads, 1/5 activities); median of {args.runs} round(s) "
                 f"after a warm-up, books alternating; load average {cb.os.getloadavg()[0]:.1f} at the end; "
                 f"{time.perf_counter() - t0:.0f} s", ""]
        head = ("write", f"wall {args.small:,}", f"wall {args.large:,}", "ratio", "<= 1.2x",
                f"CPU {args.small:,}", f"CPU {args.large:,}", "CPU ratio", "peak MB small / large")
        body = []
        for label in writes:
            small, large = (statistics.median(f[label]["walls"]) for f in figures)
            csmall, clarge = (statistics.median(f[label]["cpus"]) for f in figures)
            ratio = large / small
            body.append((label, cb._fmt(small), cb._fmt(large), f"{ratio:.2f}x", "yes" if ratio <= 1.2 else "NO",
                         cb._fmt(csmall), cb._fmt(clarge), f"{clarge / csmall:.2f}x",
                         " / ".join(f"{max(f[label]['rss']) / 1024:.0f}" for f in figures)))
        widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
        lines.append("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in body]
        print("\n".join(lines))
        if args.json:
            Path(args.json).write_text(json.dumps({"sizes": [args.small, args.large], "figures": figures,
                                                   "load": cb.os.getloadavg()}, indent=2) + "\n")
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
