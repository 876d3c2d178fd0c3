"""`comptoir journal`: post, list, show and reverse journal entries."""

from __future__ import annotations

import click

from comptoir.options import as_of, date_range, emit, no_commit, output_format, resolve_range


@click.group()
def journal() -> None:
    """Journal entries: the general ledger's source of truth."""


class _PostingArgs(click.Command):
    """Pulls `--posting ACCOUNT [AMOUNT]` pairs out before click parses the rest.

    click options take a fixed number of values; a posting's amount is optional (one posting
    may take the balance) and may start with '-', so these are read by hand.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        from comptoir.domain.posting import looks_like_amount

        rest: list[str] = []
        postings: list[tuple[str, str | None]] = []
        i = 0
        while i < len(args):
            token = args[i]
            if token in ("--posting", "-p"):
                if i + 1 >= len(args):
                    if ctx.resilient_parsing:  # shell completion of `-p <TAB>`
                        break
                    raise click.UsageError("--posting needs an ACCOUNT (and usually an AMOUNT)", ctx)
                account = args[i + 1]
                amount = None
                if i + 2 < len(args) and looks_like_amount(args[i + 2]):
                    amount = args[i + 2]
                    i += 1
                postings.append((account, amount))
                i += 2
                continue
            rest.append(token)
            i += 1
        ctx.meta["postings"] = postings
        return super().parse_args(ctx, rest)


@journal.command("post", cls=_PostingArgs)
@click.option("--date", "date_", help="Entry date (YYYY-MM-DD). Default: today.")
@click.option("--memo", help="What the entry is for.")
@click.option("--reference", help="External reference (invoice number, bank statement line).")
@click.option("--posting", "-p", "posting_help", multiple=True, metavar="ACCOUNT [AMOUNT]",
              help="A posting; debits positive, credits negative; AMOUNT may carry a currency and @rate "
                   "(99.00USD@0.92). One posting may omit AMOUNT and takes the balance.")
@click.option("--file", "file_", metavar="FILE|-", help="Post a batch of entries from YAML or JSON (all or nothing).")
@click.option("--assert", "asserts", nargs=2, multiple=True, metavar="ACCOUNT BALANCE",
              help="Assert ACCOUNT's balance at the end of the entry's date, like a bank statement's "
                   "closing balance (BALANCE may carry a currency: 1200.00USD). Checked by validate.")
@no_commit
@click.pass_context
def post(ctx: click.Context, date_, memo, reference, posting_help, file_, asserts, no_commit) -> None:
    """Post a balanced journal entry (or a batch with --file) as one commit."""
    from comptoir.book.loader import place_in_text
    from comptoir.domain.posting import (
        PostingInput,
        batch_entries,
        build_entry,
        parse_amount,
        with_assertions,
    )
    from comptoir.errors import ComptoirError, fail
    from comptoir.options import parse_date
    from comptoir.schemas.registry import kind_named

    env = ctx.obj
    postings = ctx.meta.get("postings", [])
    kind = kind_named("journal")
    with env.writer("journal post", no_commit) as w:
        book = w.book
        if file_:
            if postings or memo or asserts:
                raise click.UsageError("--file cannot be combined with --posting, --memo or --assert "
                                       "(write assertions: in the file)")
            data, display, raw = _read_batch(file_)
            from comptoir.inputs import check_count

            items = data.get("entries") if isinstance(data, dict) and "entries" in data else data
            check_count(len(items) if isinstance(items, list) else 1, display, "entries")
            try:
                entries = batch_entries(book, data, display, env.rng)
            except ComptoirError as exc:
                raise ComptoirError(place_in_text(exc.problems, display, raw)) from None
        else:
            if not postings:
                raise click.UsageError("give --posting ACCOUNT AMOUNT at least twice, or --file")
            if not memo:
                raise fail("missing-memo", "an entry needs a memo", "add --memo \"what it is for\"")
            inputs = []
            for account, amount in postings:
                if amount is None:
                    inputs.append(PostingInput(account))
                else:
                    value, cur, rate = parse_amount(amount)
                    inputs.append(PostingInput(account, value, cur, rate))
            day = parse_date(date_, "--date") or env.today
            entry = build_entry(book, day, memo, inputs, env.rng, reference)
            if asserts:
                entry = with_assertions(entry, [(account, *parse_amount(text)[:2]) for account, text in asserts])
            entries = [entry]
        for entry in entries:
            w.put(kind, entry)
        ids = [e.id for e in entries]
        subject = (f"Post {entries[0].id}: {entries[0].memo}" if len(entries) == 1
                   else f"Post {len(entries)} journal entries ({entries[0].date} to {max(e.date for e in entries)})")
        sha = w.commit(subject, ids)
    for ident in ids:
        click.echo(ident)
    click.echo(f"Posted {len(ids)} entr{'y' if len(ids) == 1 else 'ies'}" + (f" in commit {sha[:10]}." if sha else "."),
               err=True)


def _read_batch(file_: str) -> tuple[object, str, str]:
    import json

    from comptoir.book import yamlread
    from comptoir.errors import fail
    from comptoir.inputs import read_text
    from comptoir.schemas.types import MAX_BATCH

    raw, display = read_text(file_)
    stripped = raw.lstrip()
    if stripped.startswith(("[", "{")) and not stripped.startswith("{entries"):
        try:
            return json.loads(raw, parse_float=str, parse_int=str, parse_constant=_no_constant), display, raw
        except json.JSONDecodeError:
            pass  # flow-style YAML is also valid; let the YAML reader report the problem
        except ValueError as exc:
            raise fail("invalid-amount", str(exc), "write amounts as plain numbers", file=display, line=1) from None
        except RecursionError:
            raise fail("too-deep", "the batch is nested too deeply to read", "a batch is a list of entries",
                       file=display, line=1) from None
    try:
        # a list longer than the batch limit stops the reading there, before the rest is built
        return yamlread.parse(raw, max_items=MAX_BATCH), display, raw
    except yamlread.YamlError as exc:
        raise fail(exc.code, exc.message, exc.hint, file=display, line=exc.line) from None


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not an amount")


@journal.command("list")
@date_range
@click.option("--account", help="Only entries touching accounts starting with this code.")
@click.option("--text", "text_", help="Only entries whose memo or reference contains this text.")
@output_format
@as_of
@click.pass_obj
def list_(env, from_, to_, period, year, account, text_, fmt, as_of) -> None:
    """List journal entries in date order."""
    from comptoir.app import ledgerdays
    from comptoir.views.ledger import journal_table

    def rows(book):
        months = ledgerdays.in_months(*resolve_range(book.settings, from_, to_, period, year))
        return lambda folder, code: (not account or code.startswith(account)) and months(folder, code)

    book = ledgerdays.served(env, as_of, rows)
    start, end = resolve_range(book.settings, from_, to_, period, year)
    emit(journal_table(book, start, end, account, text_), fmt, book.revision)


@journal.command("show")
@click.argument("ident", metavar="ID")
@output_format
@as_of
@click.pass_obj
def show(env, ident, fmt, as_of) -> None:
    """Show one entry with its postings and reversal links."""
    from comptoir.errors import fail
    from comptoir.views.ledger import entry_table

    found = _served_entry(env, ident, as_of)
    if found is not None:
        book, entry = found
        emit(entry_table(book, entry), fmt, book.revision)
        return
    book, folders = env.streamed_book(as_of)  # a folder of entries at a time: keep it and its reversals
    kept = book.entries
    for folder in folders:
        for found in folder.entries.values():
            if found.id == ident or found.reverses == ident:
                kept[found.id] = found
                book.sources[("journal", found.id)] = folder.sources[("journal", found.id)]
        book.load_problems.extend(folder.load_problems)
    env.warn_unread(book.load_problems)
    entry = book.entries.get(ident)
    if entry is None:
        raise fail("unknown-entry", f"there is no journal entry {ident}", "`comptoir journal list` shows the ids")
    emit(entry_table(book, entry), fmt, book.revision)


def _served_entry(env, ident: str, as_of: str | None):
    """(a book of the entry and of the entry reversing it, the entry) when the day totals kept per
    journal folder serve the book (then every id is in one file only) and say which entry reverses
    it, and both are filed as the writer names them (`journal/YYYY/MM/ID.yaml`): those two files
    are read, under the one status the day totals asked. None: look through every folder."""
    from comptoir.app import ledgerdays
    from comptoir.book.loader import load_book
    from comptoir.book.ondemand import id_month
    from comptoir.schemas.types import is_safe_id

    def filed(entry_id: str) -> str | None:
        month = id_month(entry_id) if is_safe_id(entry_id) else None
        return f"journal/{month}/{entry_id}.yaml" if month else None

    first = filed(ident)
    if first is None:
        return None
    files = [first]
    watch = ledgerdays.Watch(env.repo, env.cwd, as_of)
    served = ledgerdays.served(env, as_of, watch=watch)
    reversals = served.derived.get("ledger.reversals")
    if reversals is None or ident in served.derived["ledger.reversed.twice"]:
        return None  # not served (the whole book was read): look through the folders as before
    if ident in reversals:
        reverser = filed(reversals[ident])
        if reverser is None:
            return None
        files.append(reverser)
    book = load_book(env.root(), served.revision, kinds=("journal", "account", "rate"),
                     folders=sorted(set(files)) + ["accounts", "rates"], status=watch.probe)
    entry = book.entries.get(ident)
    if entry is None or book.load_problems or (ident in reversals and reversals[ident] not in book.entries):
        return None
    book.today = env.today
    return book, entry


@journal.command("reverse")
@click.argument("ident", metavar="ID")
@click.option("--date", "date_", help="Date of the reversal. Default: today.")
@click.option("--memo", help="Memo of the reversal. Default: 'Reversal of ID: ...'.")
@no_commit
@click.pass_obj
def reverse(env, ident, date_, memo, no_commit) -> None:
    """Post the reversal of entry ID (every posting negated, linked both ways)."""
    from comptoir.domain.posting import reversal_of
    from comptoir.options import parse_date
    from comptoir.schemas.registry import kind_named

    with env.writer("journal reverse", no_commit) as w:
        day = parse_date(date_, "--date") or env.today
        entry = reversal_of(w.book, ident, day, memo, env.rng)
        w.put(kind_named("journal"), entry)
        sha = w.commit(f"Reverse {ident}: {entry.memo}", [entry.id, ident])
    click.echo(entry.id)
    click.echo(f"Reversed {ident} with {entry.id}" + (f" in commit {sha[:10]}." if sha else "."), err=True)
