"""The program ends as soon as its command has (comptoir.main._exit_now): what it printed is all
there, its exit status is the command's, and a profiler run over it still gets its results."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import demo_book, run


def _program(book: Path, *args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    env = {**os.environ, "COMPTOIR_TODAY": "2026-11-28"}
    env.pop("COMPTOIR_REPO", None)
    return subprocess.run([sys.executable, *prefix, "-m", "comptoir", *args], cwd=book, env=env,
                          capture_output=True, text=True)


def test_all_the_output_and_the_exit_status(tmp_path):
    book = demo_book(tmp_path / "demo")
    done = _program(book, "report", "register", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout == run(book, "report", "register", "--format", "csv").stdout
    assert done.stdout.count("\n") > 400 and done.stdout.endswith("\n")
    failed = _program(book, "report", "ledger", "9999")
    assert failed.returncode == 1 and "error [unknown-account]" in failed.stderr and not failed.stdout
    assert _program(book, "report", "no-such-report").returncode == 2


def test_a_profiler_gets_its_results(tmp_path):
    book = demo_book(tmp_path / "demo")
    out = tmp_path / "run.prof"
    done = _program(book, "report", "trial-balance", prefix=("-m", "cProfile", "-o", str(out)))
    assert done.returncode == 0, done.stderr
    assert out.is_file() and out.stat().st_size > 0
