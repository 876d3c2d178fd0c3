"""Rebuild the demo company in ledger-data/ by running real comptoir commands.

Each steps file (NN-area.txt, run in name order) holds one comptoir command per line,
without the leading `comptoir`. `name = command ...` keeps the first line the command
prints as {name} for later lines; `@today YYYY-MM-DD` sets the clock for what follows.
A file a command reads (`crm capture --file ledger-data/examples/...`) is named relative to
the repository root, wherever the script is run from; ledger-data/examples/ is kept.
The commands run in a temporary git repository; the resulting files are then copied
here, so the demo always matches what the code writes.

    python ledger-data/script/build.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent
sys.path.insert(0, str(DATA.parent))

from comptoir.api import invoke  # noqa: E402

COMPANY = "Comptoir Coffee Roasters"


def comptoir(repo: Path, args: list[str], today: dt.date, rng: random.Random) -> tuple[int, str, str]:
    done = invoke(args, repo=repo, today=today, rng=rng)
    return done.exit_code, done.stdout, done.stderr


def first_day() -> dt.date:
    """The earliest `@today` of any steps file: the day the demo's book is created."""
    days = [dt.date.fromisoformat(m) for steps in HERE.glob("[0-9][0-9]-*.txt")
            for m in re.findall(r"^\s*@today\s+(\S+)", steps.read_text(encoding="utf-8"), re.M)]
    return min(days, default=dt.date(2026, 11, 28))


IDENTITY = {"GIT_AUTHOR_NAME": "Demo Builder", "GIT_AUTHOR_EMAIL": "demo@comptoir.example",
            "GIT_COMMITTER_NAME": "Demo Builder", "GIT_COMMITTER_EMAIL": "demo@comptoir.example"}


class _Clock:
    """Commit dates follow the steps' clock: each command's commit is dated its `@today` at
    09:00 UTC plus one second per command run so far, so the demo's history (and every
    `--as-of DATE` on it) is the same on every build."""

    def __init__(self) -> None:
        self.count = 0
        self.saved = {k: os.environ.get(k) for k in (*IDENTITY, "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE")}
        os.environ.update(IDENTITY)  # the first commit too, before the repository's config exists

    def set(self, today: dt.date) -> None:
        self.count += 1
        stamp = dt.datetime.combine(today, dt.time(9), dt.UTC) + dt.timedelta(seconds=self.count)
        os.environ["GIT_AUTHOR_DATE"] = os.environ["GIT_COMMITTER_DATE"] = stamp.isoformat()

    def restore(self) -> None:
        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def build_repo(repo: Path) -> None:
    """Create the demo company in a new git repository at `repo`, history included."""
    rng = random.Random(20261128)
    today = first_day()
    clock = _Clock()
    cwd = os.getcwd()
    os.chdir(DATA.parent)  # input files in the steps are relative to the repository root
    try:
        clock.set(today)
        code, out, err = comptoir(repo, ["init", str(repo), "--company", COMPANY, "--currency", "EUR",
                                        "--no-fsmonitor"], today, rng)
        if code:
            sys.exit(err)
        for cmd in (["config", "user.name", "Demo Builder"], ["config", "user.email", "demo@comptoir.example"]):
            subprocess.run(["git", *cmd], cwd=repo, check=True)
        names: dict[str, str] = {}
        for steps in sorted(HERE.glob("[0-9][0-9]-*.txt")):
            # each file draws its ids from its own seed: adding steps to one area leaves the
            # ids of every other area as they were
            rng = random.Random(f"20261128/{steps.name}")
            for number, raw in enumerate(steps.read_text(encoding="utf-8").splitlines(), 1):
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                if line.startswith("@today"):
                    today = dt.date.fromisoformat(line.split()[1])
                    continue
                capture = None
                m = re.match(r"^(\w+)\s*=\s*(.*)$", line)
                if m:
                    capture, line = m.group(1), m.group(2)
                line = re.sub(r"\{(\w+)\}", lambda mm: names[mm.group(1)], line)
                clock.set(today)
                code, out, err = comptoir(repo, shlex.split(line), today, rng)
                if code:
                    sys.exit(f"{steps.name}:{number}: `comptoir {line}` failed:\n{err}{out}")
                if capture:
                    names[capture] = out.strip().splitlines()[0] if out.strip() else ""
    finally:
        clock.restore()
        os.chdir(cwd)


def build(target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "books"
        build_repo(repo)
        for child in target.iterdir():
            if child.name not in ("script", "examples", "README.md") and not child.name.startswith("."):
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        for child in repo.iterdir():
            if child.name == ".git":
                continue
            dest = target / child.name
            shutil.copytree(child, dest) if child.is_dir() else shutil.copy2(child, dest)
    print(f"rebuilt {target}")


if __name__ == "__main__":
    build(DATA)
