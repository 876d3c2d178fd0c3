"""Writers queue on a kernel lock: many processes writing one book all land exactly once, a
writer that gives up names the holder, and a dead holder's lock is free at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from .conftest import git, head, run

POSTER = textwrap.dedent("""
    import sys
    from comptoir.main import main
    worker, count = sys.argv[1], int(sys.argv[2])
    for n in range(count):
        try:
            main(["journal", "post", "--date", "2026-11-05", "--memo", f"w{worker}-{n}",
                  "-p", "6100", "1.00", "-p", "1010", "-1.00"])
        except SystemExit as exc:
            if exc.code:
                sys.exit(exc.code)
""")

HOLDER = textwrap.dedent("""
    import sys, time
    from filelock import FileLock
    lock = FileLock(sys.argv[1])
    lock.acquire()
    open(sys.argv[1] + ".owner", "w").write("pid 4242, `comptoir journal post`, since 10:00:00\\n")
    print("held", flush=True)
    time.sleep(60)
""")


def _env(book, **extra):
    env = dict(os.environ, COMPTOIR_REPO=str(book), COMPTOIR_TODAY="2026-11-28", **extra)
    env.pop("COMPTOIR_ANSWER_CACHE", None)
    return env


def test_many_writers_at_once_all_land_exactly_once(book):
    workers, posts = 6, 4
    before = int(git(book, "rev-list", "--count", "HEAD"))
    procs = [subprocess.Popen([sys.executable, "-c", POSTER, str(w), str(posts)], env=_env(book),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for w in range(workers)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0] * workers, [e.decode()[-400:] for _, e in outs]
    log = git(book, "log", "--format=%s", f"-{workers * posts}")
    memos = sorted(line.split(": ", 1)[1] for line in log.splitlines())
    assert memos == sorted(f"w{w}-{n}" for w in range(workers) for n in range(posts))
    assert int(git(book, "rev-list", "--count", "HEAD")) == before + workers * posts
    assert git(book, "status", "--porcelain") == ""
    assert run(book, "validate").exit_code == 0


def test_a_writer_that_gives_up_names_the_holder_and_a_dead_holders_lock_is_free(book):
    lock = book / ".git" / "comptoir" / "write.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"held"
        before = head(book)
        started = time.monotonic()
        res = run(book, "journal", "post", "--date", "2026-11-05", "--memo", "x", "-p", "6100", "1", "-p", "1010", "-1")
        assert res.exit_code == 1 and "[locked]" in res.stderr
        assert "pid 4242, `comptoir journal post`" in res.stderr and "COMPTOIR_LOCK_WAIT" in res.stderr
        assert time.monotonic() - started >= 0.9  # it waited its turn (1 s in tests) before giving up
        assert head(book) == before
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # the kernel dropped the dead holder's lock: no stale file to guess about or delete
    res = run(book, "journal", "post", "--date", "2026-11-05", "--memo", "x", "-p", "6100", "1", "-p", "1010", "-1")
    assert res.exit_code == 0, res.output
    assert head(book) != before


def test_a_reader_never_makes_a_writer_fail_on_gits_index_lock(book):
    """A `git status` elsewhere takes git's index.lock for a moment; the write waits for it."""
    index_lock = book / ".git" / "index.lock"
    index_lock.write_text("")
    releaser = subprocess.Popen([sys.executable, "-c",
                                 f"import time, os; time.sleep(1.5); os.unlink({str(index_lock)!r})"])
    try:
        res = run(book, "journal", "post", "--date", "2026-11-05", "--memo", "waits", "-p", "6100", "1",
                  "-p", "1010", "-1")
    finally:
        releaser.wait()
    assert res.exit_code == 0, res.output
    assert git(book, "log", "-1", "--format=%s").strip().endswith("waits")
