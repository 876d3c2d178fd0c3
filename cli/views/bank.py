"""Bank tables: what an import does with each statement line, the bank rules, and the
reconciliation of a bank account against its statements."""

from __future__ import annotations

import datetime as dt

from comptoir.domain.bank import Plan, plan_rows, rule_rows
from comptoir.domain.book import Book
from comptoir.domain.reconciliation import reconciliation
from comptoir.domain.table import Column, Table, money, text
from comptoir.schemas.types import currency_places


def reconciliation_table(book: Book, account: str, day: dt.date) -> Table:
    r = reconciliation(book, account, day)
    cur, last = r.currency, r.last
    p = currency_places(cur)
    cols = [text("section", "Section"), Column("date", "Date", "date"), text("what", "What"),
            text("reference", "Reference"), money("amount", f"Amount ({cur})", p), text("entry", "Entry")]
    notes = []
    if last is None:
        notes.append(f"No statement has been imported into {account} yet (`comptoir bank import`).")
    elif last.closing is None:
        notes.append(f"Statement {last.id} gave no closing balance.")
    elif r.difference == 0:
        notes.append(f"The books agree with statement {last.id}: {last.closing:,.{p}f} {cur} on {last.date}.")
    else:
        notes.append(f"The books differ from statement {last.id} by {r.difference:,.{p}f} {cur} on {last.date}.")
    unseen = r.unseen_entries
    notes.append(f"{r.suspense_lines} line(s) in suspense ({r.suspense_total:,.{p}f} {cur}); "
                 f"{unseen} book entr{'y' if unseen == 1 else 'ies'} on {account} not yet on a statement.")
    table = Table("reconciliation", cols, r.rows, title=f"Bank reconciliation: {account} {r.name} ({cur})",
                  notes=notes)
    table.meta.update({"account": account, "currency": cur, "book_balance": r.book_balance,
                       "statement": last.id if last else None,
                       "statement_date": last.date.isoformat() if last else None,
                       "statement_balance": last.closing if last else None,
                       "book_balance_at_statement": r.at_statement if last else None,
                       "difference": r.difference, "suspense_lines": r.suspense_lines,
                       "suspense_total": r.suspense_total, "unseen_entries": unseen})
    return table


def plan_table(plan: Plan) -> Table:
    """What `bank import` does (or would do) with each statement line."""
    p = currency_places(plan.currency)
    cols = [Column("date", "Date", "date"), money("amount", "Amount", p), text("counterparty", "Counterparty"),
            text("text", "Text"), text("id", "Line id"), text("outcome", "Outcome"), text("becomes", "Becomes"),
            text("record", "Record")]
    notes = [f"{plan.summary()}."]
    if plan.asserted:
        notes.append(f"Balance of {plan.account} asserted: {plan.asserted[1]:,.{p}f} {plan.currency} at the end of "
                     f"{plan.asserted[0]}.")
    if plan.parsed.pending:
        notes.append(f"{plan.parsed.pending} line(s) not booked yet (pending) were left out.")
    table = Table("bank-import", cols, plan_rows(plan), title=f"Statement {plan.parsed.source} -> {plan.account}",
                  notes=notes)
    table.meta.update({"matched": plan.count("matched"), "ruled": plan.count("ruled"),
                       "suspense": plan.count("suspense"), "reversal": plan.count("reversal"),
                       "known": plan.count("known"),
                       "statement": plan.statement.id if plan.statement else None})
    return table


def rules_table(book: Book) -> Table:
    cols = [Column("priority", "Priority", "int"), text("id", "Rule"), text("accounts", "Bank accounts"),
            text("when", "When"), text("then", "Then"), text("memo", "Memo")]
    return Table("bank-rules", cols, rule_rows(book), title="Bank rules, in the order they are tried")
