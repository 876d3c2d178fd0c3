"""`comptoir bank`: import bank statements (camt.053, CSV exports, OFX); the `reconciliation` report."""

from __future__ import annotations

from pathlib import Path

import click

from comptoir.options import as_of, emit, no_commit, output_format


@click.group()
def bank() -> None:
    """Bank statements in: each line paid to invoices and bills, ruled, or held in suspense.

    \b
    comptoir bank import statement.xml --account 1030 --dry-run     see what each line becomes
    comptoir bank import statement.xml --account 1030               one commit
    comptoir bank import export.csv --account 1040 --rules mybank   a CSV export (bank/formats/mybank.yaml)
    comptoir report reconciliation --account 1030
    """


def _format(book, rules: str | None):
    """The CSV format: a record of bank/formats/ by id, or a YAML file."""
    from comptoir.errors import fail

    if rules is None:
        return None
    path = Path(rules)
    found = book.of("bank-format").get(rules) if not path.is_file() else None
    if found is not None:
        return found
    if not path.is_file():
        known = ", ".join(sorted(book.of("bank-format"))) or "none yet"
        raise fail("unknown-format", f"there is no CSV format {rules!r} in bank/formats/ and no such file",
                   f"formats in the book: {known}; see docs/bank.md for the fields")
    from comptoir.book import yamlread
    from comptoir.domain.documents import validated
    from comptoir.schemas.bank import BankFormat

    try:
        data = yamlread.parse(path.read_text(encoding="utf-8"))
    except yamlread.YamlError as exc:
        raise fail(exc.code, exc.message, exc.hint, file=str(path), line=exc.line) from None
    if not isinstance(data, dict):
        raise fail("invalid-format", "a CSV format is a YAML mapping", "see docs/bank.md", file=str(path), line=1)
    data.setdefault("id", path.stem if path.stem else "csv")
    return validated(BankFormat, **data)


@bank.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--account", required=True, help="The bank account in the books the statement is for (e.g. 1030).")
@click.option("--rules", metavar="NAME|FILE",
              help="How a CSV export reads: a format in bank/formats/ (its id) or a YAML file.")
@click.option("--suspense", metavar="ACCOUNT", help="Where unmatched lines go. Default: the account with role suspense.")
@click.option("--dry-run", is_flag=True, help="Show what each line would become; write nothing.")
@output_format
@no_commit
@click.pass_obj
def import_(env, file, account, rules, suspense, dry_run, fmt, no_commit) -> None:
    """Import a bank statement: camt.053 (001.02, 001.08), OFX (1.x SGML, 2.x XML) or a CSV export.

    A line whose text names open invoice (or bill) numbers pays them, through the same payment
    logic as `pay receive` (partial payments, realised exchange differences); a line whose amount
    and counterparty fit exactly one open document pays it; rules in bank/rules/ post the rest
    (fees, direct debits, salaries); anything else goes to the suspense account and is listed.
    Lines already imported (by their unique id) are skipped. The statement must add up (opening
    + lines = closing); its balance is asserted on the account. One commit.

    \b
    Examples:
      comptoir bank import nov.xml --account 1030 --dry-run
      comptoir bank import export.csv --account 1040 --rules banque-du-rhone
    """
    from comptoir.commands._docs import committed, put_all
    from comptoir.domain.bank import plan_import
    from comptoir.domain.bank_files import parse
    from comptoir.errors import ComptoirError, fail
    from comptoir.views.bank import plan_table

    try:
        raw = Path(file).read_bytes()
    except OSError as exc:
        raise fail("unreadable-file", f"cannot read {file}: {exc.strerror}", "check the path") from None
    with env.writer("bank import", no_commit) as w:
        parsed = parse(raw, file, _format(w.book, rules))
        plan = plan_import(w.book, parsed, account, env.rng, suspense, Path(file).name)
        table = plan_table(plan)
        if dry_run or plan.statement is None:
            emit(table, fmt)
            if plan.statement is None:
                click.echo(f"Nothing new: all {len(parsed.lines)} line(s) of {file} were imported before.", err=True)
            else:
                click.echo(f"Dry run: {plan.summary()}; nothing was written.", err=True)
            return
        put_all(w, plan.records())
        st = plan.statement
        subject = (f"Import bank statement {st.id} into {account} ({len(st.lines)} lines: {plan.summary()})")
        body_lines = [f"{o.line.date} {o.line.amount:f} {o.line.counterparty} {o.line.words}".strip()
                      for o in plan.outcomes if o.status == "suspense"]
        body = ("In suspense, for review:\n" + "\n".join(f"- {b[:150]}" for b in body_lines)) if body_lines else ""
        ids = [st.id]
        created = [getattr(r, "id", "") for _, r in plan.records() if r is not st]
        if len(created) <= 100:
            ids += created
        try:
            sha = w.commit(subject, ids, body=body, trailers={"Comptoir-Statement-Lines": str(len(st.lines)),
                                                          "Comptoir-Matched": str(plan.count("matched")),
                                                          "Comptoir-Ruled": str(plan.count("ruled")),
                                                          "Comptoir-Suspense": str(plan.count("suspense"))})
        except ComptoirError as exc:
            raise _disagrees(exc, plan) from None
    emit(table, fmt)
    click.echo(f"Imported {st.id}: {plan.summary()}" + committed(sha), err=True)


@bank.group("rule")
def rule() -> None:
    """Rules that classify the lines matching does not pay (bank/rules/ID.yaml)."""


@rule.command("add")
@click.argument("ident", metavar="ID")
@click.option("--text", "text_", help="Text the line's remittance information contains (or /regex/).")
@click.option("--counterparty", help="Text the counterparty's name contains (or /regex/).")
@click.option("--direction", type=click.Choice(["in", "out"]))
@click.option("--amount", help="The exact amount (unsigned).")
@click.option("--min", "min_", help="At least this amount (unsigned).")
@click.option("--max", "max_", help="At most this amount (unsigned).")
@click.option("--post-to", metavar="ACCOUNT", help="Post the line against this account.")
@click.option("--partner", help="Or pay/receive it on this partner (its open documents, oldest first).")
@click.option("--memo", help="Memo of the entries it makes.")
@click.option("--priority", type=int, default=100, show_default=True, help="Lower runs first.")
@click.option("--account", "accounts", multiple=True, help="Only for this bank account (repeatable).")
@no_commit
@click.pass_obj
def rule_add(env, ident, text_, counterparty, direction, amount, min_, max_, post_to, partner, memo, priority,
             accounts, no_commit) -> None:
    """Add a bank rule: every condition given must hold; the first rule by (priority, id) wins.

    \b
    Examples:
      comptoir bank rule add bank-fees --text "frais" --post-to 6500
      comptoir bank rule add electricity --counterparty EDF --direction out --post-to 6200
    """
    from comptoir.commands._docs import committed, decimal_of
    from comptoir.domain.documents import validated
    from comptoir.errors import fail
    from comptoir.schemas.bank import BankRule
    from comptoir.schemas.registry import kind_named

    with env.writer("bank rule add", no_commit) as w:
        if post_to and post_to not in w.book.accounts:
            raise fail("unknown-account", f"account {post_to} does not exist", "`comptoir account list`")
        if partner and partner not in w.book.of("partner"):
            raise fail("unknown-partner", f"there is no partner {partner}", "`comptoir partner list`")
        record = validated(BankRule, id=ident, priority=priority, accounts=list(accounts), text=text_,
                           counterparty=counterparty, direction=direction, amount=decimal_of(amount, "--amount"),
                           min=decimal_of(min_, "--min"), max=decimal_of(max_, "--max"), post_to=post_to,
                           partner=partner, memo=memo)
        w.put(kind_named("bank-rule"), record)
        sha = w.commit(f"Add bank rule {ident}", [ident])
    click.echo(ident)
    click.echo(f"Added bank rule {ident}" + committed(sha), err=True)


@rule.command("list")
@output_format
@as_of
@click.pass_obj
def rule_list(env, fmt, as_of) -> None:
    """List the bank rules in the order they are tried."""
    from comptoir.views.bank import rules_table

    book = env.book(as_of)
    emit(rules_table(book), fmt, book.revision)


@bank.command("format")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@no_commit
@click.pass_obj
def format_add(env, file, no_commit) -> None:
    """Keep a CSV export's description in the book (bank/formats/ID.yaml), checked first.

    \b
    Example:
      comptoir bank format examples/bank/banque-savoie.yml
      comptoir bank import export.csv --account 1040 --rules banque-savoie
    """
    from comptoir.commands._docs import committed
    from comptoir.schemas.registry import kind_named

    with env.writer("bank format", no_commit) as w:
        record = _format(w.book, file)
        w.put(kind_named("bank-format"), record, replace=record.id in w.book.of("bank-format"))
        sha = w.commit(f"Bank CSV format {record.id}", [record.id])
    click.echo(record.id)
    click.echo(f"Kept bank CSV format {record.id}" + committed(sha), err=True)


def _disagrees(exc, plan):
    """A failed balance assertion on the import's own entry: say it in the statement's terms."""
    from comptoir.errors import ComptoirError, Problem

    if not plan.asserted or not any(p.code == "assertion-failed" for p in exc.problems):
        return exc
    day, balance = plan.asserted
    extra = Problem(plan.parsed.source, 1, "statement-disagrees",
                    f"after this import the books would not show the statement's balance of {balance:,f} "
                    f"{plan.currency} on {plan.account} at the end of {day}; nothing was imported",
                    f"entries on {plan.account} the bank has not booked, or an opening balance not yet posted: "
                    f"see `comptoir report reconciliation --account {plan.account}`")
    return ComptoirError([*exc.problems, extra])


@click.command("reconciliation")
@click.option("--account", required=True, help="The bank account.")
@click.option("--date", "date_", help="Book balance on this day. Default: today.")
@output_format
@as_of
@click.pass_obj
def reconciliation_report(env, account, date_, fmt, as_of) -> None:
    """The bank account against its statements: book balance, last statement balance, lines in
    suspense, and book entries no statement has shown yet."""
    from comptoir.commands._docs import day_of
    from comptoir.views.bank import reconciliation_table

    book = env.book(as_of)
    emit(reconciliation_table(book, account, day_of(env, date_)), fmt, book.revision)
REPORTS = [reconciliation_report]
