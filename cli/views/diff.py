"""The reviewer's tables of `comptoir diff`: the records changed and the effect on the accounts
(the families' own sections come from their diff effects)."""

from __future__ import annotations

from comptoir.domain.diff import BookDiff, change_rows
from comptoir.domain.table import Column, Table, money, text
from comptoir.schemas.types import currency_places


def changes_table(diff: BookDiff) -> Table:
    return Table("records", [text("kind", "Kind"), text("id", "Id"), text("change", "Change"),
                             Column("fields", "Fields")], change_rows(diff), title="Records")


def accounts_table(diff: BookDiff) -> Table:
    places = currency_places(diff.base)
    cols = [text("account", "Account"), text("name", "Name"), money("debit", "Debit", places),
            money("credit", "Credit", places), money("before", "Before", places),
            money("after", "After", places), money("change", "Change", places)]
    return Table("accounts", cols, diff.accounts, title="Effect on the accounts (debits positive)")


def tables(diff: BookDiff) -> list[Table]:
    """Every table of the diff in reading order: records, accounts, then the families' sections."""
    return [changes_table(diff), accounts_table(diff), *diff.sections]
