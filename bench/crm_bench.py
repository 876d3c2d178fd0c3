"""Benchmark the CRM commands on a synthetic book of 20,000 leads and 50,000 activities.

Generates a committed git repository in exactly the on-disk format comptoir writes (checked
against the writer): customers, N leads in every status and from several sources, an
opportunity for every converted lead (every stage), and M activities (calls, emails,
meetings, notes, tasks with due dates, some done) filed by month. Then times whole
processes, each figure the median of several runs after one warm-up run that fills the
parse cache: `crm lead list --status qualified` and `report pipeline` (the targets: <= 0.5 s
warm), `crm followups`, `report funnel`, and one `crm lead update` including its
validation and commit.

    python bench/crm_bench.py                          # 20,000 leads, 50,000 activities, 5 runs
    python bench/crm_bench.py --leads 2000 --activities 5000 --runs 1
    python bench/crm_bench.py --keep /tmp/crm20k       # generate once, reuse on the next run
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
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

MARKER = "comptoir-crm-bench.json"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
FIRST_DAY = dt.date(2024, 12, 1)
LAST_DAY = dt.date(2026, 11, 27)
TODAY = "2026-11-28"
TARGET = 0.5  # seconds, warm `crm lead list --status qualified` and `report pipeline`
CHILD_ENV = dict(os.environ, COMPTOIR_TODAY=TODAY, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@localhost",
                 GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@localhost")
CHILD_ENV.pop("COMPTOIR_REPO", None)
CHILD_ENV.pop("COMPTOIR_USER", None)
# Measure an installed tool: compiled bytecode is cached (outside the checkout), as pip's is.
CHILD_ENV.pop("PYTHONDONTWRITEBYTECODE", None)
CHILD_ENV["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "comptoir-bench-pycache")

FIRST = ["Jeanne", "Paul", "Claire", "Louis", "Emma", "Hugo", "Chloe", "Lucas", "Lea", "Nathan", "Manon",
         "Jules", "Camille", "Arthur", "Sarah", "Tom", "Ines", "Noah", "Alice", "Adam"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
        "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier"]
KINDS_OF_PLACE = ["Cafe", "Bistro", "Hotel", "Bakery", "Restaurant", "Deli", "Canteen", "Roastery", "Bar", "Office"]
CITIES = ["Lyon", "Paris", "Lille", "Nantes", "Bordeaux", "Rennes", "Dijon", "Grenoble", "Tours", "Nice"]
SOURCES = ["website", "website", "website", "referral", "event", "import", "partner", "cold-call"]
OWNERS = ["claire", "marc", "sophie", "yann", "lea"]
STATUS_WEIGHTS = [("new", 30), ("contacted", 25), ("qualified", 15), ("converted", 10), ("lost", 12),
                  ("disqualified", 8)]
STAGE_WEIGHTS = [("qualification", 25), ("proposal", 25), ("negotiation", 20), ("won", 18), ("lost", 12)]
SUBJECTS = {"call": ["Intro call", "Follow-up call", "Pricing call"], "email": ["Sent price list", "Sent samples info"],
            "meeting": ["Tasting at their place", "Visit of the roastery"], "note": ["Website form", "Met at fair"],
            "task": ["Send samples", "Call back", "Prepare quote"]}


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

def _pick(rng: random.Random, weights: list[tuple[str, int]]) -> str:
    return rng.choices([w[0] for w in weights], [w[1] for w in weights])[0]


def _plan(n_leads: int, n_activities: int, seed: int):
    """Partners, leads, opportunities and activities as validated records."""
    from comptoir.schemas.crm import Activity, Lead, Opportunity
    from comptoir.schemas.partners import Partner

    rng = random.Random(seed)
    taken: set[str] = set()

    def new(prefix: str, day: dt.date) -> str:
        while True:
            ident = f"{prefix}-{day:%Y%m%d}-" + "".join(rng.choice(ALPHABET) for _ in range(4))
            if ident not in taken:
                taken.add(ident)
                return ident

    span = (LAST_DAY - FIRST_DAY).days
    today = dt.date.fromisoformat(TODAY)
    leads, opps, partners, acts = [], [], [], []
    for i in range(n_leads):
        created = FIRST_DAY + dt.timedelta(days=i * span // n_leads)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = f"{rng.choice(KINDS_OF_PLACE)} {last} {CITIES[i % len(CITIES)]} {i}"
        status = _pick(rng, STATUS_WEIGHTS)
        ident = new("L", created)
        fields: dict = {"id": ident, "created": created, "name": f"{first} {last}", "company": company,
                        "email": f"{first.lower()}.{last.lower()}.{i}@example.com",
                        "phone": f"+33 6 {i // 10000 % 100:02d} {i // 100 % 100:02d} {i % 100:02d} {rng.randint(10, 99)}",
                        "source": rng.choice(SOURCES), "owner": rng.choice(OWNERS), "status": status,
                        "score": rng.randint(0, 100), "interest": "espresso blend for the counter",
                        "tags": [rng.choice(("horeca", "office", "retail"))]}
        if status in ("new", "contacted", "qualified") and rng.random() < 0.5:
            fields["follow_up"] = today + dt.timedelta(days=rng.randint(-20, 20))
        if status == "lost":
            fields["lost_reason"] = rng.choice(("price", "timing", "competitor", "no budget"))
        if status == "converted":
            converted = min(created + dt.timedelta(days=rng.randint(3, 60)), LAST_DAY)
            partner = Partner(id=f"c-{i}", name=company, roles=["customer"], email=fields["email"],
                              created=converted, lead=ident)
            partners.append(partner)
            stage = _pick(rng, STAGE_WEIGHTS)
            close = converted + dt.timedelta(days=rng.randint(10, 150))
            opp: dict = {"id": new("OPP", converted), "created": converted, "title": f"{company} coffee supply",
                         "partner": partner.id, "lead": ident, "owner": fields["owner"], "stage": stage,
                         "amount": Decimal(rng.randint(5, 400)) * 50, "expected_close": close}
            if stage in ("won", "lost"):
                opp["closed"] = min(close, LAST_DAY)
            if stage == "lost":
                opp["lost_reason"] = "price"
            opps.append(Opportunity.model_validate(opp))
            fields.update(converted=converted, partner=partner.id, opportunity=opp["id"])
        leads.append(Lead.model_validate(fields))
    for _ in range(n_activities):
        lead = leads[rng.randrange(len(leads))]
        day = min(lead.created + dt.timedelta(days=rng.randint(0, 90)), LAST_DAY)
        kind = rng.choice(("call", "call", "email", "email", "meeting", "note", "task", "task"))
        fields = {"id": new("ACT", day), "date": day, "type": kind, "subject": rng.choice(SUBJECTS[kind]),
                  "lead": lead.id, "owner": lead.owner}
        if lead.partner:
            fields["partner"] = lead.partner
        if kind == "task":
            fields["due"] = day + dt.timedelta(days=rng.randint(1, 14))
            if fields["due"] < today and rng.random() < 0.8:
                fields.update(done=True, done_on=fields["due"])
        acts.append(Activity.model_validate(fields))
    return partners, leads, opps, acts


def _plain(value) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def record_lines(header: str, record) -> str:
    """A flat record as comptoir writes it: model field order, defaults left out, lists in block style.
    (The generated values need no quoting; the first few hundred are checked against the writer.)"""
    data = record.model_dump(mode="python", exclude_none=True, exclude_defaults=True)
    lines = [header] if header else []
    for key, value in data.items():
        if isinstance(value, list):
            lines.append(f"{key}:")
            lines += [f"  - {_plain(v)}" for v in value]
        else:
            lines.append(f"{key}: {_plain(value)}")
    return "\n".join(lines) + "\n"


def generate(book: Path, n_leads: int, n_activities: int, seed: int) -> dict:
    from comptoir.book.writer import record_text
    from comptoir.schemas.registry import kind_named

    t0 = time.perf_counter()
    if book.exists() and any(book.iterdir()):
        raise SystemExit(f"bench: {book} is not empty; pass an empty or new folder")
    book.parent.mkdir(parents=True, exist_ok=True)
    _run_ok(comptoir_command() + ["init", str(book), "--company", "Bench CRM", "--currency", "EUR"], "init")
    partners, leads, opps, acts = _plan(n_leads, n_activities, seed)
    made: set[Path] = set()
    for kind_name, records in (("partner", partners), ("lead", leads), ("opportunity", opps), ("activity", acts)):
        kind = kind_named(kind_name)
        text = record_text(kind, records[0]) if records else ""
        header = text.split("\n", 1)[0] if text.startswith("#") else ""
        for r in records[:300]:  # the generated text must be byte-identical to the writer's
            ours, theirs = record_lines(header, r), record_text(kind, r)
            if ours != theirs:
                raise SystemExit(f"bench: {kind_name} format differs from the writer:\n{ours}---\n{theirs}")
        for r in records:
            path = book / kind.path_for(r)
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(record_lines(header, r))
    _git(book, "add", "-A")
    _git(book, "commit", "-q", "--no-verify", "-m",
         f"Bench: {len(partners)} customers, {n_leads} leads, {len(opps)} opportunities, {n_activities} activities")
    info = {"leads": n_leads, "activities": n_activities, "seed": seed, "partners": len(partners),
            "opportunities": len(opps), "generate_s": round(time.perf_counter() - t0, 1),
            "qualified": sum(1 for lead in leads if lead.status == "qualified"), "first_lead": leads[0].id}
    (git_dir(book) / MARKER).write_text(json.dumps(info), encoding="utf-8")
    return info


# -- measuring -------------------------------------------------------------------------------------

def timed(cmd: list[str], what: str) -> tuple[float, int, float]:
    """Wall seconds, peak resident memory (KiB) and CPU seconds (user + system, its children
    included) of one whole process. CPU time is the steadier figure on a busy machine."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=CHILD_ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"bench: {what} failed: {' '.join(cmd)}\n{err.read().decode(errors='replace')[-2000:]}")
    # on Linux the child's rusage also counts the git processes it ran and waited for
    return wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--leads", type=int, default=20_000)
    ap.add_argument("--activities", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--keep", metavar="DIR", help="Generate the book here (or reuse it when it is already there).")
    args = ap.parse_args()

    tmp = None
    if args.keep:
        book = Path(args.keep).resolve()
    else:
        tmp = tempfile.TemporaryDirectory(prefix="comptoir-crm-bench-")
        book = Path(tmp.name) / "book"
    marker = git_dir(book) / MARKER if (book / ".git").exists() else None
    wanted = {"leads": args.leads, "activities": args.activities, "seed": args.seed}
    info = json.loads(marker.read_text()) if marker and marker.is_file() else None
    if info is None or any(info.get(k) != v for k, v in wanted.items()):
        print(f"generating {args.leads:,} leads and {args.activities:,} activities in {book} ...", flush=True)
        info = generate(book, args.leads, args.activities, args.seed)
        print(f"generated in {info['generate_s']} s ({info['partners']:,} customers, "
              f"{info['opportunities']:,} opportunities)", flush=True)
        reused = False
    else:
        reused = True
    c = comptoir_command() + ["--repo", str(book)]
    figures: dict[str, float] = {}
    cache = git_dir(book) / "comptoir"
    if not reused and cache.exists():
        shutil.rmtree(cache / "store" / "parse", ignore_errors=True)
    wall, rss, cpu = timed(c + ["validate"], "validate")  # cold: fills the parse cache, proves the book valid
    figures["validate (first run" + (")" if reused else ", cold: no parse cache)")] = (wall, cpu)
    runs = {
        "crm lead list --status qualified": c + ["crm", "lead", "list", "--status", "qualified", "--format", "csv"],
        "report pipeline": c + ["report", "pipeline", "--format", "csv"],
        "crm followups": c + ["crm", "followups", "--format", "csv"],
        "report funnel": c + ["report", "funnel", "--format", "csv"],
        "report forecast": c + ["report", "forecast", "--format", "csv"],
        "validate (warm)": c + ["validate"],
    }
    peak = rss
    for label, cmd in runs.items():
        timed(cmd, label)  # warm-up
        walls, cpus = [], []
        for _ in range(args.runs):
            w, r, u = timed(cmd, label)
            walls.append(w)
            cpus.append(u)
            peak = max(peak, r)
        figures[label] = (statistics.median(walls), statistics.median(cpus))
    walls, cpus = [], []
    for i in range(max(1, min(args.runs, 3))):
        w, r, u = timed(c + ["crm", "lead", "update", info["first_lead"], "--note", f"bench call {i}",
                             "--note-type", "call"], "crm lead update")
        walls.append(w)
        cpus.append(u)
        peak = max(peak, r)
    figures["crm lead update --note (write + validate + commit)"] = (statistics.median(walls), statistics.median(cpus))
    _git(book, "reset", "-q", "--hard", "HEAD~" + str(len(walls)))

    print()
    print(f"book: {info['leads']:,} leads ({info['qualified']:,} qualified), {info['activities']:,} activities, "
          f"{info['opportunities']:,} opportunities, {info['partners']:,} customers; "
          f"median of {args.runs} warm runs (whole processes); load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs")
    print(f"  {'':52s} {'wall':>9s} {'cpu':>9s}")
    for label, (wall, cpu) in figures.items():
        mark = ""
        if label in ("crm lead list --status qualified", "report pipeline"):
            mark = f"   target <= {TARGET} s: {'met' if wall <= TARGET else 'MISSED'}"
        print(f"  {label:52s} {wall:7.3f} s {cpu:7.3f} s{mark}")
    print(f"  peak memory {peak / 1024:.0f} MB")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
