"""`comptoir audit verify`: who changed the books, and whether their commits are signed."""

from __future__ import annotations

import click

from comptoir.options import emit, output_format

# git's %G? codes
SIGNATURE = {"G": "good", "U": "good, unknown validity", "X": "good, expired", "Y": "good, expired key",
             "R": "good, revoked key", "E": "cannot check (missing key)", "B": "bad", "N": "unsigned"}
ACCEPTED = {"G", "U"}


@click.group()
def audit() -> None:
    """Audit the commits that touched the books."""


@audit.command("verify")
@click.option("--require-signed", is_flag=True, help="Fail when a commit is unsigned or its signature is not good.")
@click.option("--since", metavar="REV", help="Only commits after this revision (e.g. the base branch).")
@output_format
@click.pass_obj
def verify(env, require_signed: bool, since: str | None, fmt: str) -> None:
    """List commits touching the data root with author, committer and signature status."""
    from comptoir.book import git
    from comptoir.domain.table import Table, text
    from comptoir.errors import ComptoirError, Problem, fail

    root = env.root()
    if root.top is None:
        raise fail("not-a-repository", "audit needs the book to be in a git repository", "run `git init`")
    sep = "\x1f"
    rng = [f"{since}..HEAD"] if since else ["HEAD"]
    out = git.run(root.top, "log", f"--format=%H{sep}%aI{sep}%an <%ae>{sep}%cn <%ce>{sep}%G?{sep}%s", *rng,
                  "--", root.prefix or ".").decode()
    rows = []
    bad = []
    for line in out.splitlines():
        sha, date, author, committer, sig, subject = line.split(sep, 5)
        rows.append({"commit": sha[:10], "date": date, "author": author, "committer": committer,
                     "signature": SIGNATURE.get(sig, sig), "subject": subject})
        if sig not in ACCEPTED:
            bad.append((sha, sig, subject))
    table = Table("audit", [text("commit", "Commit"), text("date", "Date"), text("author", "Author"),
                            text("committer", "Committer"), text("signature", "Signature"),
                            text("subject", "Subject")], rows, title="Commits touching the books")
    emit(table, fmt)
    if require_signed and bad:
        raise ComptoirError([Problem("", 0, "unsigned-commit",
                                     f"commit {sha[:10]} ({subject}) is {SIGNATURE.get(sig, sig)}",
                                     "sign commits (git config commit.gpgsign true) and make sure the key is trusted")
                             for sha, sig, subject in bad])
