"""`comptoir schema export`: JSON Schemas editors use to validate and complete record files."""

from __future__ import annotations

import click

from comptoir.options import no_commit


@click.group()
def schema() -> None:
    """JSON Schema of every record kind (draft-07, for yaml-language-server)."""


@schema.command("export")
@click.argument("directory", required=False)
@no_commit
@click.pass_obj
def export(env, directory: str | None, no_commit: bool) -> None:
    """Write the schemas to DIRECTORY, or commit them to the book's schemas/ folder (the default)."""
    from pathlib import Path

    from comptoir.book.schemafiles import current_schemas
    from comptoir.schemas.jsonschema import SCHEMA_DIR

    schemas = current_schemas(None if directory else env.root())
    if directory:
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        for name, text in schemas.items():
            (out / name).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {len(schemas)} schemas to {out}.", err=True)
        return
    with env.writer("schema export", no_commit) as w:
        current = w.root.path / SCHEMA_DIR
        changed = 0
        for name, text in schemas.items():
            path = current / name
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                w.put_text(f"{SCHEMA_DIR}/{name}", text)
                changed += 1
        w.commit(f"Update {changed} record schemas", [])
    click.echo(f"{changed} schema file(s) updated in {SCHEMA_DIR}/.", err=True)
