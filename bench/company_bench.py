"""The company-year benchmark: a 50-person company's fifth year, every interactive command timed
beside ledger and hledger on the same entries, in the same run (issue 20, item 6).

Generates one committed book: this year's sales and purchase documents through the real commands
(`partner add`, `item add`, `purchase order/receive/bill`, `sales order/deliver/invoice`, run
in-process one after another, each its own commit), the earlier years' sales documents built by
the functions those commands call (see _sales_years), then the bulk of the years written straight
in the writers' format (going through the command line for 250,000 entries would take days):
N journal entries (bench/run.py's generator), stock moves valued by comptoir's own FIFO and
moving-average code with the entries of those that move value (bench/stock_bench.py's), leads,
customers, opportunities and activities (bench/crm_bench.py's). Every generator checks its first
records byte for byte against comptoir's writer, and the first timed command is a `validate`
that must pass. The ledger part is exported for ledger and hledger (bench/run.py's exporter,
accounts named `1000 Assets:1010 Bank`).

Then every interactive command (reports, lists, shows, the document writes) is timed as a whole
process: the median wall and CPU time of --runs rounds after one warm-up, the largest peak
resident memory (`wait4`'s ru_maxrss of the child), and the closest ledger/hledger command in the
same round; then the first command in fresh clones, with and without a restored store.

    python bench/company_bench.py                           # the issue's fifth year: 250k entries
    python bench/company_bench.py --entries 30000 --keep /tmp/company30k
    python bench/company_bench.py --entries 2000 --orders 4 --runs 1   # what .ci/run does
    python bench/company_bench.py --keep /tmp/company250k --fsmonitor  # with git's monitor (Watchman) on
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
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
for p in (str(REPO), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

import crm_bench  # noqa: E402
import run as ledger_bench  # noqa: E402
import stock_bench  # noqa: E402

MARKER = "comptoir-company-bench.json"
TODAY = "2026-11-28"
IDENTITY = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@localhost",
            "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@localhost"}
CHILD_ENV = dict(os.environ, COMPTOIR_TODAY=TODAY, **IDENTITY, PYTHONPATH=os.pathsep.join(
    p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p))
CHILD_ENV.pop("COMPTOIR_REPO", None)
# An installed tool runs from compiled bytecode: a child that compiles every module it imports
# (PYTHONDONTWRITEBYTECODE=1 in some shells) pays ~0.3 s the peers never do.
CHILD_ENV.pop("PYTHONDONTWRITEBYTECODE", None)
# Accounts the random journal entries use: no account a document rule reconciles (receivables,
# payables, inventory, GRNI, tax, payroll), so the book stays valid whatever the draw.
FREE_ROLES = (None, "bank", "cash", "revenue", "operating", "other-income")


def _git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=CHILD_ENV)
    if proc.returncode != 0:
        raise SystemExit(f"bench: git {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def git_dir(book: Path) -> Path:
    path = Path(_git(book, "rev-parse", "--git-common-dir").strip())
    return path if path.is_absolute() else (book / path).resolve()


# -- generating -------------------------------------------------------------------------------------

def _sizes(args) -> dict:
    n = args.entries
    return {"entries": n, "moves": args.moves if args.moves is not None else n * 2 // 5,
            "leads": args.leads if args.leads is not None else max(20, n * 2 // 25),
            "activities": args.activities if args.activities is not None else max(40, n // 5),
            "orders": args.orders, "items": args.items, "seed": args.seed, **_sales_size(args),
            # left out for one commit, so a book generated before the history existed is the same book
            **({"history": "days"} if getattr(args, "history", "days") == "days" else {})}


def _sales_size(args) -> dict:
    """The sales documents of the earlier years (orders, deliveries and invoices; 2/25 of the
    entries unless given: 20,000 in the fifth year). Left out of the sizes when 0, so a book
    generated before they existed (bench/write_bench.py passes none) is still the same book."""
    given = getattr(args, "sales_docs", 0)
    n = args.entries * 2 // 25 if given is None else given
    return {"sales_docs": n} if n else {}


def _documents(book: Path, orders: int, seed: int, years: int = 0) -> dict:
    """Customers, suppliers, items and the order-to-cash and procure-to-pay documents, through the
    real commands (in this process: one interpreter, each command its own commit). With `years`
    (the number of orders of the earlier years, see _sales_years) the parties and articles are
    made in January 2022 and each earlier year's stock is bought, received and billed in its
    first days."""
    from comptoir.api import invoke

    rng = random.Random(seed)

    def cmd(args: list[str], day: dt.date) -> str:
        done = invoke(args, repo=book, today=day, rng=rng)
        if done.exit_code:
            raise SystemExit(f"bench: comptoir {' '.join(args)} exited {done.exit_code}:\n{done.stderr[-1500:]}")
        return done.stdout.strip().split("\n")[0]

    start = dt.date(2026, 1, 5)
    setup = dt.date(2022, 1, 3) if years else start
    cmd(["warehouse", "add", "DC", "Distribution centre", "--address", "1 Quai Bench"], setup)
    cmd(["tax", "add", "VAT20", "VAT 20 %", "--rate", "20"], start)
    supplier = cmd(["partner", "add", "Bench Supplies", "--role", "supplier", "--payment-terms", "30"], setup)
    customers = [cmd(["partner", "add", f"Bench Customer {i}", "--payment-terms", "30", "--credit-limit", "1000000"],
                     setup) for i in range(1, 6)]
    skus = [f"DOC-{i}" for i in range(1, 5)]
    for sku in skus:
        cmd(["item", "add", sku, f"Catalogue article {sku}", "--price", "25.00", "--reorder-point", "10",
             "--reorder-qty", "100"], setup)
    made = 0
    for year in YEARS if years else ():  # a year's stock of every article, bought in its first days
        day = dt.date(year, 1, 3)
        need = years // len(YEARS) * 20 // len(skus) + 100  # 20: the largest quantity an order takes
        po = cmd(["purchase", "order", "--partner", supplier, *(a for sku in skus for a in ("--line", f"{sku} {need} 11.50")),
                  "--warehouse", "DC", "--date", day.isoformat(), "--expected", day.isoformat()], day)
        cmd(["purchase", "receive", po, "--date", day.isoformat()], day)
        cmd(["purchase", "bill", po, "--number", f"BS-{year}", "--date", day.isoformat()], day)
        made += 3
    span = 290  # days of the year the documents are spread over
    for n in range(orders):
        day = start + dt.timedelta(days=1 + n * span // max(1, orders))
        sku = skus[n % len(skus)]
        qty = rng.randint(2, 20)
        if (n // len(skus)) % 4 == 0:  # restock each article every 4th time round: order, receive, bill
            po = cmd(["purchase", "order", "--partner", supplier, "--line", f"{sku} 200 11.50",
                      "--warehouse", "DC", "--date", day.isoformat(), "--expected", day.isoformat()], day)
            cmd(["purchase", "receive", po, "--date", day.isoformat()], day)
            cmd(["purchase", "bill", po, "--number", f"BS-{n:05d}", "--date", day.isoformat()], day)
            made += 3
        so = cmd(["sales", "order", "--partner", customers[n % len(customers)], "--line", f"{sku} {qty}",
                  "--tax", "VAT20", "--warehouse", "DC", "--date", day.isoformat()], day)
        cmd(["sales", "deliver", so, "--date", day.isoformat()], day)
        cmd(["sales", "invoice", so, "--date", day.isoformat()], day)
        made += 3
    return {"documents": made, "customer": customers[0], "sku": skus[0], "customers": customers, "skus": skus}


YEARS = (2022, 2023, 2024, 2025)  # the earlier years' sales documents (the commands' documents are 2026's)
WINDOW = 250  # orders the domain functions see besides the generated book (see _sales_years)


def _sales_years(book: Path, orders: int, customers: list[str], skus: list[str], seed: int) -> dict:
    """The earlier years' order to cash: `orders` sales orders spread over 2022-2025, each delivered
    and invoiced the day it is taken and paid on its due date, built by the functions the commands
    call (comptoir.domain.sales, comptoir.domain.payments) over the book as it grows, and written
    in the writer's format (comptoir.book.writer.record_text). Going through the command line
    would cost a process and a commit each: hours for 20,000 documents."""
    from comptoir.book.loader import load_book
    from comptoir.book.root import find_root
    from comptoir.book.writer import record_text
    from comptoir.domain.documents import parse_line
    from comptoir.domain.payments import new_payment
    from comptoir.domain.sales import deliver, invoice, invoicing, new_order
    from comptoir.schemas.registry import kind_named

    rng = random.Random(seed + 7)
    root = find_root(str(book))
    base = load_book(root)
    current = base
    first, last = dt.date(YEARS[0], 1, 10), dt.date(YEARS[-1], 12, 20)
    span = (last - first).days
    written: list[tuple] = []
    counts = {"sales-order": 0, "delivery": 0, "invoice": 0, "payment": 0}
    # The functions look at every document of the book they are given (credit exposure, promises
    # at risk, open items): over 20,000 documents each order would cost a second. They are given
    # the book as generated plus the last WINDOW orders' documents (each order is delivered,
    # invoiced and paid at once, so the ones dropped are closed and change no answer), and the
    # invoice number continues the year's series from the highest issued so far.
    window: list[list[tuple]] = []
    highest: dict[int, str] = {}
    real_next = invoicing.next_number

    def next_number(book_, kind, series, day, taken=()):
        year = book_.settings.fiscal_year_of(day)
        number = real_next(book_, kind, series, day, [*taken, *([highest[year]] if year in highest else [])])
        highest[year] = number
        return number

    def add(*pairs) -> None:
        nonlocal current
        records = [(kind_named(name), r) for name, r in pairs if r is not None]
        current = current.with_records(records)
        written.extend(records)
        window[-1].extend(records)

    invoicing.next_number = next_number
    try:
        for n in range(orders):
            if len(window) >= 2 * WINDOW:
                del window[:WINDOW]
                current = base.with_records([pair for order in window for pair in order])
            window.append([])
            day = first + dt.timedelta(days=n * span // max(1, orders))
            partner = customers[rng.randrange(len(customers))]
            line = parse_line(f"{skus[rng.randrange(len(skus))]} {rng.randint(2, 20)}")
            so = new_order(current, partner, [line], day, rng, confirm=True, day=day, warehouse="DC",
                           tax="VAT20").order
            add(("sales-order", so))
            dn = deliver(current, so.id, None, day, rng, day)
            add(("delivery", dn.delivery), *(("stock-move", m) for m in dn.moves), ("journal", dn.entry))
            inv, entry = invoice(current, so.id, day, rng)
            add(("invoice", inv), ("journal", entry))
            pay, pentry = new_payment(current, "in", partner, inv.total, inv.due, rng, documents=[inv.id])
            add(("payment", pay), ("journal", pentry))
            for name in counts:
                counts[name] += 1
            if (n + 1) % 500 == 0:
                print(f"  {n + 1:,} of {orders:,} orders of the earlier years", file=sys.stderr, flush=True)
    finally:
        invoicing.next_number = real_next
    paths = [kind.path_for(record) for kind, record in written]
    if len(set(paths)) != len(paths) or any((book / p).exists() for p in paths):
        raise SystemExit("bench: two records of the earlier years drew the same id")
    for (kind, record), rel in zip(written, paths, strict=True):
        path = book / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(record_text(kind, record))
    return counts


def _bulk(book: Path, sizes: dict) -> dict:
    """The years' journal, stock and CRM records, written straight in the writers' format."""
    from comptoir.book.writer import record_text
    from comptoir.schemas.accounting import JournalEntry
    from comptoir.schemas.registry import kind_named

    seed = sizes["seed"]
    counts: dict[str, int] = {}
    made: set[Path] = set()

    def write(path: Path, text: str) -> None:
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)

    # journal entries over the accounts no document rule reconciles
    chart = ledger_bench._read_chart(book)
    roles = {}
    for code, _ in chart:
        text = (book / "accounts" / f"{code}.yaml").read_text(encoding="utf-8")
        roles[code] = next((line[6:].strip() for line in text.splitlines() if line.startswith("role: ")), None)
    leaves = [c for c in ledger_bench._leaf_accounts(chart) if roles.get(c) in FREE_ROLES]
    samples = []
    for item in ledger_bench._entries(sizes["entries"], leaves, seed):
        samples.append(item)
        if len(samples) == 200:
            break
    header = ledger_bench._check_format(samples)
    # the ids the documents have (their entries and moves): the generators' own ids must not meet them
    existing = {f.stem for folder in ("journal", "stock") if (book / folder).is_dir()
                for f in (book / folder).rglob("*.yaml")}
    taken: set[str] = set(existing)
    rng = random.Random(seed + 5)
    for ident, day, memo, reference, postings in ledger_bench._entries(sizes["entries"], leaves, seed):
        while ident in taken:  # a document's entry, or an id drawn again here
            ident = f"JE-{day:%Y%m%d}-" + "".join(rng.choice(ledger_bench.ALPHABET) for _ in range(4))
        taken.add(ident)
        write(book / "journal" / f"{day:%Y}" / f"{day:%m}" / f"{ident}.yaml",
              ledger_bench.entry_text(header, ident, day, memo, reference, postings))
    counts["journal entries"] = sizes["entries"]

    # stock moves and the entries of those that move value (their own items and warehouses)
    if sizes["moves"]:
        its, whs, moves, entries = stock_bench._plan(sizes["moves"], sizes["items"], 4, seed, existing)
        k_item, k_wh, k_move, k_entry = (kind_named(n) for n in ("item", "warehouse", "stock-move", "journal"))
        for kind, records in ((k_item, its), (k_wh, whs)):
            for r in records:
                write(book / kind.path_for(r), record_text(kind, r))
        move_header = stock_bench._header("stock-move", record_text(k_move, moves[0]))
        entry_header = stock_bench._header("journal", record_text(k_entry, JournalEntry.model_validate(entries[0])))
        for m in moves[:200]:
            if stock_bench.move_text(move_header, m) != record_text(k_move, m):
                raise SystemExit(f"bench: move format differs from the writer: {m.id}")
        rng = random.Random(seed + 3)
        for e in entries:  # the two generators draw ids independently: make them unique
            while e["id"] in taken:
                e["id"] = f"JE-{e['date']:%Y%m%d}-" + "".join(rng.choice(ledger_bench.ALPHABET) for _ in range(4))
            taken.add(e["id"])
        for e in entries[:200]:
            if stock_bench.entry_text(entry_header, e) != record_text(k_entry, JournalEntry.model_validate(e)):
                raise SystemExit(f"bench: stock entry format differs from the writer: {e['id']}")
        for m in moves:
            write(book / k_move.folder / f"{m.date:%Y}" / f"{m.date:%m}" / f"{m.id}.yaml",
                  stock_bench.move_text(move_header, m))
        for e in entries:
            write(book / k_entry.folder / f"{e['date']:%Y}" / f"{e['date']:%m}" / f"{e['id']}.yaml",
                  stock_bench.entry_text(entry_header, e))
        counts["stock moves"] = len(moves)
        counts["stock entries"] = len(entries)
        counts["stock item"] = its[0].sku  # type: ignore[assignment]

    # leads, customers, opportunities and activities
    if sizes["leads"]:
        partners, leads, opps, acts = crm_bench._plan(sizes["leads"], sizes["activities"], seed)
        for kind_name, records in (("partner", partners), ("lead", leads), ("opportunity", opps),
                                   ("activity", acts)):
            kind = kind_named(kind_name)
            text = record_text(kind, records[0]) if records else ""
            header = text.split("\n", 1)[0] if text.startswith("#") else ""
            for r in records[:200]:
                if crm_bench.record_lines(header, r) != record_text(kind, r):
                    raise SystemExit(f"bench: {kind_name} format differs from the writer")
            for r in records:
                write(book / kind.path_for(r), crm_bench.record_lines(header, r))
            counts[kind_name] = len(records)
        counts["open lead"] = next(ld.id for ld in leads if ld.status in ("new", "contacted"))  # type: ignore[assignment]
    return counts


def generate(book: Path, sizes: dict, comptoir: list[str]) -> dict:
    t0 = time.perf_counter()
    if book.exists() and any(book.iterdir()):
        raise SystemExit(f"bench: {book} is not empty; pass an empty or new folder")
    book.parent.mkdir(parents=True, exist_ok=True)
    # the monitor stays off while the book is generated (--fsmonitor turns it on for the timed commands)
    ledger_bench._run_ok(comptoir + ["init", str(book), "--company", "Bench Company", "--currency", "EUR",
                                     "--no-fsmonitor"], "init")
    _git(book, "config", "user.name", "bench")
    _git(book, "config", "user.email", "bench@localhost")
    out = subprocess.run([sys.executable, __file__, "--internal", "generate", str(book), json.dumps(sizes)],
                         stdout=subprocess.PIPE, text=True, env=CHILD_ENV)  # its progress and errors: on stderr
    if out.returncode != 0:
        raise SystemExit("bench: generating failed (see above)")
    info = json.loads(out.stdout.strip().splitlines()[-1])
    if sizes.get("history") != "days":
        _git(book, "add", "-A")
        _git(book, "-c", "gc.auto=0", "commit", "-q", "--no-verify", "-m",
             "Bench: the company's years " + json.dumps(sizes))
    else:
        info["history"] = _history(book, sizes)
    # no automatic gc in the background (it would pack while the commands are timed): packed here
    _git(book, "gc", "-q")
    info.update(sizes=sizes, generate_s=round(time.perf_counter() - t0, 1), schemas=ledger_bench._schemas_digest(),
                head=_git(book, "rev-parse", "HEAD").strip())  # the generated book, which a timed round starts from
    (git_dir(book) / MARKER).write_text(json.dumps(info), encoding="utf-8")
    return info


LOCK_BEFORE = dt.date(2026, 10, 1)  # the timed writes are dated 2026-10-30: the lock stays before them
CLOSE_DAY = 10  # a month is closed on this day of the next one


def _history(book: Path, sizes: dict) -> dict:
    """Commit the generated years as they would have been written: one commit per day of their
    records (in date order, dated that day), and each month closed on the 10th of the next with
    the commit `period close` makes (comptoir.yaml's lock date, trailer `Comptoir-Lock: OLD -> NEW`),
    through September of the fifth year. The records without a date (partners, items, ...) come
    first, in one commit. Made with `git fast-import` (a `git commit` per day would rewrite the
    index of half a million files each time: an hour). A command that walks the history, or checks
    a write against the lock commit, pays here what it pays in a real company's clone; one commit
    per day rather than per write (a real clone has ~10x more commits)."""
    import re

    from comptoir.book.lockinfo import LOCK_TRAILER, with_lock_date

    listed = _git(book, "ls-files", "-z", "-o", "-m", "--exclude-standard").split("\0")
    dated = re.compile(r"-(\d{8})-")
    days: dict[dt.date, list[str]] = {}
    for rel in sorted(set(filter(None, listed))):
        found = dated.search(rel.rpartition("/")[2])
        try:
            day = dt.datetime.strptime(found.group(1), "%Y%m%d").date() if found else dt.date.min
        except ValueError:
            day = dt.date.min
        days.setdefault(day, []).append(rel)
    settings_text = (book / "comptoir.yaml").read_text(encoding="utf-8")
    branch = _git(book, "symbolic-ref", "-q", "HEAD").strip()
    parent = _git(book, "rev-parse", "HEAD").strip()
    proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=book, stdin=subprocess.PIPE,
                            env=CHILD_ENV)
    assert proc.stdin is not None
    out = proc.stdin
    counts = {"commits": 0, "lock commits": 0}

    def commit(when: dt.datetime, message: str, files: list[tuple[str, bytes]]) -> None:
        nonlocal parent
        stamp = f"{int(when.replace(tzinfo=dt.UTC).timestamp())} +0000"
        data = message.encode("utf-8")
        out.write(f"commit {branch}\nauthor bench <bench@localhost> {stamp}\n"
                  f"committer bench <bench@localhost> {stamp}\ndata {len(data)}\n".encode() + data + b"\n")
        if parent:
            out.write(f"from {parent}\n".encode())
            parent = ""
        for rel, blob in files:
            out.write(f"M 100644 inline {rel}\ndata {len(blob)}\n".encode() + blob + b"\n")
        out.write(b"\n")
        counts["commits"] += 1

    lock: dt.date | None = None
    for day in sorted(days):
        while day != dt.date.min:  # the months closed by this day
            closing = dt.date(day.year, day.month, 1) - dt.timedelta(days=1)
            if day.day < CLOSE_DAY:
                closing = dt.date(closing.year, closing.month, 1) - dt.timedelta(days=1)
            if closing >= LOCK_BEFORE or (lock is not None and closing <= lock):
                break
            settings_text = with_lock_date(settings_text, closing)
            when = dt.datetime.combine(closing + dt.timedelta(days=CLOSE_DAY), dt.time(9))
            commit(when, f"Close the books through {closing}\n\nComptoir-Command: period close\n"
                         f"{LOCK_TRAILER}: {lock or 'none'} -> {closing}\n",
                   [("comptoir.yaml", settings_text.encode("utf-8"))])
            counts["lock commits"] += 1
            lock = closing
        files = [(rel, (book / rel).read_bytes()) for rel in days[day]]
        what = "the company's records without a date" if day == dt.date.min else f"the records of {day}"
        commit(dt.datetime.combine(day if day != dt.date.min else dt.date(2022, 1, 1), dt.time(18)),
               f"Bench: {what} ({len(files):,} file{'s' if len(files) != 1 else ''})\n\nComptoir-Command: bench\n", files)
        if counts["commits"] % 200 == 0:
            print(f"  history: {counts['commits']:,} commits, through {day}", file=sys.stderr, flush=True)
    out.write(b"done\n")
    out.close()
    if proc.wait() != 0:
        raise SystemExit("bench: git fast-import failed (see above)")
    (book / "comptoir.yaml").write_text(settings_text, encoding="utf-8")
    _git(book, "reset", "-q")  # the index as the last commit has it (the files are already there)
    if _git(book, "status", "--porcelain"):
        raise SystemExit("bench: the history does not hold the generated files")
    counts["lock date"] = str(lock)  # type: ignore[assignment]
    return counts


def _generate_child(book: Path, sizes: dict) -> None:
    t0 = time.perf_counter()
    years = sizes.get("sales_docs", 0) // 3
    info = _documents(book, sizes["orders"], sizes["seed"], years)
    info["documents_s"] = round(time.perf_counter() - t0, 1)
    if years:
        t1 = time.perf_counter()
        info["sales years"] = _sales_years(book, years, info.pop("customers"), info.pop("skus"), sizes["seed"])
        info["sales_years_s"] = round(time.perf_counter() - t1, 1)
    info.pop("customers", None)
    info.pop("skus", None)
    t1 = time.perf_counter()
    info["counts"] = _bulk(book, sizes)
    info["bulk_s"] = round(time.perf_counter() - t1, 1)
    print(json.dumps(info))


# -- measuring --------------------------------------------------------------------------------------

@dataclass
class Run:
    """One whole process: wall and CPU seconds (user + system, with the git commands it waited
    for), peak resident memory (KiB), lines it printed."""

    wall: float
    cpu: float
    rss: int
    lines: int


def timed(cmd: list[str], what: str, cwd: Path | None = None) -> Run:
    """Run one whole process and measure it (fails loudly: a command that fails is never timed)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=CHILD_ENV, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"bench: {what} failed: {' '.join(cmd)}\n"
                             f"{(err.read() or out.read()).decode(errors='replace')[-2000:]}")
        lines = sum(1 for _ in out)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, lines)


def _output(cmd: list[str]) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, env=CHILD_ENV)
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    return proc.stdout


def _first_file(folder: Path) -> str:
    """The id (file name) of the first record under `folder`, in name order."""
    for path in sorted(folder.rglob("*.yaml")):
        return path.stem
    raise SystemExit(f"bench: no record under {folder}")


def commands(c: list[str], info: dict, peers: dict[str, str | None], journal: Path, book: Path) -> list[tuple]:
    """(label, comptoir argv, peer label, peer argv or None, is a write) of every interactive command."""
    led, hled = peers.get("ledger"), peers.get("hledger")
    counts = info["counts"]
    bank = "^1000 Assets:1010 "  # account 1010 by its exported name (bench/run.py's exporter)

    def ledger(*args: str) -> tuple[str, list[str]] | tuple[None, None]:
        return (f"ledger {' '.join(args)}", [led, "-f", str(journal), *args]) if led else (None, None)

    def hledger(*args: str) -> tuple[str, list[str]] | tuple[None, None]:
        return (f"hledger {' '.join(args)}", [hled, "-f", str(journal), *args]) if hled else (None, None)

    customer, sku = info["customer"], info["sku"]
    entry = _first_file(book / "journal" / "2026" / "10")
    out = [
        ("validate", ["validate"], *hledger("check")),
        ("--help", ["--help"], None, None),
        ("report trial-balance", ["report", "trial-balance"], *ledger("bal")),
        ("report balance-sheet", ["report", "balance-sheet", "--to", "2026-10-31"],
         *ledger("bal", "-e", "2026-11-01", "^1", "^2", "^3")),
        ("report income-statement --year 2026", ["report", "income-statement", "--year", "2026"],
         *ledger("bal", "-p", "2026", "^4", "^5", "^6")),
        ("report cash-flow --year 2026", ["report", "cash-flow", "--year", "2026"], None, None),
        ("report tax --year 2026", ["report", "tax", "--year", "2026"], None, None),
        ("report ledger 1010", ["report", "ledger", "1010"], *ledger("reg", bank)),
        ("journal list --account 1010", ["journal", "list", "--account", "1010"], *ledger("reg", bank)),
        ("report register --account 1010 --period 2026-10",
         ["report", "register", "--account", "1010", "--period", "2026-10"], *ledger("reg", "-p", "2026-10", bank)),
        ("report journal --period 2026-10", ["report", "journal", "--period", "2026-10"],
         *ledger("print", "-p", "2026-10")),
        ("journal list --period 2026-10", ["journal", "list", "--period", "2026-10"], *ledger("print", "-p", "2026-10")),
        ("journal show ID", ["journal", "show", entry], *hledger("print", f"code:{entry}")),
        ("report overview", ["report", "overview", "--date", "2026-10-31"], None, None),
        ("report ar-aging", ["report", "ar-aging"], None, None),
        ("report ap-aging", ["report", "ap-aging"], None, None),
        ("report statement CUSTOMER", ["report", "statement", customer], None, None),
        ("report sales --year 2026", ["report", "sales", "--year", "2026"], None, None),
        ("report purchases --year 2026", ["report", "purchases", "--year", "2026"], None, None),
        ("report open-orders", ["report", "open-orders"], None, None),
        ("sales list", ["sales", "list"], None, None),
        ("sales invoices --open", ["sales", "invoices", "--open"], None, None),
        ("pay list --partner CUSTOMER", ["pay", "list", "--partner", customer], None, None),
        ("purchase list", ["purchase", "list"], None, None),
        ("partner show CUSTOMER", ["partner", "show", customer], None, None),
        ("item show SKU", ["item", "show", sku], None, None),
        ("report cash-forecast", ["report", "cash-forecast"], None, None),
        ("report stock-balance", ["report", "stock-balance"], None, None),
        ("stock available", ["stock", "available"], None, None),
        ("stock promise SKU --qty 5", ["stock", "promise", sku, "--qty", "5"], None, None),
        ("crm lead list --status qualified", ["crm", "lead", "list", "--status", "qualified"], None, None),
        ("crm followups", ["crm", "followups"], None, None),
        ("crm opp list", ["crm", "opp", "list"], None, None),
        ("report pipeline", ["report", "pipeline"], None, None),
        ("report funnel", ["report", "funnel"], None, None),
        ("report activities", ["report", "activities"], None, None),
        ("report reorder", ["report", "reorder"], None, None),
    ]
    if "stock item" in counts:
        out.insert(out.index(next(r for r in out if r[0] == "stock available")),
                   ("report stock-ledger --item SKU", ["report", "stock-ledger", "--item", counts["stock item"]],
                    None, None))
    if "open lead" in counts:
        lead = counts["open lead"]
        at = out.index(next(r for r in out if r[0] == "crm followups"))
        out[at:at] = [("crm lead show ID", ["crm", "lead", "show", lead], None, None),
                      ("crm activity list --lead ID", ["crm", "activity", "list", "--lead", lead], None, None),
                      ("history ID (a lead)", ["history", lead], None, None)]
    rows = [(label, c + argv, peer, pcmd, False) for label, argv, peer, pcmd in out]
    writes = [("journal post", ["journal", "post", "--date", "2026-10-30", "--memo", "Bench post",
                                "-p", "6400", "12.00", "-p", "1010"])]
    if info["sizes"]["orders"]:
        writes.append(("sales order", ["sales", "order", "--partner", customer, "--line", f"{sku} 1",
                                       "--tax", "VAT20", "--warehouse", "DC", "--date", "2026-10-30"]))
        writes.append(("sales deliver", ["sales", "deliver", "{order}", "--date", "2026-10-30"]))
        writes.append(("sales invoice", ["sales", "invoice", "{order}", "--date", "2026-10-30"]))
        writes.append(("pay receive", ["pay", "receive", "--partner", customer, "--amount", "30.00",
                                       "--date", "2026-10-30"]))
    if "stock item" in counts:
        writes.append(("stock issue", ["stock", "issue", counts["stock item"], "--qty", "1", "--warehouse", "W1",
                                       "--date", "2026-10-30", "--reason", "bench"]))
    if "open lead" in counts:
        writes.append(("crm lead update --note", ["crm", "lead", "update", counts["open lead"], "--note",
                                                  "called back"]))
    rows += [(label, c + argv, None, None, True) for label, argv in writes]
    return rows


def _cross_check(book: Path, c: list[str], journal: Path, hledger: str | None) -> str:
    """The peers must see the same book: hledger's balance of every account of the export equals
    comptoir's trial balance, or the comparison is unfair (bench/run.py's check)."""
    if not hledger:
        return "not checked (no hledger)"
    ledger_bench._cross_check(book, c[:-2], {}, journal)
    return "hledger's balance of every account equals comptoir's trial balance"


def fresh_clones(book: Path, comptoir: list[str], which: set[tuple[str, str]] | None = None) -> list[dict]:
    """The first command in a fresh `git clone` of the book, without comptoir's derived-data store
    and with the store restored from this run (what a CI cache step does: docs/github-actions.yml).
    Each figure is the first command of its own clone: a clone's first `git status` refreshes
    git's index too, so a second command would find the clone warmer than a new one."""
    store = git_dir(book) / "comptoir" / "store"
    firsts = [("validate", ["validate"]), ("report trial-balance", ["report", "trial-balance"]),
              ("journal post", ["journal", "post", "--date", "2026-10-30", "--memo", "Bench post",
                                "-p", "6400", "12.00", "-p", "1010"])]
    out: list[dict] = []
    for restored in (False, True):
        for label, argv in firsts:
            if restored and label == "validate":  # without a store it is the cold validate to compare with
                continue
            if which is not None and (label, "restored" if restored else "none") not in which:
                continue
            tmp = tempfile.mkdtemp(prefix="comptoir-clone-", dir=book.parent)
            try:
                clone = Path(tmp) / "clone"
                t0 = time.perf_counter()
                subprocess.run(["git", "clone", "-q", str(book), str(clone)], check=True, env=CHILD_ENV)
                clone_s = time.perf_counter() - t0
                if restored:
                    shutil.copytree(store, clone / ".git" / "comptoir" / "store")
                run = timed(comptoir + ["--repo", str(clone), *argv], f"{label} in a fresh clone")
                out.append({"command": label, "store": "restored" if restored else "none", "clone_s": clone_s,
                            "wall": run.wall, "cpu": run.cpu, "rss": run.rss,
                            "when": f", {time.strftime('%H:%M UTC', time.gmtime())}, load average "
                                    f"{os.getloadavg()[0]:.1f}" if not out else ""})
                print(f"  fresh clone, store {out[-1]['store']}: {label} {run.wall:.2f} s wall, {run.cpu:.2f} s CPU, "
                      f"{run.rss / 1024:.0f} MB (clone {clone_s:.0f} s)", file=sys.stderr, flush=True)
            finally:  # rm: Python's rmtree takes minutes over half a million files
                subprocess.run(["rm", "-rf", tmp], check=False)
    return out


def settle(book: Path) -> None:
    """Wait for a git gc running in the book (one git started by itself after a big commit packs
    for many minutes: timed commands would share the machine with it), then pack loose objects."""
    pid_file = git_dir(book) / "gc.pid"
    for _ in range(720):
        try:
            os.kill(int(pid_file.read_text().split()[0]), 0)
        except (OSError, ValueError, IndexError):
            break
        if _ == 0:
            print("  waiting for the git gc running in the book ...", file=sys.stderr, flush=True)
        time.sleep(5)
    loose = int(next(line.split()[1] for line in _git(book, "count-objects", "-v").splitlines()
                     if line.startswith("count:")))
    if loose > 1000:
        print(f"  packing {loose:,} loose objects (git gc) ...", file=sys.stderr, flush=True)
        _git(book, "gc", "-q")


def measure(book: Path, info: dict, runs: int, clones: bool = True, verbose: bool = False) -> dict:
    comptoir = ledger_bench.comptoir_command()
    settle(book)
    c = comptoir + ["--repo", str(book)]
    journal = git_dir(book) / "bench-export.journal"
    peers = {name: shutil.which(name) for name in ("ledger", "hledger")}
    load_start = os.getloadavg()
    t0 = time.perf_counter()
    ledger_bench._run_ok(c + ["validate"], "validate (the generated book must be valid)")
    first_validate = time.perf_counter() - t0
    exported = ledger_bench.export_journal(book, journal) if any(peers.values()) else 0
    checked = _cross_check(book, c, journal, peers.get("hledger")) if exported else "no peers"
    rows = commands(c, info, peers, journal, book)
    if "stock item" in info["counts"]:  # a warehouse the issued item has stock in
        avail = json.loads(_output(c + ["stock", "available", info["counts"]["stock item"], "--format", "json"]))
        best = max(avail["rows"], key=lambda r: Decimal(r["on_hand"]))
        rows = [(lb, [best["warehouse"] if a == "W1" else a for a in cmd], p, pc, w) for lb, cmd, p, pc, w in rows]
    figures: dict[str, dict] = {lb: {"runs": [], "peer": p, "peer_runs": [], "write": w}
                                for lb, _, p, _, w in rows}
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    for rnd in range(runs + 1):  # round 0 is the warm-up (the first run after a new code version derives)
        head = _git(book, "rev-parse", "HEAD").strip()
        order = None
        for label, cmd, peer, pcmd, _write in rows:
            if "{order}" in cmd:
                if order is None:
                    continue
                cmd = [order if a == "{order}" else a for a in cmd]
            run = timed(cmd, label)
            if label == "sales order":
                order = _last_order(book)
            if rnd:
                figures[label]["runs"].append(run)
            prun = timed(pcmd, peer) if pcmd else None
            if prun and rnd:
                figures[label]["peer_runs"].append(prun)
            if verbose:
                print(f"    {label}: {run.wall:.2f} s wall, {run.cpu:.2f} s CPU, {run.rss / 1024:.0f} MB"
                      + (f"; {peer} {prun.wall:.2f} s wall, {prun.cpu:.2f} s CPU" if prun else ""),
                      file=sys.stderr, flush=True)
        _git(book, "reset", "-q", "--hard", head)  # each round writes on the same book
        print(f"  round {rnd} of {runs} done{' (warm-up)' if not rnd else ''}; load {os.getloadavg()[0]:.1f}",
              file=sys.stderr, flush=True)
    ended = time.strftime("%H:%M UTC", time.gmtime())
    load_end = os.getloadavg()
    fresh = fresh_clones(book, comptoir) if clones else []
    return {"figures": figures, "first_validate_s": round(first_validate, 2), "exported": exported,
            "cross_check": checked, "load": [load_start, load_end], "when": f"{started}-{ended}",
            "cores": os.cpu_count(), "fresh": fresh}


def _last_order(book: Path) -> str:
    """The id of the sales order the last commit wrote (its file name)."""
    names = _git(book, "show", "--name-only", "--format=", "HEAD").split()
    return next(Path(n).stem for n in names if "/orders/" in n)


def _fmt(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 1 else f"{seconds:.2f} s"


def rows_of(result: dict) -> list[dict]:
    """The table's rows as data: medians, the peer's medians from the same rounds, ratios and the
    verdicts. A command meets a target only when its wall time and its CPU time both do."""
    out = []
    for label, f in result["figures"].items():
        runs, peer_runs = f["runs"], f["peer_runs"]
        if not runs:
            continue
        wall, cpu = statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs)
        row = {"command": label, "wall": wall, "cpu": cpu, "peak_mb": max(r.rss for r in runs) / 1024,
               "lines": max(r.lines for r in runs), "write": f["write"], "peer": f["peer"],
               "fast": max(wall, cpu) <= 1.0}
        if peer_runs:
            pw, pc = statistics.median(r.wall for r in peer_runs), statistics.median(r.cpu for r in peer_runs)
            row.update(peer_wall=pw, peer_cpu=pc, peer_mb=max(r.rss for r in peer_runs) / 1024,
                       ratio_wall=wall / pw, ratio_cpu=cpu / pc if pc else None)
            row["half"] = max(row["ratio_wall"], row["ratio_cpu"] or 0) <= 0.5
        out.append(row)
    return out


def table(book: Path, info: dict, result: dict, runs: int, markdown: bool = False) -> str:
    sizes = info["sizes"]
    counts = info["counts"]
    years = info.get("sales years", {})
    docs = info["documents"] + sum(years.get(k, 0) for k in ("sales-order", "delivery", "invoice"))
    (l1, _, _), (l2, _, _) = result["load"]
    lines = [
        f"company-year benchmark: {result['exported'] or sizes['entries']:,} journal entries in all "
        f"({sizes['entries']:,} generated, {counts.get('stock entries', 0):,} of the stock moves, the rest the "
        f"documents'), {counts.get('stock moves', 0):,} stock moves, {counts.get('lead', 0):,} leads, "
        f"{counts.get('activity', 0):,} activities, {docs:,} sales and purchase documents "
        f"({info['documents']:,} through the commands) and {years.get('payment', 0):,} payments",
        f"book: {book} (generated in {info['generate_s']} s); first validate {result['first_validate_s']} s; "
        f"{result['exported']:,} entries exported for the peers; {result['cross_check']}",
        f"median of {runs} round{'s' if runs > 1 else ''} after a warm-up, {result['when']}; {result['cores']} cores; "
        f"load average {l1:.1f} at the start, {l2:.1f} at the end; Python {platform.python_version()}",
        "a target is met when both the wall and the CPU time meet it (CPU: user + system, with the git "
        "commands it waited for)",
        "",
    ]
    head = ("command", "wall", "CPU", "peak MB", "lines", "peer, same rounds", "peer wall", "peer CPU",
            "ratio wall / CPU", "<= 1 s", "<= 0.5x")
    body = []
    for r in rows_of(result):
        has_peer = "peer_wall" in r
        ratio = (f"{r['ratio_wall']:.2f}x / " + (f"{r['ratio_cpu']:.2f}x" if r["ratio_cpu"] else "-")) if has_peer else ""
        body.append((f"`{r['command']}`" if markdown else r["command"], _fmt(r["wall"]), _fmt(r["cpu"]),
                     f"{r['peak_mb']:.0f}", f"{r['lines']:,}", (f"`{r['peer']}`" if markdown else r["peer"]) if r["peer"] else "",
                     _fmt(r["peer_wall"]) if has_peer else "", _fmt(r["peer_cpu"]) if has_peer else "", ratio,
                     "yes" if r["fast"] else "**NO**" if markdown else "NO",
                     ("yes" if r["half"] else "**NO**" if markdown else "NO") if has_peer else ""))
    lines += _grid(head, body, markdown)
    if result.get("fresh"):
        lines += ["", clone_table(result["fresh"], markdown)]
    return "\n".join(lines)


def clone_table(fresh: list[dict], markdown: bool = False) -> str:
    head = ("first command in a fresh clone", "derived-data store", "wall", "CPU", "peak MB", "the clone took")
    body = [(f["command"], f["store"], _fmt(f["wall"]), _fmt(f["cpu"]), f"{f['rss'] / 1024:.0f}",
             f"{f['clone_s']:.0f} s") for f in fresh]
    when = fresh[0].get("when", "")
    return "\n".join([f"the first command in a fresh `git clone` (each its own clone){when}", "",
                      *_grid(head, body, markdown)])


def _grid(head: tuple, body: list[tuple], markdown: bool) -> list[str]:
    if markdown:
        return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head), *("| " + " | ".join(r) + " |" for r in body)]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    return ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)), "  ".join("-" * w for w in widths),
            *("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in body)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entries", type=int, default=250_000, help="journal entries (default 250000, the fifth year)")
    ap.add_argument("--moves", type=int, help="stock moves (default 2/5 of --entries)")
    ap.add_argument("--leads", type=int, help="leads (default 2/25 of --entries)")
    ap.add_argument("--activities", type=int, help="activities (default 1/5 of --entries)")
    ap.add_argument("--orders", type=int, default=60,
                    help="sales orders taken, delivered and invoiced through the commands, with a purchase "
                         "order, receipt and bill to restock now and then (default 60)")
    ap.add_argument("--sales-docs", type=int, default=None,
                    help="sales documents of the earlier years (2022-2025): orders, each delivered, invoiced "
                         "and paid, built by the commands' domain functions (default 2/25 of --entries: "
                         "20,000 in the fifth year; 0: none)")
    ap.add_argument("--items", type=int, default=200, help="stocked items of the bulk stock moves")
    ap.add_argument("--history", choices=("days", "one-commit"), default="days",
                    help="commit the generated years one commit per day with each month closed on the 10th of the "
                         "next (default), or in one commit (quicker to make; no lock date)")
    ap.add_argument("--runs", type=int, default=3, help="timed rounds; medians are printed (default 3)")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--keep", metavar="DIR", help="generate the book in DIR and keep it; reused when DIR holds one "
                                                 "made with the same sizes (refused when the sizes differ)")
    ap.add_argument("--no-clones", action="store_true",
                    help="skip the fresh-clone figures (each is a `git clone` of the whole book)")
    ap.add_argument("--verbose", action="store_true", help="say each command's figures as it goes (on stderr)")
    ap.add_argument("--only-clones", action="store_true", help="only the fresh-clone figures (on a kept book)")
    ap.add_argument("--fsmonitor", action="store_true",
                    help="time the commands with git's file-system monitor on (`comptoir fsmonitor on`: needs "
                         "watchman); a book not kept has it turned off again at the end")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    ap.add_argument("--markdown", metavar="FILE", help="also write the table as Markdown (for docs/performance.md)")
    ap.add_argument("--internal", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.internal:
        _generate_child(Path(args.internal[1]), json.loads(args.internal[2]))
        return 0
    sizes = _sizes(args)
    tmp = None
    if args.keep:
        book = Path(args.keep).resolve()
    else:
        tmp = tempfile.TemporaryDirectory(prefix="comptoir-company-bench-")
        book = Path(tmp.name) / "book"
    try:
        marker = git_dir(book) / MARKER if (book / ".git").exists() else None
        info = json.loads(marker.read_text()) if marker and marker.is_file() else None
        if info and info.get("sizes") != sizes:  # never deleted here: a big book takes an hour to make
            raise SystemExit(f"bench: {book} holds a book made with {info.get('sizes')}, not {sizes}: give the "
                             "same sizes, or remove it (or pick another folder) to generate a new one")
        if info and info.get("schemas") != ledger_bench._schemas_digest():
            # the schemas moved on since: the book is kept (generating it again takes an hour at the
            # fifth year's size) and the validate every measurement starts with says whether it is valid
            print(f"note: {book} was generated with other schemas; reusing it", file=sys.stderr)
        if info is None:
            print(f"generating {sizes} in {book} ...", file=sys.stderr, flush=True)
            info = generate(book, sizes, ledger_bench.comptoir_command())
        else:
            print(f"reusing the book in {book}", file=sys.stderr)
        if args.only_clones:
            settle(book)
            fresh = fresh_clones(book, ledger_bench.comptoir_command())
            print(clone_table(fresh))
            if args.markdown:
                Path(args.markdown).write_text(clone_table(fresh, markdown=True) + "\n")
            if args.json:
                Path(args.json).write_text(json.dumps({"info": info, "fresh": fresh}, indent=2) + "\n")
            return 0
        if args.fsmonitor:
            ledger_bench._run_ok(ledger_bench.comptoir_command() + ["--repo", str(book), "fsmonitor", "on"],
                                 "fsmonitor on")
        try:
            result = measure(book, info, args.runs, clones=not args.no_clones, verbose=args.verbose)
        finally:
            if args.fsmonitor and not args.keep:
                ledger_bench._run_ok(ledger_bench.comptoir_command() + ["--repo", str(book), "fsmonitor", "off"],
                                     "fsmonitor off")
        print(table(book, info, result, args.runs))
        if args.markdown:
            Path(args.markdown).write_text(table(book, info, result, args.runs, markdown=True) + "\n")
        if args.json:
            Path(args.json).write_text(json.dumps({"info": info, **result, "rows": rows_of(result)}, indent=2,
                                                  default=lambda o: asdict(o) if isinstance(o, Run) else str(o))
                                       + "\n")
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
