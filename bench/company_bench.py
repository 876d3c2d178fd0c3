"""The company-year benchmark: a 50-person company's fifth year, every interactive command timed
beside ledger and hledger on the same entries, in the same run (issue 20, item 6).

Generates one committed book: the sales and purchase documents through the real commands
(`partner add`, `item add`, `purchase order/receive/bill`, `sales order/deliver/invoice`, run
in-process one after another, each its own commit), then the bulk of the years written straight
in the writers' format (going through the command line for 250,000 entries would take days):
N journal entries (bench/run.py's generator), stock moves valued by comptoir's own FIFO and
moving-average code with the entries of those that move value (bench/stock_bench.py's), leads,
customers, opportunities and activities (bench/crm_bench.py's). Every generator checks its first
records byte for byte against comptoir's writer, and the first timed command is a `validate`
that must pass. The ledger part is exported for ledger and hledger (bench/run.py's exporter,
accounts named `1000 Assets:1010 Bank`).

Then every interactive command (reports, lists, the document writes) is timed as a whole
process: the median of --runs rounds after one warm-up, the largest peak resident memory
(`wait4`'s ru_maxrss of the child), and the closest ledger/hledger command in the same round.

    python bench/company_bench.py                           # the issue's fifth year: 250k entries
    python bench/company_bench.py --entries 30000 --keep /tmp/company30k
    python bench/company_bench.py --entries 2000 --orders 4 --runs 1   # what .ci/run does
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
            "orders": args.orders, "items": args.items, "seed": args.seed}


def _documents(book: Path, orders: int, seed: int) -> dict:
    """Customers, suppliers, items and the order-to-cash and procure-to-pay documents, through the
    real commands (in this process: one interpreter, each command its own commit)."""
    from comptoir.api import invoke

    rng = random.Random(seed)

    def cmd(args: list[str], day: dt.date) -> str:
        done = invoke(args, repo=book, today=day, rng=rng)
        if done.exit_code:
            raise SystemExit(f"bench: comptoir {' '.join(args)} exited {done.exit_code}:\n{done.stderr[-1500:]}")
        return done.stdout.strip().split("\n")[0]

    start = dt.date(2026, 1, 5)
    cmd(["warehouse", "add", "DC", "Distribution centre", "--address", "1 Quai Bench"], start)
    cmd(["tax", "add", "VAT20", "VAT 20 %", "--rate", "20"], start)
    supplier = cmd(["partner", "add", "Bench Supplies", "--role", "supplier", "--payment-terms", "30"], start)
    customers = [cmd(["partner", "add", f"Bench Customer {i}", "--payment-terms", "30", "--credit-limit", "1000000"],
                     start) for i in range(1, 6)]
    skus = [f"DOC-{i}" for i in range(1, 5)]
    for sku in skus:
        cmd(["item", "add", sku, f"Catalogue article {sku}", "--price", "25.00", "--reorder-point", "10",
             "--reorder-qty", "100"], start)
    span = 290  # days of the year the documents are spread over
    made = 0
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
    return {"documents": made, "customer": customers[0], "sku": skus[0]}


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
    taken: set[str] = set()
    for ident, day, memo, reference, postings in ledger_bench._entries(sizes["entries"], leaves, seed):
        taken.add(ident)
        write(book / "journal" / f"{day:%Y}" / f"{day:%m}" / f"{ident}.yaml",
              ledger_bench.entry_text(header, ident, day, memo, reference, postings))
    counts["journal entries"] = sizes["entries"]

    # stock moves and the entries of those that move value (their own items and warehouses)
    if sizes["moves"]:
        its, whs, moves, entries = stock_bench._plan(sizes["moves"], sizes["items"], 4, seed)
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
    ledger_bench._run_ok(comptoir + ["init", str(book), "--company", "Bench Company", "--currency", "EUR"], "init")
    _git(book, "config", "user.name", "bench")
    _git(book, "config", "user.email", "bench@localhost")
    out = subprocess.run([sys.executable, __file__, "--internal", "generate", str(book), json.dumps(sizes)],
                         capture_output=True, text=True, env=CHILD_ENV)
    if out.returncode != 0:
        raise SystemExit(f"bench: generating failed:\n{out.stderr[-3000:]}")
    info = json.loads(out.stdout.strip().splitlines()[-1])
    _git(book, "add", "-A")
    _git(book, "commit", "-q", "--no-verify", "-m", "Bench: the company's years " + json.dumps(sizes))
    info.update(sizes=sizes, generate_s=round(time.perf_counter() - t0, 1), schemas=ledger_bench._schemas_digest())
    (git_dir(book) / MARKER).write_text(json.dumps(info), encoding="utf-8")
    return info


def _generate_child(book: Path, sizes: dict) -> None:
    t0 = time.perf_counter()
    info = _documents(book, sizes["orders"], sizes["seed"])
    info["documents_s"] = round(time.perf_counter() - t0, 1)
    t1 = time.perf_counter()
    info["counts"] = _bulk(book, sizes)
    info["bulk_s"] = round(time.perf_counter() - t1, 1)
    print(json.dumps(info))


# -- measuring --------------------------------------------------------------------------------------

def timed(cmd: list[str], what: str) -> tuple[float, int]:
    """Wall seconds and peak resident memory (KiB) of one whole process (fails loudly)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=CHILD_ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            out.seek(0)
            raise SystemExit(f"bench: {what} failed: {' '.join(cmd)}\n"
                             f"{(err.read() or out.read()).decode(errors='replace')[-2000:]}")
    return wall, usage.ru_maxrss


def _output(cmd: list[str]) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, env=CHILD_ENV)
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    return proc.stdout


def commands(c: list[str], info: dict, peers: dict[str, str | None], journal: Path) -> list[tuple]:
    """(label, comptoir argv, peer label, peer argv or None, is a write) of every interactive command."""
    led, hled = peers.get("ledger"), peers.get("hledger")
    counts = info["counts"]

    def ledger(*args: str) -> tuple[str, list[str]] | tuple[None, None]:
        return (f"ledger {' '.join(args)}", [led, "-f", str(journal), *args]) if led else (None, None)

    out = [
        ("validate", ["validate"], *(("hledger check", [hled, "-f", str(journal), "check"]) if hled else (None, None))),
        ("report trial-balance", ["report", "trial-balance"], *ledger("bal")),
        ("report balance-sheet", ["report", "balance-sheet", "--to", "2026-10-31"],
         *ledger("bal", "-e", "2026-11-01", "^1", "^2", "^3")),
        ("report income-statement --year 2026", ["report", "income-statement", "--year", "2026"],
         *ledger("bal", "-p", "2026", "^4", "^5", "^6")),
        ("report cash-flow --year 2026", ["report", "cash-flow", "--year", "2026"], None, None),
        ("report ledger 1010", ["report", "ledger", "1010"], *ledger("reg", "^1000 Assets:1010 ")),
        ("journal list --account 1010", ["journal", "list", "--account", "1010"], *ledger("reg", "^1000 Assets:1010 ")),
        ("report journal --period 2026-10", ["report", "journal", "--period", "2026-10"],
         *ledger("print", "-p", "2026-10")),
        ("journal list --period 2026-10", ["journal", "list", "--period", "2026-10"], *ledger("print", "-p", "2026-10")),
        ("report overview", ["report", "overview", "--date", "2026-10-31"], None, None),
        ("report ar-aging", ["report", "ar-aging"], None, None),
        ("report sales --year 2026", ["report", "sales", "--year", "2026"], None, None),
        ("report stock-balance", ["report", "stock-balance"], None, None),
        ("stock available", ["stock", "available"], None, None),
        ("sales list", ["sales", "list"], None, None),
        ("crm lead list --status qualified", ["crm", "lead", "list", "--status", "qualified"], None, None),
        ("crm followups", ["crm", "followups"], None, None),
        ("report pipeline", ["report", "pipeline"], None, None),
    ]
    rows = [(label, c + argv, peer, pcmd, False) for label, argv, peer, pcmd in out]
    customer, sku = info["customer"], info["sku"]
    writes = [("journal post", ["journal", "post", "--date", "2026-10-30", "--memo", "Bench post",
                                "-p", "6400", "12.00", "-p", "1010"])]
    if info["sizes"]["orders"]:
        writes.append(("sales order", ["sales", "order", "--partner", customer, "--line", f"{sku} 1",
                                       "--tax", "VAT20", "--warehouse", "DC", "--date", "2026-10-30"]))
        writes.append(("sales deliver", ["sales", "deliver", "{order}", "--date", "2026-10-30"]))
        writes.append(("sales invoice", ["sales", "invoice", "{order}", "--date", "2026-10-30"]))
    if "stock item" in counts:
        writes.append(("stock issue", ["stock", "issue", counts["stock item"], "--qty", "1", "--warehouse", "W1",
                                       "--date", "2026-10-30", "--reason", "bench"]))
    if "open lead" in counts:
        writes.append(("crm lead update --note", ["crm", "lead", "update", counts["open lead"], "--note",
                                                  "called back"]))
    rows += [(label, c + argv, None, None, True) for label, argv in writes]
    return rows


def measure(book: Path, info: dict, runs: int) -> dict:
    comptoir = ledger_bench.comptoir_command()
    c = comptoir + ["--repo", str(book)]
    journal = git_dir(book) / "bench-export.journal"
    peers = {name: shutil.which(name) for name in ("ledger", "hledger")}
    t0 = time.perf_counter()
    ledger_bench._run_ok(c + ["validate"], "validate (the generated book must be valid)")
    first_validate = time.perf_counter() - t0
    exported = ledger_bench.export_journal(book, journal) if any(peers.values()) else 0
    rows = commands(c, info, peers, journal)
    stock_ok = "stock item" in info["counts"]
    if stock_ok:  # a warehouse the issued item has stock in
        avail = json.loads(_output(c + ["stock", "available", info["counts"]["stock item"], "--format", "json"]))
        best = max(avail["rows"], key=lambda r: float(r["on_hand"]))
        rows = [(lb, [best["warehouse"] if a == "W1" else a for a in cmd], p, pc, w) for lb, cmd, p, pc, w in rows]
    figures: dict[str, dict] = {lb: {"walls": [], "rss": [], "peer": p, "peer_walls": [], "peer_rss": []}
                                for lb, _, p, _, _ in rows}
    for rnd in range(runs + 1):  # round 0 is a warm-up, not counted
        head = _git(book, "rev-parse", "HEAD").strip()
        order = None
        for label, cmd, peer, pcmd, _write in rows:
            if "{order}" in cmd:
                if order is None:
                    continue
                cmd = [order if a == "{order}" else a for a in cmd]
            wall, rss = timed(cmd, label)
            if label == "sales order":
                order = _last_order(book)
            if rnd:
                figures[label]["walls"].append(wall)
                figures[label]["rss"].append(rss)
            if pcmd:
                pw, prss = timed(pcmd, peer)
                if rnd:
                    figures[label]["peer_walls"].append(pw)
                    figures[label]["peer_rss"].append(prss)
        _git(book, "reset", "-q", "--hard", head)  # each round writes on the same book
    return {"figures": figures, "first_validate_s": round(first_validate, 2), "exported": exported,
            "load": os.getloadavg(), "cores": os.cpu_count()}


def _last_order(book: Path) -> str:
    """The id of the sales order the last commit wrote (its file name)."""
    names = _git(book, "show", "--name-only", "--format=", "HEAD").split()
    return next(Path(n).stem for n in names if "/orders/" in n)


def _fmt(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 1 else f"{seconds:.2f} s"


def table(book: Path, info: dict, result: dict, runs: int) -> str:
    sizes = info["sizes"]
    counts = info["counts"]
    lines = [
        f"company-year benchmark: {sizes['entries']:,} journal entries + {counts.get('stock entries', 0):,} stock "
        f"entries, {counts.get('stock moves', 0):,} stock moves, {counts.get('lead', 0):,} leads, "
        f"{counts.get('activity', 0):,} activities, {info['documents']:,} documents through the commands",
        f"book: {book} (generated in {info['generate_s']} s: documents {info['documents_s']} s, bulk {info['bulk_s']} s); "
        f"first validate {result['first_validate_s']} s; {result['exported']:,} entries exported for the peers",
        f"median of {runs} round{'s' if runs > 1 else ''} after a warm-up; {result['cores']} cores; load average "
        f"{result['load'][0]:.1f} at the end; Python {platform.python_version()}",
        "",
    ]
    head = ("command", "median", "peak MB", "peer, same rounds", "peer median", "ratio", "<= 1 s", "<= 0.5x")
    body = []
    for label, f in result["figures"].items():
        if not f["walls"]:
            continue
        med = statistics.median(f["walls"])
        peer_med = statistics.median(f["peer_walls"]) if f["peer_walls"] else None
        ratio = med / peer_med if peer_med else None
        body.append((label, _fmt(med), f"{max(f['rss']) / 1024:.0f}", f["peer"] or "", _fmt(peer_med) if peer_med else "",
                     f"{ratio:.2f}x" if ratio else "", "yes" if med <= 1.0 else "NO",
                     ("yes" if ratio <= 0.5 else "NO") if ratio else ""))
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    lines.append("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in body]
    return "\n".join(lines)


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
    ap.add_argument("--items", type=int, default=200, help="stocked items of the bulk stock moves")
    ap.add_argument("--runs", type=int, default=3, help="timed rounds; medians are printed (default 3)")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--keep", metavar="DIR", help="generate the book in DIR and keep it; reused when DIR holds one "
                                                 "made with the same sizes")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
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
        if info and (info.get("sizes") != sizes or info.get("schemas") != ledger_bench._schemas_digest()):
            shutil.rmtree(book)
            info = None
        if info is None:
            print(f"generating {sizes} in {book} ...", file=sys.stderr, flush=True)
            info = generate(book, sizes, ledger_bench.comptoir_command())
        else:
            print(f"reusing the book in {book}", file=sys.stderr)
        result = measure(book, info, args.runs)
        print(table(book, info, result, args.runs))
        if args.json:
            Path(args.json).write_text(json.dumps({"info": info, **result}, indent=2, default=str) + "\n")
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
