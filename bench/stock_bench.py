"""Benchmark the stock commands on a synthetic book of 50,000 stock moves and their journal entries.

Generates a committed git repository in exactly the on-disk format comptoir writes (checked
against the writer): items, warehouses, N stock moves valued by comptoir's own FIFO and
moving-average code (receipts, issues, transfers, count adjustments; never negative), and
the journal entry of every move that moves value between accounts. Then times whole
processes, each figure the median of several runs after one warm-up run that fills the
caches: `stock available` for all items (the target: <= 0.5 s warm), repeated on the same
book (the remembered answer) and computed afresh (as after any change but a journal entry),
`stock promise`, `report stock-balance`, and one `stock issue` with its validation and commit.

    python bench/stock_bench.py                       # 50,000 moves, 5 runs
    python bench/stock_bench.py --moves 2000 --runs 1
    python bench/stock_bench.py --keep /tmp/stock50k  # generate once, reuse on the next run
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

MARKER = "comptoir-stock-bench.json"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
FIRST_DAY = dt.date(2024, 11, 1)
LAST_DAY = dt.date(2026, 10, 31)
TODAY = "2026-11-28"
TARGET = 0.5  # seconds, warm `stock available` for all items
CHILD_ENV = dict(os.environ, COMPTOIR_TODAY=TODAY, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@localhost",
                 GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@localhost")
CHILD_ENV.pop("COMPTOIR_REPO", None)


def _git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=CHILD_ENV)
    if proc.returncode != 0:
        raise SystemExit(f"bench: git {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout


def _run_ok(cmd: list[str], what: str) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, env=CHILD_ENV)
    if proc.returncode != 0:
        raise SystemExit(f"bench: {what} exited {proc.returncode}: {' '.join(cmd)}\n{proc.stderr.strip()[-2000:]}")
    return proc.stdout


def comptoir_command() -> list[str]:
    script = Path(sys.executable).parent / "comptoir"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "cli"]


def git_dir(book: Path) -> Path:
    path = Path(_git(book, "rev-parse", "--git-common-dir").strip())
    return path if path.is_absolute() else (book / path).resolve()


# -- generating the book --------------------------------------------------------------------------


def _plan(n_moves: int, n_items: int, n_warehouses: int, seed: int, taken: set[str] | None = None):
    """Items, warehouses and the moves with frozen values, as comptoir's own valuation gives them
    (ids other than `taken`, the ids the book has already)."""
    from comptoir.domain.stock import Position
    from comptoir.schemas.inventory import Item, StockMove, Warehouse

    rng = random.Random(seed)
    whs = [Warehouse(code=f"W{i + 1}", name=f"Warehouse {i + 1}", address=f"{i + 1} Dock Road")
           for i in range(n_warehouses)]
    its = [Item(sku=f"SKU-{i + 1:04d}", name=f"Article {i + 1}", uom=rng.choice(("unit", "kg", "bag")),
                type=rng.choice(("stocked", "raw-material", "finished-good")),
                lead_time_days=rng.choice((3, 7, 14, 21)), reorder_point=Decimal(rng.choice((20, 50, 100))),
                reorder_qty=Decimal(rng.choice((100, 200, 500))),
                valuation="fifo" if i % 2 == 0 else "moving-average")
           for i in range(n_items)]
    positions = {(it.sku, w.code): Position(it.valuation == "fifo", 2) for it in its for w in whs}
    days = (LAST_DAY - FIRST_DAY).days + 1
    taken = set(taken or ())
    seq: dict[dt.date, int] = {}
    moves = []

    def new(prefix: str, day: dt.date) -> str:
        while True:
            ident = f"{prefix}-{day:%Y%m%d}-" + "".join(rng.choice(ALPHABET) for _ in range(4))
            if ident not in taken:
                taken.add(ident)
                return ident

    for i in range(n_moves):
        day = FIRST_DAY + dt.timedelta(days=i * days // n_moves)
        it = rng.choice(its)
        wh = rng.choice(whs).code
        pos = positions[(it.sku, wh)]
        roll = rng.random()
        fields: dict = {"id": new("SM", day), "date": day, "item": it.sku}
        s = seq[day] = seq.get(day, -1) + 1
        if s:
            fields["seq"] = s
        if pos.qty < 5 or roll < 0.3:
            qty = Decimal(rng.randint(10, 200))
            cost = Decimal(rng.randint(50, 5000)) / 100
            fields.update(type="receipt", qty=qty, to_warehouse=wh, unit_cost=cost,
                          value=(qty * cost).quantize(Decimal("0.01")), account="2100")
            pos.receive(qty, fields["value"])
        elif roll < 0.85:
            qty = Decimal(rng.randint(1, int(pos.qty)))
            fields.update(type="issue", qty=qty, from_warehouse=wh, value=pos.issue(qty), account="5010",
                          reason="sold")
        elif roll < 0.95:
            other = rng.choice([w.code for w in whs if w.code != wh])
            qty = Decimal(rng.randint(1, int(pos.qty)))
            value = pos.issue(qty)
            variance = positions[(it.sku, other)].receive(qty, value)
            fields.update(type="transfer", qty=qty, from_warehouse=wh, to_warehouse=other, value=value)
            if variance:
                fields["variance"] = variance
        else:
            qty = Decimal(1)
            fields.update(type="adjustment", qty=qty, from_warehouse=wh, value=pos.issue(qty), account="5020",
                          reason="count")
        moves.append(StockMove.model_validate(fields))
    entries = []
    for m in moves:
        if m.type == "transfer" or m.value == 0:
            continue
        if m.type == "receipt":
            postings = [("1200", m.value), (m.account, -m.value)]
            memo = f"Receive {m.qty} {m.item} into {m.to_warehouse}"
        else:
            postings = [(m.account, m.value), ("1200", -m.value)]
            memo = f"Issue {m.qty} {m.item} from {m.from_warehouse}: {m.reason}"
        entries.append({"id": new("JE", m.date), "date": m.date, "memo": memo, "source": m.id,
                        "postings": [{"account": a, "amount": v} for a, v in postings]})
    return its, whs, moves, entries


def _d(value: Decimal) -> str:
    return format(value, "f")


def move_text(header: str, m) -> str:
    """A stock move as comptoir writes it (field order of the model, defaults left out)."""
    lines = [header] if header else []
    lines += [f"id: {m.id}", f"date: {m.date.isoformat()}"]
    if m.seq:
        lines.append(f"seq: {m.seq}")
    lines += [f"type: {m.type}", f"item: {m.item}", f"qty: {_d(m.qty)}"]
    if m.from_warehouse:
        lines.append(f"from_warehouse: {m.from_warehouse}")
    if m.to_warehouse:
        lines.append(f"to_warehouse: {m.to_warehouse}")
    if m.unit_cost is not None:
        lines.append(f"unit_cost: {_d(m.unit_cost)}")
    lines.append(f"value: {_d(m.value)}")
    if m.variance:
        lines.append(f"variance: {_d(m.variance)}")
    if m.account:
        lines.append(f"account: '{m.account}'")
    if m.reason:
        lines.append(f"reason: {m.reason}")
    return "\n".join(lines) + "\n"


def entry_text(header: str, e: dict) -> str:
    lines = [header] if header else []
    lines += [f"id: {e['id']}", f"date: {e['date'].isoformat()}", f"memo: '{e['memo']}'" if ":" in e["memo"]
              else f"memo: {e['memo']}", f"source: {e['source']}", "postings:"]
    for p in e["postings"]:
        lines += [f"  - account: '{p['account']}'", f"    amount: {_d(p['amount'])}"]
    return "\n".join(lines) + "\n"


def _header(kind_name: str, text: str) -> str:
    return text.split("\n", 1)[0] if text.startswith("#") else ""


def generate(book: Path, n_moves: int, n_items: int, n_warehouses: int, seed: int) -> dict:
    from comptoir.book.writer import record_text
    from comptoir.schemas.accounting import JournalEntry
    from comptoir.schemas.registry import kind_named

    t0 = time.perf_counter()
    if book.exists() and any(book.iterdir()):
        raise SystemExit(f"bench: {book} is not empty; pass an empty or new folder")
    book.parent.mkdir(parents=True, exist_ok=True)
    _run_ok(comptoir_command() + ["init", str(book), "--company", "Bench Stock", "--currency", "EUR"], "init")
    its, whs, moves, entries = _plan(n_moves, n_items, n_warehouses, seed)
    k_item, k_wh, k_move, k_entry = (kind_named(n) for n in ("item", "warehouse", "stock-move", "journal"))
    for kind, records in ((k_item, its), (k_wh, whs)):
        for r in records:
            path = book / kind.path_for(r)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(record_text(kind, r), encoding="utf-8")
    move_header = _header("stock-move", record_text(k_move, moves[0]))
    entry_header = _header("journal", record_text(k_entry, JournalEntry.model_validate(entries[0])))
    for m in moves[:200]:  # the generated text must be byte-identical to the writer's
        if move_text(move_header, m) != record_text(k_move, m):
            raise SystemExit(f"bench: move format differs from the writer:\n{move_text(move_header, m)}---\n"
                             f"{record_text(k_move, m)}")
    for e in entries[:200]:
        theirs = record_text(k_entry, JournalEntry.model_validate(e))
        if entry_text(entry_header, e) != theirs:
            raise SystemExit(f"bench: entry format differs from the writer:\n{entry_text(entry_header, e)}---\n{theirs}")
    made: set[Path] = set()
    for kind, records, fmt, header in ((k_move, moves, move_text, move_header),
                                       (k_entry, entries, entry_text, entry_header)):
        for r in records:
            day = r.date if kind is k_move else r["date"]
            ident = r.id if kind is k_move else r["id"]
            folder = book / kind.folder / f"{day.year:04d}" / f"{day.month:02d}"
            if folder not in made:
                folder.mkdir(parents=True, exist_ok=True)
                made.add(folder)
            with open(folder / f"{ident}.yaml", "w", encoding="utf-8", newline="\n") as fh:
                fh.write(fmt(header, r))
    _git(book, "add", "-A")
    _git(book, "commit", "-q", "--no-verify", "-m",
         f"Bench: {n_items} items, {n_warehouses} warehouses, {n_moves} stock moves, {len(entries)} entries")
    info = {"moves": n_moves, "entries": len(entries), "items": n_items, "warehouses": n_warehouses, "seed": seed,
            "generate_s": round(time.perf_counter() - t0, 1)}
    (git_dir(book) / MARKER).write_text(json.dumps(info), encoding="utf-8")
    return info


# -- measuring -------------------------------------------------------------------------------------


def timed(cmd: list[str], what: str, check: bool = True, env: dict | None = None) -> tuple[float, int]:
    """Wall seconds and peak resident memory (KiB) of one whole process; its CPU seconds (with the
    git commands it ran) go to CPU_SECONDS, which stays meaningful on a busy machine."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env or CHILD_ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if check and os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"bench: {what} failed: {' '.join(cmd)}\n{err.read().decode(errors='replace')[-2000:]}")
    CPU_SECONDS.append(usage.ru_utime + usage.ru_stime)
    return wall, usage.ru_maxrss


CPU_SECONDS: list[float] = []


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--moves", type=int, default=50_000)
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--warehouses", type=int, default=4)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", metavar="DIR", help="Generate the book here (or reuse it when it is already there).")
    args = ap.parse_args()

    tmp = None
    if args.keep:
        book = Path(args.keep).resolve()
    else:
        tmp = tempfile.TemporaryDirectory(prefix="comptoir-stock-bench-")
        book = Path(tmp.name) / "book"
    marker = git_dir(book) / MARKER if (book / ".git").exists() else None
    wanted = {"moves": args.moves, "items": args.items, "warehouses": args.warehouses, "seed": args.seed}
    info = json.loads(marker.read_text()) if marker and marker.is_file() else None
    if info is None or any(info.get(k) != v for k, v in wanted.items()):
        if book.exists() and any(book.iterdir()):
            raise SystemExit(f"bench: {book} holds another book; remove it or pick another --keep folder")
        print(f"generating {args.moves:,} moves, {args.items} items, {args.warehouses} warehouses in {book} ...",
              flush=True)
        info = generate(book, args.moves, args.items, args.warehouses, args.seed)
        print(f"generated in {info['generate_s']} s ({info['entries']:,} journal entries)", flush=True)
    c = comptoir_command() + ["--repo", str(book)]
    figures: dict[str, float] = {}
    # the first validate fills the parse cache and shows the generated book is valid
    proc = subprocess.run(c + ["validate"], capture_output=True, text=True, env=CHILD_ENV)
    if proc.returncode != 0:  # e.g. a kept book whose exported schemas an older comptoir wrote
        print(f"note: validate reports problems in this book:\n{proc.stderr.strip()[-1500:]}", flush=True)
    wall, rss = timed(c + ["validate"], "validate", check=False)
    figures["validate (warm, first)"] = wall
    fresh = dict(CHILD_ENV, COMPTOIR_ANSWER_CACHE="0")  # as after any change to the book but the journal
    runs = {
        "stock available (all items)": (c + ["stock", "available", "--format", "csv"], CHILD_ENV),
        "  same, answer computed afresh": (c + ["stock", "available", "--format", "csv"], fresh),
        "stock available SKU-0001, afresh": (c + ["stock", "available", "SKU-0001", "--format", "csv"], fresh),
        "stock promise SKU-0001 --qty 500, afresh":
            (c + ["stock", "promise", "SKU-0001", "--qty", "500", "--format", "json"], fresh),
        "report stock-balance": (c + ["report", "stock-balance", "--format", "csv"], CHILD_ENV),
    }
    peak = rss
    cpu: dict[str, float] = {}
    for label, (cmd, env) in runs.items():
        timed(cmd, label, env=env)  # warm-up
        walls = []
        CPU_SECONDS.clear()
        for _ in range(args.runs):
            w, r = timed(cmd, label, env=env)
            walls.append(w)
            peak = max(peak, r)
        figures[label] = statistics.median(walls)
        cpu[label] = statistics.median(CPU_SECONDS)
    # one write: a stock issue with its entry, validation of the whole book and the commit
    rows = json.loads(_run_ok(c + ["stock", "available", "--format", "json"], "stock available"))["rows"]
    fullest = max(rows, key=lambda r: Decimal(r["on_hand"]))
    walls = []
    for i in range(max(1, min(args.runs, 3))):
        w, r = timed(c + ["stock", "issue", fullest["item"], "--qty", "1", "--warehouse", fullest["warehouse"],
                          "--date", TODAY, "--reason", f"bench {i}"], "stock issue")
        walls.append(w)
        peak = max(peak, r)
    figures["stock issue (write + validate + commit)"] = statistics.median(walls)
    _git(book, "reset", "-q", "--hard", "HEAD~" + str(len(walls)))

    load = os.getloadavg()[0]
    print()
    print(f"book: {info['moves']:,} stock moves, {info['entries']:,} journal entries, {info['items']} items, "
          f"{info['warehouses']} warehouses; median of {args.runs} warm runs (whole processes)")
    print(f"  {'':45s} {'wall':>9s} {'cpu':>9s}   (cpu: user + system of the process and its git commands)")
    for label, wall in figures.items():
        mark = ""
        if label == "stock available (all items)":
            mark = f"   target <= {TARGET} s wall: {'met' if wall <= TARGET else 'MISSED'}"
        shown = f"{cpu[label]:7.3f} s" if label in cpu else " " * 9
        print(f"  {label:45s} {wall:7.3f} s {shown}{mark}")
    print(f"  load average while measuring: {load:.1f} on {os.cpu_count()} CPUs")
    print(f"  peak memory {peak / 1024:.0f} MB")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
