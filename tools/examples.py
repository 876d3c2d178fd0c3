"""Executed examples: run every command shown in the docs and README, and write its output.

The convention (a few lines of Markdown, no code in the pages):

- A fenced block marked ```` ```console ```` is a terminal session. Each line starting with
  `$ ` is a command (a line ending in `\\` continues on the next); the lines after it, up to
  the next `$ ` or the end of the block, are its output, which this module writes: stdout,
  then stderr, exactly as the command printed them.
- A fenced block marked ```` ```sh ```` is run the same way, but shows no output.
- A command must exit 0, unless its line ends with a comment `# exit N` naming the code it
  exits with (an error shown on purpose).
- A block right after a line `<!-- not run: REASON -->` is not run (installing, changing
  the reader's shell); tests/test_docs.py allows that only where it says so.
- Commands are `comptoir ...` (run in-process), `cd DIR`, `cat FILE`, `git ...` and `ls`.
  Anything else is refused, so a page cannot quietly show a command nobody ran.

Each page is one session, run inside `ledger-data/` (the data root, a git repository of its
own) in a scratch folder: a fresh copy of the demo company *with its git history* (built by ledger-data/script/build.py with commit
dates taken from the steps' `@today`, so `--as-of DATE` is stable). The clock is fixed at
TODAY, ids come from a generator seeded with the page name, and commits made by examples are
dated TODAY: the same page gives the same output on every run. A page whose first line is
`<!-- examples: empty -->` starts in an empty scratch folder instead (for `comptoir init`).
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
from dataclasses import dataclass
from pathlib import Path

TODAY = dt.date(2026, 11, 30)
FENCE = re.compile(r"^(?P<indent>[ ]*)```(?P<lang>[\w-]*)[^\n]*$")
EXIT = re.compile(r"#\s*exit\s+(\d+)\s*$")
PAGES = ["README.md", "docs/*.md"]
IDENTITY = {"GIT_AUTHOR_NAME": "Ana Example", "GIT_AUTHOR_EMAIL": "ana@example.com",
            "GIT_COMMITTER_NAME": "Ana Example", "GIT_COMMITTER_EMAIL": "ana@example.com"}
NOT_RUN = "<!-- not run:"  # before a block: shown, not run (install steps; say why)


class ExampleError(Exception):
    pass


@dataclass
class Block:
    lang: str
    indent: str
    start: int  # index of the opening fence line
    end: int  # index of the closing fence line


def pages(root: Path) -> list[Path]:
    found: list[Path] = []
    for pattern in PAGES:
        found += sorted(root.glob(pattern))
    return found


def blocks(lines: list[str]) -> list[Block]:
    out, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m:
            indent, lang = m.group("indent"), m.group("lang")
            j = i + 1
            while j < len(lines) and lines[j].strip() != "```":
                j += 1
            out.append(Block(lang, indent, i, j))
            i = j + 1
        else:
            i += 1
    return out


def commands(body: list[str], prompt: bool) -> list[tuple[list[str], str, list[str]]]:
    """(the command's lines as written, the command, its output lines) of a session block.
    With `prompt`, commands start with `$ ` and other lines are output; without, every line
    that is not blank or a comment is a command."""
    out: list[tuple[list[str], str, list[str]]] = []
    i = 0
    while i < len(body):
        line = body[i]
        is_cmd = line.startswith("$ ") if prompt else bool(line.strip()) and not line.lstrip().startswith("#")
        if is_cmd:
            raw = [line]
            cmd = line[2:] if prompt else line
            while cmd.rstrip().endswith("\\") and i + 1 < len(body):
                i += 1
                raw.append(body[i])
                cmd = cmd.rstrip()[:-1].rstrip() + " " + body[i].strip()
            out.append((raw, cmd, []))
        elif out:
            out[-1][2].append(line)
        elif line.strip() and prompt:
            raise ExampleError(f"text before the first `$ ` command: {line!r}")
        i += 1
    return out


class Session:
    def __init__(self, workdir: Path, seed: str):
        self.cwd = workdir
        self.rng = random.Random(seed)

    def run(self, cmd: str) -> tuple[int, str]:
        argv = shlex.split(cmd, comments=True)
        if not argv:
            raise ExampleError("empty command")
        name = argv[0]
        if name == "cd":
            target = (self.cwd / argv[1]).resolve()
            if not target.is_dir():
                return 1, f"cd: {argv[1]}: no such directory\n"
            self.cwd = target
            return 0, ""
        if name == "comptoir":
            return self.comptoir(argv[1:])
        if name in ("cat", "git", "ls"):
            done = subprocess.run(argv, cwd=self.cwd, capture_output=True, text=True)
            return done.returncode, done.stdout + done.stderr
        raise ExampleError(f"`{name}` is not a command the examples run (comptoir, cd, cat, git, ls)")

    def comptoir(self, args: list[str]) -> tuple[int, str]:
        from comptoir.api import invoke
        from comptoir.book import fsmonitor

        # outputs must not depend on whether watchman is installed here (`init` turns git's monitor
        # on when it is), nor the examples leave watches of their temporary books in the user's daemon
        fsmonitor.available = lambda: False
        stamp = dt.datetime.combine(TODAY, dt.time(12), dt.UTC).isoformat()
        saved = {k: os.environ.get(k) for k in (*IDENTITY, "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE", "COMPTOIR_REPO")}
        os.environ.update(IDENTITY)  # commit ids in the outputs must not depend on who runs them
        os.environ["GIT_AUTHOR_DATE"] = os.environ["GIT_COMMITTER_DATE"] = stamp
        os.environ.pop("COMPTOIR_REPO", None)
        before = os.getcwd()
        os.chdir(self.cwd)  # paths on the command line are relative to the session's folder
        try:
            done = invoke(args, today=TODAY, rng=self.rng, cwd=self.cwd)
            return done.exit_code, done.output
        finally:
            os.chdir(before)
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


_DEMO: Path | None = None


def _demo_key(root: Path) -> str:
    """What the built demo depends on: the steps, their input files and the code."""
    import hashlib

    from comptoir.book.codeversion import code_version

    digest = hashlib.sha256(code_version().encode())
    data = root / "ledger-data"
    for path in sorted([*(data / "script").rglob("*"), *(data / "examples").rglob("*")]):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(data).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def demo_repo() -> Path:
    """The demo company with its fixed history. Building it runs every step (tens of seconds),
    so a build is kept in the temporary folder under a key of everything it depends on."""
    global _DEMO
    if _DEMO is None:
        root = Path(__file__).resolve().parent.parent
        cache = Path(tempfile.gettempdir()) / f"comptoir-docs-demo-{_demo_key(root)}"
        if not (cache / "ledger-data" / "comptoir.yaml").exists():
            import importlib.util

            spec = importlib.util.spec_from_file_location("comptoir_demo_build", root / "ledger-data/script/build.py")
            build = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(build)
            staging = Path(tempfile.mkdtemp(prefix="comptoir-docs-demo-build-"))
            build.build_repo(staging / "ledger-data")
            # one pack instead of thousands of loose objects: every page copies the repository
            subprocess.run(["git", "repack", "-a", "-d", "-q"], cwd=staging / "ledger-data", check=True)
            try:
                staging.rename(cache)
            except OSError:  # another process built it meanwhile
                shutil.rmtree(staging, ignore_errors=True)
            _forget_old_demos(cache)
        _DEMO = cache / "ledger-data"
    return _DEMO


def _forget_old_demos(kept: Path, keep: int = 3) -> None:
    """Remove all but the `keep` newest built demos (one per version of the code and the steps, 14 MB
    each; the tests' TMPDIR may be memory: tests/conftest.py)."""
    built = sorted((p for p in kept.parent.glob("comptoir-docs-demo-*") if p.is_dir() and "-build-" not in p.name),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    for old in built[keep:]:
        if old != kept:
            shutil.rmtree(old, ignore_errors=True)


def _link_or_copy(src: str, dst: str) -> object:
    """Git's objects and the store's values are never changed in place (git writes new files, the
    store a temporary file it renames over the old): linked from the built demo, not copied. The
    records, the index and the refs are copied: the examples change them."""
    if "/.git/objects/" in src or "/.git/comptoir/store/" in src:
        try:
            return os.link(src, dst)
        except OSError:
            pass
    return shutil.copy2(src, dst)


def run_page(path: Path, text: str, rel: str) -> str:
    """The page with every session block's output regenerated; ExampleError names the line."""
    lines = text.split("\n")
    found = [b for b in blocks(lines) if b.lang in ("console", "sh")
             and not (b.start and lines[b.start - 1].strip().startswith(NOT_RUN))]
    if not found:
        return text
    with tempfile.TemporaryDirectory(prefix="comptoir-docs-") as tmp:
        work = Path(tmp)
        start = work
        if not text.startswith("<!-- examples: empty -->"):
            shutil.copytree(demo_repo(), work / "ledger-data", symlinks=True, copy_function=_link_or_copy)
            start = work / "ledger-data"
            # a copy keeps the index's stat data stale (new inodes): refresh it as a checkout would
            subprocess.run(["git", "update-index", "-q", "--refresh"], cwd=start, capture_output=True)
        session = Session(start, rel)
        out_lines = list(lines)
        replacements: list[tuple[Block, list[str]]] = []
        for block in found:
            body = [line[len(block.indent):] if line.startswith(block.indent) else line.lstrip()
                    for line in lines[block.start + 1:block.end]]
            prompt = block.lang == "console"
            try:
                pairs = commands(body, prompt)
            except ExampleError as exc:
                raise ExampleError(f"{rel}:{block.start + 1}: {exc}") from None
            new_body: list[str] = []
            for raw, cmd, _old in pairs:
                m = EXIT.search(cmd)
                expected = int(m.group(1)) if m else 0
                try:
                    code, output = session.run(cmd)
                except ExampleError as exc:
                    raise ExampleError(f"{rel}:{block.start + 1}: {exc}") from None
                if code != expected:
                    raise ExampleError(f"{rel}:{block.start + 1}: `{cmd}` exited {code}, expected {expected}"
                                       f" (mark an error shown on purpose with `# exit {code}`):\n{output}")
                new_body += raw
                output = output.replace(str(work.resolve()) + "/", "~/").replace(str(work.resolve()), "~")
                if os.environ.get("COMPTOIR_DOCS_TRACE"):  # while writing a page: see each output
                    print(f"$ {cmd}\n{output}", file=sys.stderr)
                if prompt and output.strip():
                    new_body += output.rstrip("\n").split("\n")
            if not prompt:
                new_body = body  # shown as written: only run
            replacements.append((block, [block.indent + line if line else line for line in new_body]))
        for block, new in reversed(replacements):
            out_lines[block.start + 1:block.end] = new
    return "\n".join(out_lines)


def regenerate(root: Path, texts: dict[Path, str] | None = None) -> dict[Path, str]:
    """Every page with executed examples -> its regenerated text; `texts` stands for pages whose
    other generated parts were just worked out (so the examples run on those, not the stale file)."""
    out: dict[Path, str] = {}
    for path in pages(root):
        text = (texts or {}).get(path) or path.read_text(encoding="utf-8")
        out[path] = run_page(path, text, path.relative_to(root).as_posix())
    return out
