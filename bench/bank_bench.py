"""Benchmark `comptoir bank import`: a statement of N lines (CSV with a running balance) into the
benchmark book of bench/run.py (100,000 journal entries by default), timed as a whole process,
import and commit included. Two thirds of the lines are classified by rules, the rest go to
suspense; then the same file again (every line known, nothing written).

    python bench/bank_bench.py                            # 10,000 lines into 100,000 entries
    python bench/bank_bench.py --entries 3000 --lines 500 # what CI runs
    python bench/bank_bench.py --keep /tmp/book100k       # reuse bench/run.py's book (copied first)
    python bench/bank_bench.py --keep /tmp/book100k --profile /tmp/bank.prof  # cProfile of the first import
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("bench_run", REPO / "run.py")
run = importlib.util.module_from_spec(spec)
sys.modules["bench_run"] = run
spec.loader.exec_module(run)  # type: ignore[union-attr]

FORMAT = """id: bench-bank
delimiter: ';'
date_format: DD.MM.YYYY
decimal: ','
booking_date: Date
amount: Amount
counterparty: Party
text: [Text]
id_column: Ref
balance: Balance
"""
PARTIES = [("CARD FEES", "Monthly card fee"), ("ORANGE BUSINESS", "Phone bill"), ("UNKNOWN SHOP", "Purchase"),
           ("CUSTOMER SARL", "Transfer"), ("BANK", "Commission"), ("SOMEONE", "Refund")]


def statement(path: Path, lines: int, seed: int, opening: Decimal) -> None:
    rng = random.Random(seed)
    balance = opening
    day = dt.date(2026, 11, 1)
    rows = ["Date;Party;Text;Ref;Amount;Balance"]
    for i in range(lines):
        party, text = PARTIES[rng.randrange(len(PARTIES))]
        cents = rng.randint(100, 250_000) * (1 if party in ("CUSTOMER SARL", "SOMEONE") else -1)
        amount = Decimal(cents) / 100
        balance += amount
        if i and i % max(lines // 28, 1) == 0 and day < dt.date(2026, 11, 28):
            day += dt.timedelta(days=1)
        fmt = lambda d: format(d, "f").replace(".", ",")  # noqa: E731
        rows.append(f"{day:%d.%m.%Y};{party};{text} {i};B{i:06d};{fmt(amount)};{fmt(balance)}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--lines", type=int, default=10_000)
    ap.add_argument("--keep", metavar="DIR", help="bench/run.py's book to reuse (generated there if absent)")
    ap.add_argument("--profile", metavar="FILE", help="write a cProfile of the first import there (timed with it)")
    args = ap.parse_args(argv)
    comptoir = run.comptoir_command()
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "book"
        if args.keep and Path(args.keep, "comptoir.yaml").exists():
            _copy(Path(args.keep), book)
        else:
            run.generate(book, args.entries, 1, comptoir)
            if args.keep:
                _copy(book, Path(args.keep))
        setup = [["schema", "export"],  # a kept book made by an older checkout: its schemas brought up to date
                 ["account", "add", "1090", "Bank suspense", "--type", "asset", "--parent", "1000", "--role", "suspense"],
                 ["bank", "rule", "add", "fees", "--text", "/fee|commission/", "--post-to", "6500"],
                 ["bank", "rule", "add", "phone", "--counterparty", "ORANGE", "--post-to", "6210"],
                 ["bank", "rule", "add", "customers", "--counterparty", "CUSTOMER", "--post-to", "4030"]]
        fmt = Path(tmp) / "format.yaml"
        fmt.write_text(FORMAT, encoding="utf-8")
        setup.append(["bank", "format", str(fmt)])
        for cmd in setup:
            run._run_ok(comptoir + ["--repo", str(book), *cmd], " ".join(cmd[:3]))
        run._run_ok(comptoir + ["--repo", str(book), "validate"], "validate (warms the verdict)")
        stmt = Path(tmp) / "statement.csv"
        trial = json.loads(run._run_ok(comptoir + ["--repo", str(book), "report", "trial-balance", "--format",
                                                   "json"], "trial balance"))
        opening = next((Decimal(r["closing"]) for r in trial["rows"] if r["account"] == "1011"), Decimal(0))
        statement(stmt, args.lines, 5, opening)
        cmd = comptoir + ["--repo", str(book), "bank", "import", str(stmt), "--account", "1011",
                          "--rules", "bench-bank", "--format", "csv"]
        profiled = [sys.executable, "-m", "cProfile", "-o", args.profile, "-m", "comptoir", *cmd[1:]] \
            if args.profile else cmd
        done, first, first_cpu = _timed(profiled)
        if done.returncode:
            sys.exit(f"bank import failed:\n{done.stderr}")
        again, second, second_cpu = _timed(cmd)
        if again.returncode:
            sys.exit(f"second bank import failed:\n{again.stderr}")
        files = subprocess.run(["git", "show", "--name-only", "--format=", "HEAD"], cwd=book, capture_output=True,
                               text=True).stdout.split()
        print(f"bank import of {args.lines:,} lines into a book of {args.entries:,} entries: {first:.1f} s "
              f"(CPU {first_cpu:.1f} s; {len(files):,} files in one commit); the same file again: {second:.1f} s "
              f"(CPU {second_cpu:.1f} s; {again.stderr.strip().splitlines()[-1]})")
    return 0


def _timed(cmd: list[str]) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run `cmd`: its result, wall time, and CPU time (user + system, git's included): on a shared
    machine the wall time says how busy it was, the CPU time what the command cost."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return done, wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _copy(source: Path, to: Path) -> None:
    """A copy of a book, its git folder and caches included (`cp -a`: a tenth of copytree's time)."""
    if shutil.which("cp") and subprocess.run(["cp", "-a", str(source), str(to)]).returncode == 0:
        return
    shutil.rmtree(to, ignore_errors=True)
    shutil.copytree(source, to, symlinks=True)


if __name__ == "__main__":
    raise SystemExit(main())
