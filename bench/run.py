"""Benchmark comptoir on a synthetic book and compare it with ledger and hledger on the same entries.

Generates N journal entries (2-4 postings over ~60 accounts) as a committed git repository in
exactly the on-disk format comptoir writes, then times whole processes, each figure the median
of several runs: cold `validate` (parse cache deleted), warm `report trial-balance`, one
`journal post` including its commit (on a book whose tree comptoir has checked, the usual
case, and once more after forgetting that, as after a pull), `comptoir --help`, and peak memory. The same entries are
exported to a journal file that `ledger` and `hledger` read, timed in the same rounds, and
printed as ratios. Prints, never judges by exit code: exit 0 even when a target is missed,
non-zero only when a command fails.

    python bench/run.py                        # 100,000 entries, 5 runs
    python bench/run.py --entries 3000 --runs 1 --quick
    python bench/run.py --keep /tmp/book100k   # generate once, reuse on the next run
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# Children import the project from this checkout, whatever else is installed.
CHILD_ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(
    p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p))
MARKER = "comptoir-bench.json"  # inside the book's git dir: what was generated, so --keep can reuse it
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
FIRST_DAY = dt.date(2022, 1, 1)
LAST_DAY = dt.date(2026, 10, 31)

# Accounts added to the starter chart (38 accounts) to make ~60: code, name, type, parent, role.
EXTRA_ACCOUNTS = [
    ("1011", "Bank - savings", "asset", "1000", "bank"),
    ("1012", "Bank - payroll", "asset", "1000", "bank"),
    ("1110", "Receivables - export", "asset", "1000", "receivable"),
    ("1210", "Raw materials", "asset", "1000", "inventory"),
    ("1220", "Finished goods", "asset", "1000", "inventory"),
    ("1510", "Vehicles", "asset", "1000", None),
    ("1520", "Computers", "asset", "1000", None),
    ("2020", "Payables - foreign", "liability", "2000", "payable"),
    ("2410", "Credit line", "liability", "2000", None),
    ("2500", "Accrued expenses", "liability", "2000", None),
    ("4030", "Subscription revenue", "income", "4000", "revenue"),
    ("4040", "Shipping charged", "income", "4000", "revenue"),
    ("5040", "Freight in", "expense", "5000", "cogs"),
    ("6110", "Warehouse rent", "expense", "6000", "operating"),
    ("6210", "Telephone and internet", "expense", "6000", "operating"),
    ("6310", "Trade fairs", "expense", "6000", "operating"),
    ("6410", "Software subscriptions", "expense", "6000", "operating"),
    ("6420", "Office supplies", "expense", "6000", "operating"),
    ("6700", "Travel", "expense", "6000", "operating"),
    ("6710", "Meals and entertainment", "expense", "6000", "operating"),
    ("6800", "Insurance", "expense", "6000", "operating"),
    ("6810", "Professional fees", "expense", "6000", "operating"),
]

MEMOS = ["Sale to customer", "Supplier invoice", "Office supplies", "Bank fees", "Customer payment",
         "Payment to supplier", "Freight", "Software subscription", "Travel expenses", "Rent",
         "Utilities", "Marketing campaign", "Insurance premium", "Consulting", "Equipment purchase"]

TARGETS_TEXT = {
    "validate": "<= hledger check",
    "trial": "<= 0.3x ledger bal",
    "post": "<= 1.0 s",
    "help": "<= 0.15 s",
    "memory": "<= 400 MB",
}


# -- generating the book --------------------------------------------------------------------------

def _git(cwd: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@localhost",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@localhost")
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"bench: git {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def entry_text(header: str, ident: str, day: dt.date, memo: str, reference: str | None,
               postings: list[tuple[str, int]]) -> str:
    """A journal entry file as `comptoir journal post` writes it (checked against the writer)."""
    lines = [header] if header else []
    lines += [f"id: {ident}", f"date: {day.isoformat()}", f"memo: {memo}"]
    if reference:
        lines.append(f"reference: {reference}")
    lines.append("postings:")
    for account, cents in postings:
        lines.append(f"  - account: '{account}'")
        lines.append(f"    amount: {_money(cents)}")
    return "\n".join(lines) + "\n"


def _read_chart(book: Path) -> list[tuple[str, str | None]]:
    """(code, parent) of every account file; the starter chart is whatever `comptoir init` wrote."""
    chart = []
    for path in sorted((book / "accounts").glob("*.yaml")):
        fields = dict(line.split(": ", 1) for line in path.read_text(encoding="utf-8").splitlines()
                      if ": " in line and not line.startswith((" ", "#")))
        chart.append((path.stem, fields["parent"].strip("'\"") if "parent" in fields else None))
    return chart


def _leaf_accounts(chart: list[tuple[str, str | None]]) -> list[str]:
    parents = {parent for _, parent in chart if parent}
    return [code for code, _ in chart if code not in parents]


def _entries(n: int, leaves: list[str], seed: int):
    """Yield (id, date, memo, reference, [(account, cents), ...]) for n balanced entries."""
    rng = random.Random(seed)
    days = (LAST_DAY - FIRST_DAY).days + 1
    taken: set[str] = set()
    for i in range(n):
        day = FIRST_DAY + dt.timedelta(days=i * days // n)
        while True:
            ident = f"JE-{day:%Y%m%d}-" + "".join(rng.choice(ALPHABET) for _ in range(4))
            if ident not in taken:
                taken.add(ident)
                break
        count = rng.choice((2, 2, 2, 3, 3, 4))
        accounts = rng.sample(leaves, count)
        amounts = [rng.randint(100, 500_000) for _ in range(count - 1)]
        if rng.random() < 0.5:
            amounts = [-a for a in amounts]
        amounts.append(-sum(amounts))
        memo = f"{rng.choice(MEMOS)} {i:06d}"
        reference = f"INV-{rng.randint(1, 999_999):06d}" if rng.random() < 0.3 else None
        yield ident, day, memo, reference, list(zip(accounts, amounts, strict=True))


def _check_format(samples: list[tuple]) -> str:
    """The generated text must be byte-identical to what comptoir's own writer produces.

    Returns the header line the writer puts above a record's fields (an editor hint), if any.
    """
    from comptoir.book.writer import record_text
    from comptoir.schemas.registry import kind_named

    kind = kind_named("journal")
    header = ""
    for n, (ident, day, memo, reference, postings) in enumerate(samples):
        record = kind.model.model_validate({
            "id": ident, "date": day, "memo": memo,
            **({"reference": reference} if reference else {}),
            "postings": [{"account": a, "amount": Decimal(_money(c))} for a, c in postings]})
        theirs = record_text(kind, record)
        if n == 0 and theirs.startswith("#"):
            header = theirs.split("\n", 1)[0]  # e.g. a JSON Schema hint; the same for every entry
        ours = entry_text(header, ident, day, memo, reference, postings)
        if ours != theirs:
            raise SystemExit(f"bench: generated format differs from comptoir's writer:\n{ours}---\n{theirs}")
    return header


def generate(book: Path, n: int, seed: int, comptoir: list[str]) -> dict:
    t0 = time.perf_counter()
    if book.exists() and any(book.iterdir()):
        raise SystemExit(f"bench: {book} is not empty; pass an empty or new folder")
    book.parent.mkdir(parents=True, exist_ok=True)
    _run_ok(comptoir + ["init", str(book), "--company", "Bench Trading", "--currency", "EUR"], "init")
    _git(book, "config", "user.name", "bench")
    _git(book, "config", "user.email", "bench@localhost")
    # The project's own writer checks the generated format, in a child process: this one stays
    # small, because a child's peak memory starts from its parent's size at fork.
    prepared = json.loads(_run_ok([sys.executable, __file__, "--internal", "prepare", str(book), str(n), str(seed)],
                                  "bench prepare"))
    leaves = _leaf_accounts(_read_chart(book))
    made: set[Path] = set()
    for ident, day, memo, reference, postings in _entries(n, leaves, seed):
        folder = book / "journal" / f"{day.year:04d}" / f"{day.month:02d}"
        if folder not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(folder)
        with open(folder / f"{ident}.yaml", "w", encoding="utf-8", newline="\n") as fh:
            fh.write(entry_text(prepared["header"], ident, day, memo, reference, postings))
    t_files = time.perf_counter() - t0
    _git(book, "add", "-A")
    _git(book, "commit", "-q", "--no-verify", "-m",
         f"Bench: {len(EXTRA_ACCOUNTS)} accounts and {n} journal entries")
    info = {"entries": n, "seed": seed, "schemas": _schemas_digest(), "accounts": len(_read_chart(book)),
            "files_s": round(t_files, 1), "total_s": round(time.perf_counter() - t0, 1)}
    (git_dir(book) / MARKER).write_text(json.dumps(info), encoding="utf-8")
    return info


def _prepare(book: Path, n: int, seed: int) -> None:
    """Child process: add the extra accounts with comptoir's writer and check the entry format."""
    from comptoir.book.writer import record_text
    from comptoir.schemas.accounting import Account
    from comptoir.schemas.registry import kind_named

    kind = kind_named("account")
    for code, name, type_, parent, role in EXTRA_ACCOUNTS:
        record = Account(code=code, name=name, type=type_, parent=parent, role=role)
        (book / "accounts" / f"{code}.yaml").write_text(record_text(kind, record), encoding="utf-8")
    leaves = _leaf_accounts(_read_chart(book))
    samples = []
    for item in _entries(n, leaves, seed):
        samples.append(item)
        if len(samples) == 200:
            break
    print(json.dumps({"header": _check_format(samples)}))


def _schemas_digest() -> str:
    """The record schemas this checkout writes (a book made by other schemas is made again)."""
    import hashlib

    digest = hashlib.sha1()
    for path in sorted((REPO / "schemas").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def git_dir(book: Path) -> Path:
    out = _git(book, "rev-parse", "--git-common-dir").strip()
    path = Path(out)
    return path if path.is_absolute() else (book / path).resolve()


# -- exporting to ledger / hledger -----------------------------------------------------------------

def export_journal(book: Path, target: Path) -> int:
    """Export in a child process (keeps this one small); returns the number of entries."""
    out = _run_ok([sys.executable, __file__, "--internal", "export", str(book), str(target)], "bench export")
    return int(out.strip())


def _export(book: Path, target: Path) -> int:
    """Write the book's entries in the journal format ledger and hledger both read; returns the count.

    Accounts are named by their path in the chart, each level "CODE Name" (`1000 Assets:1010 Bank`),
    as a ledger user would name them; the entry id is the transaction code.
    """
    from comptoir.book.loader import load_book
    from comptoir.book.root import find_root
    from comptoir.domain.ledger import ancestors

    loaded = load_book(find_root(str(book)))
    accounts = loaded.accounts
    names: dict[str, str] = {}

    def name_of(code: str) -> str:
        if code not in names:
            chain = reversed(ancestors(accounts, code))
            names[code] = ":".join(f"{c} {_clean(accounts[c].name)}" if c in accounts else c for c in chain)
        return names[code]

    base = loaded.base
    out: list[str] = []
    for entry in sorted(loaded.entries.values(), key=lambda e: (e.date, e.id)):
        out.append(f"{entry.date.isoformat()} ({entry.id}) {_clean(entry.memo)}")
        for p in entry.postings:
            amount = f"{format(p.amount, 'f')} {p.currency or base}"
            if p.rate is not None:
                amount += f" @ {format(p.rate, 'f')} {base}"
            out.append(f"    {name_of(p.account)}  {amount}")
        out.append("")
    target.write_text("\n".join(out), encoding="utf-8")
    return len(loaded.entries)


def _clean(text: str) -> str:
    """One line, no comment or account-separator characters, no double spaces (ledger's field gap)."""
    return " ".join(text.replace(";", ",").replace(":", " ").split())


# -- measuring -------------------------------------------------------------------------------------

@dataclass
class Measure:
    label: str
    walls: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def peak_mb(self) -> float:
        return max(self.rss_kb) / 1024 if self.rss_kb else 0.0


class CommandFailed(Exception):
    pass


def run_timed(cmd: list[str], what: str, stdin: str | None = None) -> tuple[float, int]:
    """Wall seconds and peak resident memory (KiB, the largest single process) of one whole run."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=CHILD_ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            out.seek(0)
            text = (err.read() or out.read()).decode(errors="replace").strip()
            raise CommandFailed(f"{what} exited {proc.returncode}: {' '.join(cmd)}\n{text[-2000:]}")
    return wall, usage.ru_maxrss


def _run_ok(cmd: list[str], what: str) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, env=CHILD_ENV)
    if proc.returncode != 0:
        raise CommandFailed(f"{what} exited {proc.returncode}: {' '.join(cmd)}\n{proc.stderr.strip()[-2000:]}")
    return proc.stdout


def comptoir_command() -> list[str]:
    """The installed console script next to this interpreter (not a shell shim), else `python -m comptoir`."""
    script = Path(sys.executable).parent / "comptoir"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "cli"]


def drop_cache(book: Path) -> None:
    """Delete comptoir's parse cache (every version of it) so the next read is cold."""
    shutil.rmtree(git_dir(book) / "comptoir" / "store" / "parse", ignore_errors=True)


def drop_verdicts(book: Path) -> None:
    """Forget which trees comptoir has checked, so the next write checks the whole book."""
    shutil.rmtree(git_dir(book) / "comptoir" / "store" / "verdict", ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entries", type=int, default=100_000, help="journal entries to generate (default 100000)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs of each command; medians are printed (default 5)")
    ap.add_argument("--quick", action="store_true",
                    help="fewer measurements for CI: no warm-up runs, no `hledger check`, no cross-check")
    ap.add_argument("--keep", metavar="DIR", help="generate the book in DIR and keep it; reused when DIR already "
                                                 "holds a book generated with the same --entries and --seed")
    ap.add_argument("--book", metavar="DIR", help="use this existing comptoir book as it is (no generation)")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    ap.add_argument("--internal", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.internal:
        what, *rest = args.internal
        if what == "prepare":
            _prepare(Path(rest[0]), int(rest[1]), int(rest[2]))  # prints the writer's header as JSON
        elif what == "export":
            print(_export(Path(rest[0]), Path(rest[1])))
        return 0
    if args.runs < 1 or args.entries < 1:
        ap.error("--runs and --entries must be at least 1")
    try:
        return _bench(args)
    except CommandFailed as exc:
        print(f"bench: FAILED: {exc}", file=sys.stderr)
        return 1


def _bench(args) -> int:
    comptoir = comptoir_command()
    tmp: tempfile.TemporaryDirectory | None = None
    generated: dict | None = None
    if args.book:
        book = Path(args.book).resolve()
    elif args.keep:
        book = Path(args.keep).resolve()
        marker = git_dir(book) / MARKER if (book / ".git").exists() else None
        old = json.loads(marker.read_text()) if marker and marker.is_file() else None
        if old and (old.get("entries"), old.get("seed"), old.get("schemas")) == \
                (args.entries, args.seed, _schemas_digest()):
            print(f"reusing the book in {book}", file=sys.stderr)
        else:
            if old:  # a book this script made, for other settings or other schemas: make it again
                shutil.rmtree(book)
            generated = generate(book, args.entries, args.seed, comptoir)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="comptoir-bench-")
        book = Path(tmp.name) / "book"
    try:
        if generated is None and not args.book and not args.keep:
            print(f"generating {args.entries:,} entries in {book} ...", file=sys.stderr)
            generated = generate(book, args.entries, args.seed, comptoir)
        return _measure(args, book, comptoir, generated)
    finally:
        if tmp is not None:
            tmp.cleanup()


def _measure(args, book: Path, comptoir: list[str], generated: dict | None) -> int:
    repo = ["--repo", str(book)]
    runs = args.runs
    journal_file = git_dir(book) / "bench-export.journal"
    peers_available = {name: shutil.which(name) for name in ("ledger", "hledger")}

    validate = Measure("cold validate (no parse cache)")
    trial = Measure("warm report trial-balance")
    post = Measure("journal post (with its commit)")
    post_whole = Measure("journal post, book not known clean")
    help_ = Measure("comptoir --help")
    peer_cmds: dict[str, list[str]] = {}
    if peers_available["ledger"]:
        peer_cmds["ledger -f F bal"] = [peers_available["ledger"], "-f", str(journal_file), "bal"]
    if peers_available["hledger"]:
        peer_cmds["hledger -f F bal"] = [peers_available["hledger"], "-f", str(journal_file), "bal"]
        if not args.quick:
            peer_cmds["hledger -f F check"] = [peers_available["hledger"], "-f", str(journal_file), "check"]
    peers = {name: Measure(name) for name in peer_cmds}

    def cold_validate() -> None:
        drop_cache(book)
        w, rss = run_timed(comptoir + repo + ["validate"], "comptoir validate")
        validate.walls.append(w)
        validate.rss_kb.append(rss)

    # First run: checks the book is valid, fills the cache, and gives the entry count for the export.
    cold_validate()
    if not args.quick:
        validate.walls.clear()
        validate.rss_kb.clear()  # the first run also warmed the OS file cache: a warm-up, not counted
    t0 = time.perf_counter()
    count = export_journal(book, journal_file) if peer_cmds else 0
    export_s = time.perf_counter() - t0
    if peer_cmds and not args.quick:
        for name, cmd in peer_cmds.items():
            run_timed(cmd, name)  # warm-up; also fails early when the export is unreadable
        _cross_check(book, comptoir, peer_cmds, journal_file)
    run_timed(comptoir + repo + ["report", "trial-balance"], "comptoir report trial-balance")  # warm-up

    rng = random.Random(args.seed + 1)
    day = LAST_DAY
    for i in range(runs):
        if not (args.quick and i == 0):  # in quick mode the first validate above is counted
            cold_validate()
        w, rss = run_timed(comptoir + repo + ["report", "trial-balance"], "comptoir report trial-balance")
        trial.walls.append(w)
        trial.rss_kb.append(rss)
        for name, cmd in peer_cmds.items():
            w, rss = run_timed(cmd, name)
            peers[name].walls.append(w)
            peers[name].rss_kb.append(rss)
        cents = rng.randint(100, 100_000)
        w, rss = run_timed(comptoir + repo + ["journal", "post", "--date", day.isoformat(),
                                              "--memo", f"Bench post {i + 1}",
                                              "-p", "6420", _money(cents), "-p", "1010"], "comptoir journal post")
        post.walls.append(w)
        post.rss_kb.append(rss)
        # The first write after a commit comptoir did not check (a pull, a hand edit) checks the
        # whole book; the writes after it check only what they add.
        drop_verdicts(book)
        w, rss = run_timed(comptoir + repo + ["journal", "post", "--date", day.isoformat(),
                                              "--memo", f"Bench post {i + 1}b",
                                              "-p", "6420", _money(cents), "-p", "1010"], "comptoir journal post")
        post_whole.walls.append(w)
        post_whole.rss_kb.append(rss)
        for _ in range(3):
            w, rss = run_timed(comptoir + ["--help"], "comptoir --help")
            help_.walls.append(w)
            help_.rss_kb.append(rss)

    entries = generated["entries"] if generated else count
    report = _report(args, book, entries, generated, export_s, validate, trial, post, post_whole, help_, peers)
    print(report["text"])
    if args.json:
        Path(args.json).write_text(json.dumps(report["data"], indent=2) + "\n", encoding="utf-8")
    return 0


def _cross_check(book: Path, comptoir: list[str], peer_cmds: dict, journal_file: Path) -> None:
    """The peers must see the same totals per account as comptoir, or the comparison is unfair."""
    data = json.loads(_run_ok(comptoir + ["--repo", str(book), "report", "trial-balance", "--format", "json"],
                              "comptoir report trial-balance"))
    ours = {r["account"]: Decimal(r["closing"]) for r in data["rows"] if Decimal(r["closing"])}
    hledger = shutil.which("hledger")
    if hledger:
        out = _run_ok([hledger, "-f", str(journal_file), "bal", "-O", "csv", "--no-total"], "hledger bal")
        theirs = {}
        for line in out.splitlines()[1:]:
            account, _, amount = line.partition(",")
            amount = amount.strip('"').split()[0].replace(",", "") if amount.strip('"') else "0"
            if Decimal(amount):  # "1000 Assets:1010 Bank" is account 1010
                theirs[account.strip('"').rsplit(":", 1)[-1].split(" ", 1)[0]] = Decimal(amount)
        if theirs != ours:
            diff = sorted(k for k in ours.keys() | theirs.keys() if ours.get(k) != theirs.get(k))
            raise CommandFailed(f"hledger's balances differ from comptoir's for {diff[:10]}")


def _fmt_s(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 1 else f"{seconds:.2f} s"


def _report(args, book, entries, generated, export_s, validate, trial, post, post_whole, help_, peers) -> dict:
    cores = os.cpu_count() or 1
    ledger_bal = peers.get("ledger -f F bal")
    hledger_bal = peers.get("hledger -f F bal")
    hledger_check = peers.get("hledger -f F check")
    peak = max(validate.peak_mb, trial.peak_mb, post.peak_mb, post_whole.peak_mb)
    rows = []

    def row(measure: Measure, target: str, ok: bool | None, peer: Measure | None = None) -> None:
        ratio = f"{measure.median / peer.median:.2f}x {peer.label.split(' -f')[0]}{peer.label.split('F')[1]}" \
            if peer and peer.walls else ""
        rows.append((measure.label, _fmt_s(measure.median), _fmt_s(min(measure.walls)), _fmt_s(max(measure.walls)),
                     f"{measure.peak_mb:.0f}", ratio, target, "-" if ok is None else ("yes" if ok else "NO")))

    v_ok = validate.median <= hledger_check.median if hledger_check and hledger_check.walls else None
    row(validate, TARGETS_TEXT["validate"], v_ok, hledger_check)
    t_ok = trial.median <= 0.3 * ledger_bal.median if ledger_bal and ledger_bal.walls else None
    row(trial, TARGETS_TEXT["trial"], t_ok, ledger_bal)
    if hledger_bal:
        rows.append(("  (trial balance vs hledger bal)", "", "", "", "",
                     f"{trial.median / hledger_bal.median:.2f}x hledger bal", "", ""))
    row(post, TARGETS_TEXT["post"], post.median <= 1.0)
    row(post_whole, "(first write after an unchecked commit)", None)
    row(help_, TARGETS_TEXT["help"], help_.median <= 0.15)
    rows.append(("peak memory (largest process)", f"{peak:.0f} MB", "", "", "", "", TARGETS_TEXT["memory"],
                 "yes" if peak <= 400 else "NO"))
    for m in peers.values():
        rows.append((m.label, _fmt_s(m.median), _fmt_s(min(m.walls)), _fmt_s(max(m.walls)),
                     f"{m.peak_mb:.0f}", "", "peer", ""))
    headers = ("measure", "median", "min", "max", "peak MB", "ratio", "target", "met")
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = [
        f"comptoir benchmark: {entries:,} journal entries, {args.runs} run{'s' if args.runs > 1 else ''} each "
        f"(medians), {cores} cores, Python {platform.python_version()}, {platform.system()}",
        f"book: {book}" + (f" (generated in {generated['total_s']} s)" if generated else "")
        + (f"; journal export for the peers {export_s:.1f} s" if peers else ""),
        "",
        "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    for r in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    if not peers:
        lines.append("(ledger and hledger are not installed: no peer figures, no ratios)")
    if entries < 100_000:
        lines.append(f"(the targets are set for 100,000 entries; at {entries:,} they only show the trend)")
    missed = [r[0] for r in rows if r[7] == "NO"]
    lines.append("")
    lines.append("targets missed: " + ", ".join(missed) if missed else "every measured target met")
    data = {
        "entries": entries, "runs": args.runs, "cores": cores, "python": platform.python_version(),
        "measures": {m.label: {"median_s": round(m.median, 4), "min_s": round(min(m.walls), 4),
                               "max_s": round(max(m.walls), 4), "peak_mb": round(m.peak_mb, 1)}
                     for m in (validate, trial, post, post_whole, help_, *peers.values())},
        "peak_mb": round(peak, 1),
        "ratios": {
            "trial_vs_ledger_bal": round(trial.median / ledger_bal.median, 3) if ledger_bal else None,
            "trial_vs_hledger_bal": round(trial.median / hledger_bal.median, 3) if hledger_bal else None,
            "validate_vs_hledger_check": round(validate.median / hledger_check.median, 3) if hledger_check else None,
        },
        "missed": missed,
    }
    return {"text": "\n".join(lines), "data": data}


if __name__ == "__main__":
    sys.exit(main())
