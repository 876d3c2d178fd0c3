"""`comptoir history ID`: the record's git history as field-level changes."""

from __future__ import annotations

import click

from comptoir.options import emit, output_format


@click.command()
@click.argument("ident", metavar="ID")
@output_format
@click.pass_obj
def history(env, ident: str, fmt: str) -> None:
    """Every commit that touched record ID: when, who, which commit, and old -> new per field."""
    from comptoir.book.history import versions
    from comptoir.domain.changes import diff_records
    from comptoir.domain.table import Column, Table, text
    from comptoir.errors import fail

    root = env.root()
    if root.top is None:
        raise fail("not-a-repository", "history needs the book to be in a git repository", "run `git init`")
    kind, found = versions(root, ident)
    rows = []
    previous = None
    for v in found:
        changes = [] if v.record is None and v.status == "D" else diff_records(previous, v.record)
        if v.status == "D":
            summary = ["(record deleted)"]
        elif previous is None and v.record is not None:
            summary = ["(record created)"] + [c.as_text() for c in changes]
        else:
            summary = [c.as_text() for c in changes] or ["(no field changed)"]
        if v.error:
            summary = [v.error]
        rows.append({"date": v.date, "author": v.author, "commit": v.commit[:10], "subject": v.subject,
                     "changes": summary, "change_list": [c.as_dict() for c in changes], "path": v.path})
        if v.record is not None or v.status == "D":
            previous = v.record
    if fmt == "table":
        from comptoir.render import printable

        click.echo(printable(f"History of {kind} {ident}"))
        for row in rows:
            click.echo(printable(f"\n{row['date']}  {row['commit']}  {row['author']}\n  {row['subject']}",
                                 keep_newlines=True))
            for line in row["changes"]:
                click.echo(printable(f"    {line}"))
        return
    table = Table("history", [Column("date", "Date"), text("author", "Author"), text("commit", "Commit"),
                              text("subject", "Subject"), text("changes", "Changes")],
                  [dict(r, changes="; ".join(r["changes"])) if fmt != "json" else r for r in rows],
                  title=f"History of {kind} {ident}")
    if fmt == "json":
        table.columns.append(Column("change_list", "Change list"))
    emit(table, fmt)
