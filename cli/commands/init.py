"""`comptoir init`: a new book with settings, a starter chart of accounts and a first commit."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--company", required=True, help="Company name.")
@click.option("--currency", default="EUR", show_default=True, help="Base currency (ISO 4217 code).")
@click.option("--fiscal-year-start", default="01-01", show_default=True, help="MM-DD the fiscal year starts.")
@click.option("--no-chart", is_flag=True, help="Start without the starter chart of accounts.")
@click.option("--fsmonitor/--no-fsmonitor", default=None,
              help="Have git ask Watchman what changed instead of checking every file (`comptoir fsmonitor`). "
                   "Default: on in a repository init creates, when watchman is installed.")
def init(directory: Path, company: str, currency: str, fiscal_year_start: str, no_chart: bool,
         fsmonitor: bool | None) -> None:
    """Create a new book in DIRECTORY (and a git repository if it is not inside one).

    A repository it creates keeps git's index compact and split (index.version 4,
    core.splitIndex, core.untrackedCache), so a write to a large book rewrites a small file;
    an existing repository's settings are left as they are (docs/performance.md says how to
    set them). When watchman is installed it also turns on git's file-system monitor through
    it (`comptoir fsmonitor on`; Watchman runs a background daemon): git then asks Watchman
    what changed instead of checking every file."""
    from pydantic import ValidationError

    from comptoir.app.write import Writer
    from comptoir.book import fsmonitor as monitor
    from comptoir.book import git, yamlwrite
    from comptoir.book.root import DataRoot
    from comptoir.book.schemafiles import current_schemas
    from comptoir.domain.chart import starter_accounts
    from comptoir.errors import fail
    from comptoir.schemas.jsonschema import SCHEMA_DIR
    from comptoir.schemas.registry import SETTINGS_FILE, kind_named
    from comptoir.schemas.settings import Settings

    directory = directory.resolve()
    if (directory / SETTINGS_FILE).exists():
        raise fail("already-a-book", f"{directory} already holds {SETTINGS_FILE}", "pick an empty folder")
    try:
        settings = Settings(company=company, currency=currency.upper(), fiscal_year_start=fiscal_year_start)
    except ValidationError as exc:
        from comptoir.errors import input_problems

        raise input_problems(exc, hint="see `comptoir init --help`") from None
    if fsmonitor and not monitor.available():
        raise fail("no-watchman", "--fsmonitor needs watchman, which is not installed (not on PATH)",
                   "install it (`apt-get install watchman`), or leave --fsmonitor out")
    directory.mkdir(parents=True, exist_ok=True)
    top, refused = git.where(directory)
    if refused:
        raise fail("git-refused", *refused)
    if top is None:
        git.run(directory, "init", "-q")
        top = directory.resolve()
        git.tune_index(top)  # a repository of our own: its index kept small for a large book
        if fsmonitor is None:
            fsmonitor = monitor.available()
    root = DataRoot(directory, top)
    text = yamlwrite.dump(settings.model_dump(mode="python", exclude_none=True),
                          header="# comptoir settings: company, base currency, fiscal year and lock date\n"
                                 "# yaml-language-server: $schema=schemas/settings.schema.json")
    (directory / SETTINGS_FILE).write_text(text, encoding="utf-8")
    try:
        with Writer(root, "init") as writer:
            writer.put_settings_text(text, settings)
            if not no_chart:
                for account in starter_accounts():
                    writer.put(kind_named("account"), account)
            for name, schema_text in current_schemas(root).items():
                writer.put_text(f"{SCHEMA_DIR}/{name}", schema_text)
            writer.commit(f"Start the books of {company}", [])
    except BaseException:
        (directory / SETTINGS_FILE).unlink(missing_ok=True)  # we created it above; leave no half book
        raise
    if fsmonitor:  # after the first commit: the monitor's first look then marks every file as seen
        monitor.enable(top)
    click.echo(f"Created the books of {company} in {directory} ({settings.currency}).")
    if fsmonitor:
        click.echo("git asks Watchman what changed instead of checking every file (Watchman runs a background "
                   "daemon; `comptoir fsmonitor off` turns this off).")
