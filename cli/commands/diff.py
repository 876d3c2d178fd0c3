"""`comptoir diff BASE [HEAD]`: the reviewer's view of what a branch does to the books."""

from __future__ import annotations

import json

import click


@click.command()
@click.argument("base", metavar="BASE")
@click.argument("head", metavar="[HEAD]", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.pass_obj
def diff(env, base: str, head: str | None, fmt: str) -> None:
    """Summarise what HEAD (default: the working tree) changes relative to BASE."""
    from comptoir.domain.diff import book_diff

    old = env.book(base)
    new = env.book(head) if head else env.book()
    d = book_diff(old, new)
    head_label = new.revision[:10] if new.revision else "working tree"
    base_label = f"{base} ({old.revision[:10]})"
    from comptoir.render import printable, safe_json

    if fmt == "json":
        click.echo(safe_json(json.dumps(_json(d, base_label, head_label), indent=2, ensure_ascii=False)))
    elif fmt == "markdown":
        click.echo(printable(_markdown(d, base_label, head_label), keep_newlines=True), nl=False)
    else:
        click.echo(printable(_text(d, base_label, head_label), keep_newlines=True), nl=False)


def _json(d, base_label: str, head_label: str) -> dict:
    from comptoir.render import to_json
    from comptoir.views.diff import accounts_table, changes_table

    return {"base": base_label, "head": head_label, "summary": d.summary,
            "records": json.loads(to_json(changes_table(d)))["rows"],
            "accounts": json.loads(to_json(accounts_table(d)))["rows"],
            "sections": {t.name: json.loads(to_json(t))["rows"] for t in d.sections},
            "settings": [c.as_dict() for c in d.settings_changes],
            "problems": [p.as_dict() for p in d.problems]}


def _text(d, base_label: str, head_label: str) -> str:
    from comptoir.render import render
    from comptoir.views.diff import tables

    out = [f"Changes from {base_label} to {head_label}", ""]
    out += [f"  {line}" for line in d.summary]
    out.append("")
    for table in tables(d):
        if table.rows:
            out.append(render(table, "table"))
    for p in d.problems:
        out.append(p.as_text())
    return "\n".join(out) + "\n"


def _markdown(d, base_label: str, head_label: str) -> str:
    from comptoir.render import render
    from comptoir.views.diff import tables

    ok = not d.problems
    out = [f"### comptoir: {'✅' if ok else '❌'} changes from `{base_label}` to `{head_label}`", ""]
    out += [f"- {line}" for line in d.summary]
    out.append("")
    for table in tables(d):
        if not table.rows:
            continue
        title = table.title
        table.title = ""
        opened = " open" if table.meta.get("open") else ""  # e.g. the month's P&L: shown, not folded
        out += [f"<details{opened}><summary>{title} ({len(table.rows)})</summary>", "", render(table, "markdown"),
                "</details>", ""]
    if d.problems:
        out += ["<details open><summary>Validation problems</summary>", ""]
        out += [f"- `{p.file}:{p.line}` **{p.code}** {p.message}" for p in d.problems]
        out += ["", "</details>", ""]
    return "\n".join(out)
