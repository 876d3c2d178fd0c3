"""Financial statements: balance sheet, income statement, cash flow, general ledger, journal.

Amounts are in the base currency, each foreign posting at its own historical value
(its `rate:` or exchange difference), unless a currency is asked for: then only postings
in that currency count, in their own amounts. Balances carry the sign a reader expects:
assets and expenses debit-positive, liabilities, equity and income credit-positive.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.accounting import NORMAL_SIGN, Account, JournalEntry
from comptoir.schemas.types import currency_places

from .ledger import (
    ZERO,
    PostingRow,
    ancestors,
    currency_moves,
    entry_values,
    few,
    last_entry_day,
    net_by_account,
    reversals,
    roll_up,
    round_to,
    rows_between,
    streamed,
)
from .table import Rows

DAY = dt.timedelta(days=1)
CASH_ROLES = frozenset({"bank", "cash"})
OPERATING_ROLES = frozenset({"receivable", "payable", "inventory", "tax", "grni", "payroll"})


@dataclass
class Statement:
    """A statement's figures; `compare`, `method` and `foreign` (original amounts) shape its columns."""
    rows: list[dict] | Rows  # Rows: made as they are read (the register and journal of a served book)
    totals: dict | None
    title: str
    notes: list[str]
    meta: dict
    places: int
    compare: tuple[dt.date, dt.date] | None = None
    method: str = ""
    foreign: bool = False


# shared helpers --------------------------------------------------------------------------
@dataclass(frozen=True)
class View:
    """Which amounts a report shows: base-currency values, or one currency's own amounts."""

    base: str
    currency: str | None = None

    @property
    def shown(self) -> str:
        return self.currency or self.base

    @property
    def places(self) -> int:
        return currency_places(self.shown)

    def label(self) -> str:
        return f"{self.currency} amounts only" if self.currency else self.base


def view_of(book: Book, currency: str | None) -> View:
    if currency is not None:
        currency = currency.upper()
        if len(currency) != 3 or not currency.isalpha():
            raise fail("bad-currency", f"--currency {currency!r} is not a currency code",
                       "give an ISO 4217 code like USD")
    return View(book.base, currency)


def posting_values(book: Book, entry: JournalEntry, view: View) -> list[tuple[int, Decimal]]:
    """(posting index, amount) for every posting the view shows."""
    if view.currency is None:
        return list(enumerate(entry_values(book, entry)))
    base = book.base
    return [(i, p.amount) for i, p in enumerate(entry.postings) if (p.currency or base) == view.currency]


def last_day(book: Book) -> dt.date:
    return last_entry_day(book) or book.today or dt.date.today()


def net_sums(book: Book, start: dt.date | None, end: dt.date | None, view: View,
             closing: bool = True) -> dict[str, Decimal]:
    """`sums` of the entries from `start` to `end`, from the day totals in the base currency or
    in the view's (which a book reader may serve from sums kept per journal folder)."""
    if view.currency is None:
        return net_by_account(book, start, end, closing)
    return {account: dr - cr for account, (dr, cr) in currency_moves(book, view.currency, start, end, closing).items()}


def _name(accounts: dict[str, Account], code: str) -> str:
    acct = accounts.get(code)
    return acct.name if acct else "(unknown account)"


def _type(accounts: dict[str, Account], code: str) -> str | None:
    acct = accounts.get(code)
    return acct.type if acct else None


def _role(accounts: dict[str, Account], code: str) -> str | None:
    """The account's role, or its nearest ancestor's."""
    for ident in ancestors(accounts, code):
        acct = accounts.get(ident)
        if acct is not None and acct.role:
            return acct.role
    return None


def _period_text(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return f"{start} to {end}"
    if end:
        return f"up to {end}"
    if start:
        return f"from {start}"
    return "all entries"


def _quantized(values: dict[str, Decimal], places: int) -> dict[str, Decimal]:
    """Summary figures for JSON, with the currency's places like the money columns."""
    return {k: round_to(v, places) for k, v in values.items()}


# balance sheet ---------------------------------------------------------------------------
SECTIONS = (("asset", "Assets"), ("liability", "Liabilities"), ("equity", "Equity"))


def balance_sheet_data(book: Book, start: dt.date | None = None, end: dt.date | None = None,
                       depth: int | None = None, currency: str | None = None) -> Statement:
    """Assets = liabilities + equity at `end`, with the result not yet closed shown in equity.

    The result of the current period runs from `start` (default: the start of the fiscal
    year containing `end`); results of earlier periods not closed yet get a line of their own.
    """
    view = view_of(book, currency)
    accounts = book.accounts
    end = end or last_day(book)
    period_start = start or book.settings.fiscal_year_bounds(book.settings.fiscal_year_of(end))[0]
    closing = net_sums(book, None, end, view)
    earlier = net_sums(book, None, period_start - DAY, view)
    rows: list[dict] = []
    totals: dict[str, Decimal] = {}
    unknown = sorted(code for code, v in closing.items() if v and code not in accounts)

    def result(balances: dict[str, Decimal]) -> Decimal:
        return -sum((v for code, v in balances.items() if _type(accounts, code) in ("income", "expense")), ZERO)

    for type_, title in SECTIONS:
        lines: dict[str, Decimal] = {}
        for code, value in closing.items():
            kind = _type(accounts, code) or ("asset" if code in unknown else None)
            if kind != type_ or not value:
                continue
            shown = roll_up(accounts, code, depth)
            lines[shown] = lines.get(shown, ZERO) + value * NORMAL_SIGN[type_]
        for code in sorted(lines):
            if lines[code]:
                rows.append({"section": title, "account": code, "name": _name(accounts, code),
                             "balance": lines[code], "line": "account"})
        total = sum(lines.values(), ZERO)
        if type_ == "equity":
            before = result(earlier)
            current = result(closing) - before
            if before:
                rows.append({"section": title, "account": "", "name": f"Results before {period_start} not yet closed",
                             "balance": before, "line": "result"})
            rows.append({"section": title, "account": "",
                         "name": f"Result {period_start} to {end} (not yet closed)", "balance": current,
                         "line": "result"})
            total += before + current
            totals["result"] = before + current
        totals[type_] = total
        rows.append({"section": title, "account": "", "name": f"Total {title.lower()}", "balance": total,
                     "line": "total"})
    other_side = totals["liability"] + totals["equity"]
    rows.append({"section": "", "account": "", "name": "Total liabilities and equity", "balance": other_side,
                 "line": "total"})
    balanced = totals["asset"] == other_side
    places = view.places
    fmt = lambda v: f"{round_to(v, places):,}"  # noqa: E731
    notes = []
    if balanced:
        notes.append(f"Balanced: assets {fmt(totals['asset'])} = liabilities {fmt(totals['liability'])} "
                     f"+ equity {fmt(totals['equity'])}")
    else:
        notes.append(f"NOT balanced: assets {fmt(totals['asset'])}, liabilities + equity {fmt(other_side)}, "
                     f"difference {fmt(totals['asset'] - other_side)}")
    if view.currency:
        notes.append(f"Only postings in {view.currency}, in their own amounts: an entry that mixes currencies "
                     "balances in the base currency, not per currency, so the two sides need not agree.")
    if unknown:
        notes.append(f"Postings to unknown accounts {', '.join(unknown)} are shown under assets; "
                     "`comptoir validate` reports them.")
    return Statement(rows, None, f"Balance sheet at {end} ({view.label()})", notes, {
        "balanced": balanced, "date": end.isoformat(), "currency": view.shown,
        "summary": _quantized({"assets": totals["asset"], "liabilities": totals["liability"],
                               "equity": totals["equity"], "result": totals["result"],
                               "liabilities_and_equity": other_side,
                               "difference": totals["asset"] - other_side}, places),
    }, places)


# income statement ------------------------------------------------------------------------
IS_SECTIONS = (("revenue", "Revenue"), ("cogs", "Cost of goods sold"), ("expense", "Operating expenses"),
               ("other-income", "Other income"), ("other-expense", "Other expenses"))


def pl_class(accounts: dict[str, Account], code: str) -> str | None:
    """Which income-statement section an account belongs to (None: not an income or expense account)."""
    kind = _type(accounts, code)
    role = _role(accounts, code)
    if kind == "income":
        return "other-income" if role in ("other-income", "fx") else "revenue"
    if kind == "expense":
        if role == "cogs":
            return "cogs"
        return "other-expense" if role in ("other-expense", "fx") else "expense"
    return None


def _pl_lines(book: Book, start: dt.date | None, end: dt.date | None, depth: int | None,
              view: View) -> dict[tuple[str, str], Decimal]:
    """(section, shown account) -> amount with the reader's sign, closing entries left out."""
    accounts = book.accounts
    out: dict[tuple[str, str], Decimal] = {}
    for code, value in net_sums(book, start, end, view, closing=False).items():
        section = pl_class(accounts, code)
        if section is None or not value:
            continue
        sign = -1 if section in ("revenue", "other-income") else 1
        key = (section, roll_up(accounts, code, depth))
        out[key] = out.get(key, ZERO) + value * sign
    return out


def _summary(lines: dict[tuple[str, str], Decimal]) -> dict[str, Decimal]:
    per = {key: sum((v for (s, _), v in lines.items() if s == key), ZERO) for key, _ in IS_SECTIONS}
    gross = per["revenue"] - per["cogs"]
    operating = gross - per["expense"]
    net = operating + per["other-income"] - per["other-expense"]
    return {"revenue": per["revenue"], "cogs": per["cogs"], "gross_margin": gross, "expenses": per["expense"],
            "operating_result": operating, "other_income": per["other-income"],
            "other_expenses": per["other-expense"], "net_income": net}


def comparison_range(start: dt.date | None, end: dt.date | None, compare: str) -> tuple[dt.date, dt.date]:
    """The previous period of the same length (whole months stay whole months), or the same dates a year earlier."""
    if start is None or end is None:
        raise fail("compare-needs-period", "--compare needs a bounded period",
                   "give --period YYYY-MM, --year YYYY, or --from and --to")
    if compare == "previous-year":
        return _years_back(start, 1), _years_back(end, 1)
    if start.day == 1 and end == _month_end(end):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        first = _months_back(start, months)
        return first, _month_end(_months_back(start, 1))
    length = end - start + DAY
    return start - length, start - DAY


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _months_back(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _years_back(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def income_statement_data(book: Book, start: dt.date | None = None, end: dt.date | None = None,
                          depth: int | None = None, compare: str | None = None,
                          currency: str | None = None) -> Statement:
    """Revenue - cost of goods sold = gross margin; - operating expenses = operating result;
    + other income - other expenses = net income. Year-end closing entries are left out."""
    view = view_of(book, currency)
    accounts = book.accounts
    lines = _pl_lines(book, start, end, depth, view)
    summary = _summary(lines)
    prev_range = comparison_range(start, end, compare) if compare else None
    prev_lines = _pl_lines(book, *prev_range, depth, view) if prev_range else {}
    prev_summary = _summary(prev_lines) if prev_range else {}

    def row(section: str, account: str, name: str, key: tuple | str, line: str) -> dict:
        amount = lines.get(key, ZERO) if isinstance(key, tuple) else summary[key]
        out = {"section": section, "account": account, "name": name, "amount": amount, "line": line}
        if prev_range:
            before = prev_lines.get(key, ZERO) if isinstance(key, tuple) else prev_summary[key]
            out.update(compare=before, change=amount - before,
                       change_pct=round_to((amount - before) / abs(before) * 100, 1) if before else None)
        return out

    subtotal = {"cogs": ("gross_margin", "Gross margin"), "expense": ("operating_result", "Operating result")}
    totals_key = {"revenue": "revenue", "cogs": "cogs", "expense": "expenses", "other-income": "other_income",
                  "other-expense": "other_expenses"}
    rows = []
    for key, title in IS_SECTIONS:
        codes = sorted({code for (s, code) in lines.keys() | prev_lines.keys() if s == key})
        for code in codes:
            rows.append(row(title, code, _name(accounts, code), (key, code), "account"))
        rows.append(row(title, "", f"Total {title.lower()}", totals_key[key], "total"))
        if key in subtotal:
            rows.append(row("", "", subtotal[key][1], subtotal[key][0], "subtotal"))
    totals = row("", "", "Net income", "net_income", "total")
    totals.pop("section")
    totals.pop("line")
    places = view.places
    notes = []
    if prev_range:
        notes.append(f"Compared with {prev_range[0]} to {prev_range[1]} ({compare}).")
    notes.append("Year-end closing entries are left out, so closed years still show their result.")
    meta: dict = {"from": start.isoformat() if start else None, "to": end.isoformat() if end else None,
            "currency": view.shown, "summary": _quantized(summary, places)}
    if prev_range:
        meta["compare"] = {"from": prev_range[0].isoformat(), "to": prev_range[1].isoformat(),
                           "summary": _quantized(prev_summary, places)}
    return Statement(rows, totals, f"Income statement {_period_text(start, end)} ({view.label()})", notes, meta,
                     places, compare=prev_range)


# cash flow -------------------------------------------------------------------------------
def cash_class(accounts: dict[str, Account], code: str) -> str:
    """cash | operating | investing | financing for a balance-sheet account; P&L accounts are operating.

    An explicit `cash_flow:` on the account or an ancestor wins. Otherwise bank and cash
    roles are cash; working-capital roles (receivable, payable, inventory, tax, GRNI,
    payroll) and income and expense accounts are operating; other assets are investing
    (equipment); other liabilities and equity are financing (loans, capital).
    """
    for ident in ancestors(accounts, code):
        acct = accounts.get(ident)
        if acct is not None and acct.cash_flow:
            return acct.cash_flow
    role = _role(accounts, code)
    kind = _type(accounts, code)
    if role in CASH_ROLES:
        return "cash"
    if role in OPERATING_ROLES or kind in ("income", "expense", None):
        return "operating"
    return "investing" if kind == "asset" else "financing"


CF_SECTIONS = (("operating", "Operating activities"), ("investing", "Investing activities"),
               ("financing", "Financing activities"), ("fx", "Effect of exchange rates on cash"))


def cash_accounts(accounts: dict[str, Account]) -> list[str]:
    """The accounts cash_class calls cash, by code (an unknown account is not one)."""
    return sorted(code for code in accounts if cash_class(accounts, code) == "cash")


# What the cash flow reads of the postings beyond the day totals, per day: the exchange
# differences on cash (the entries whose every cash posting is one), and for the direct method
# per account the receipts and payments of the other postings of the entries that move cash.
CashMoves = tuple  # (fx: {day ordinal: Decimal}, direct: {(day ordinal, account): [in | None, out | None]})


def cash_moves(rows: Iterable[PostingRow], cash: Callable[[str], bool]) -> CashMoves:
    """The CashMoves of the posting rows of whole entries (closing entries left out)."""
    entries: dict[str, list[PostingRow]] = {}
    for posting in rows:
        if not posting.closing:
            entries.setdefault(posting.id, []).append(posting)
    fx: dict[int, Decimal] = {}
    direct: dict[tuple[int, str], list] = {}
    for postings in entries.values():
        on_cash = [p for p in postings if cash(p.account)]
        if not on_cash:
            continue
        day = postings[0].date.toordinal()
        if all(p.revalued for p in on_cash):  # a revaluation: not a cash movement
            fx[day] = fx.get(day, ZERO) + sum((p.value or ZERO for p in on_cash), ZERO)
            continue
        for p in postings:
            value = p.value or ZERO
            if cash(p.account) or not value:
                continue
            cell = direct.setdefault((day, p.account), [None, None])
            at = 0 if -value > 0 else 1
            cell[at] = -value if cell[at] is None else cell[at] - value
    return fx, direct


def packed_cash_moves(moves: CashMoves) -> tuple:
    """CashMoves as plain values (texts for amounts), as a store keeps them."""
    fx, direct = moves
    return ([(day, str(v)) for day, v in fx.items()],
            [(day, code, None if i is None else str(i), None if o is None else str(o))
             for (day, code), (i, o) in direct.items()])


def merge_cash_moves(parts: Iterable[tuple]) -> CashMoves:
    """The CashMoves of several folders' packed_cash_moves, in day and account order."""
    fx: dict[int, Decimal] = {}
    direct: dict[tuple[int, str], list] = {}
    for part_fx, part_direct in parts:
        for day, value in part_fx:
            fx[day] = fx.get(day, ZERO) + Decimal(value)
        for day, code, i, o in part_direct:
            cell = direct.setdefault((day, code), [None, None])
            for at, text in ((0, i), (1, o)):
                if text is not None:
                    cell[at] = Decimal(text) if cell[at] is None else cell[at] + Decimal(text)
    return dict(sorted(fx.items())), dict(sorted(direct.items()))


def _cash_moves_of(book: Book, start: dt.date | None, end: dt.date | None, cash: Callable[[str], bool]
                   ) -> CashMoves:
    """The period's CashMoves: from those the book reader supplied for the book's cash accounts
    (`ledger.cash`: (their codes, CashMoves) of the whole journal), else from the posting rows."""
    given = book.derived.get("ledger.cash")
    if given is None or given[0] != cash_accounts(book.accounts):
        fx, direct = cash_moves(rows_between(book, start, end), cash)
        return dict(sorted(fx.items())), dict(sorted(direct.items()))
    lo = start.toordinal() if start else None
    hi = end.toordinal() if end else None

    def inside(day: int) -> bool:
        return (lo is None or day >= lo) and (hi is None or day <= hi)

    fx, direct = given[1]
    return ({day: v for day, v in fx.items() if inside(day)},
            {key: sides for key, sides in direct.items() if inside(key[0])})


def cash_flow_data(book: Book, start: dt.date | None = None, end: dt.date | None = None,
                   depth: int | None = None, method: str = "indirect") -> Statement:
    accounts = book.accounts
    end = end or last_day(book)
    view = View(book.base)
    places = view.places
    classes: dict[str, str] = {}

    def cash(code: str) -> bool:
        if code not in classes:
            classes[code] = cash_class(accounts, code)
        return classes[code] == "cash"

    fx_by_day, direct = _cash_moves_of(book, start, end, cash)
    opening = sum((v for c, v in net_by_account(book, None, start - DAY).items() if cash(c)), ZERO) \
        if start else ZERO
    closing_cash = sum((v for c, v in net_by_account(book, None, end).items() if cash(c)), ZERO)
    # Exchange differences booked on cash accounts (by `period revalue`) move cash's value
    # without moving money: they are shown apart, as IAS 7 asks.
    fx_on_cash = ZERO
    for value in fx_by_day.values():
        fx_on_cash += value
    lines: dict[tuple[str, str], dict] = {}

    def add(section: str, code: str, name: str, amount: Decimal) -> None:
        line = lines.setdefault((section, code or name),
                                {"code": code, "name": name, "amount": ZERO, "in": ZERO, "out": ZERO})
        line["amount"] += amount
        line["in" if amount > 0 else "out"] += amount

    if method == "indirect":
        moves = net_by_account(book, start, end, closing=False)
        net_income = -sum((v for c, v in moves.items() if _type(accounts, c) in ("income", "expense")), ZERO)
        add("operating", "", "Net income", net_income)
        for code in sorted(moves):
            kind = _type(accounts, code)
            section = cash_class(accounts, code)
            if section == "cash" or kind in ("income", "expense") or not moves[code]:
                continue
            shown = roll_up(accounts, code, depth)
            add(section, shown, f"Change in {_name(accounts, shown)}", -moves[code])
        if fx_on_cash:
            add("operating", "", "Exchange differences on cash (not a cash movement)", -fx_on_cash)
    else:
        for (_, code), sides in direct.items():
            shown = roll_up(accounts, code, depth)
            for amount in sides:
                if amount is not None:
                    add(cash_class(accounts, code), shown, _name(accounts, shown), amount)
    if fx_on_cash:
        add("fx", "", "Exchange differences on foreign-currency cash", fx_on_cash)
    rows = []
    net = ZERO
    for key, title in CF_SECTIONS:
        section_lines = sorted((line for (s, _), line in lines.items() if s == key),
                               key=lambda line: (line["code"] != "", line["code"]))
        if not section_lines and key == "fx":
            continue
        total = ZERO
        for line in section_lines:
            if not line["amount"] and not (method == "direct" and (line["in"] or line["out"])):
                continue
            row = {"section": title, "account": line["code"], "name": line["name"], "amount": line["amount"],
                   "line": "account"}
            if method == "direct":
                row.update(receipts=line["in"], payments=-line["out"])
            rows.append(row)
            total += line["amount"]
        rows.append({"section": title, "account": "", "name": f"Net cash from {title.lower()}"
                     if key != "fx" else "Total effect of exchange rates", "amount": total, "line": "total"})
        net += total
    reconciles = opening + net == closing_cash
    rows.append({"section": "", "account": "", "name": "Cash and bank at start", "amount": opening,
                 "line": "subtotal"})
    rows.append({"section": "", "account": "", "name": "Cash and bank at end", "amount": closing_cash,
                 "line": "subtotal"})
    how = ("indirect method: net income adjusted by the movement of every other balance-sheet account"
           if method == "indirect" else
           "direct method: every posting to a bank or cash account, by the account on the other side")
    notes = [f"Method: {how}.",
             ("Reconciles" if reconciles else "Does NOT reconcile") +
             f": cash and bank {round_to(opening, places):,} at start + net change {round_to(net, places):,} "
             f"= {round_to(opening + net, places):,}; the bank and cash accounts hold "
             f"{round_to(closing_cash, places):,} at {end}."]
    meta = {"method": method, "reconciles": reconciles, "from": start.isoformat() if start else None,
            "to": end.isoformat(),
            "summary": _quantized({"opening_cash": opening, "net_change": net, "closing_cash": closing_cash}, places)}
    return Statement(rows, {"name": "Net change in cash", "amount": net},
                     f"Cash flow statement {_period_text(start, end)} ({book.base}, {method} method)", notes, meta,
                     places, method=method)


# general ledger / register ---------------------------------------------------------------
@dataclass
class PostingFilter:
    account: str | None = None  # code prefix, or an ancestor in the account tree
    text: str | None = None  # in the entry's or the posting's memo, or the reference
    partner: str | None = None
    min_amount: Decimal | None = None  # on the absolute amount shown
    max_amount: Decimal | None = None

    def account_matches(self, accounts: dict[str, Account], code: str) -> bool:
        return not self.account or code.startswith(self.account) or self.account in ancestors(accounts, code)

    def accounts_only(self) -> bool:
        """Whether the filter picks whole accounts (no text, partner or amount): then a balance
        before a day is the day totals' (comptoir.domain.ledger.net_by_account), no posting read."""
        return not (self.text or self.partner or self.min_amount is not None or self.max_amount is not None)

    def matches(self, book: Book, row: PostingRow, amount: Decimal) -> bool:
        if not self.account_matches(book.accounts, row.account):
            return False
        if self.text:
            haystack = " ".join(filter(None, (row.entry_memo, row.memo, row.reference))).lower()
            if self.text.lower() not in haystack:
                return False
        if self.partner and row.partner != self.partner:
            return False
        if self.min_amount is not None and abs(amount) < self.min_amount:
            return False
        return not (self.max_amount is not None and abs(amount) > self.max_amount)


def opening_from_totals(filters: PostingFilter, start: dt.date | None) -> bool:
    """Whether a register from `start` takes its opening balance from the day totals (whole
    accounts: the base currency's day totals, or with --currency that currency's own amounts per
    day) rather than from the postings before `start`: the rows it needs are then only those
    from `start` on (a served book reads only those months' rows)."""
    return start is not None and filters.accounts_only()


def register_data(book: Book, filters: PostingFilter, start: dt.date | None = None, end: dt.date | None = None,
                  depth: int | None = None, currency: str | None = None, name: str = "register") -> Statement:
    """Every posting that matches, in date order, with a running balance of the postings shown.

    With a start date the first line is the opening balance: the same postings before it."""
    view = view_of(book, currency)
    accounts = book.accounts
    if filters.account and not any(c.startswith(filters.account) or filters.account in ancestors(accounts, c)
                                   for c in accounts):
        raise fail("unknown-account", f"no account is {filters.account} or starts with it",
                   "`comptoir account list` shows the chart of accounts")
    opening = debit = credit = ZERO
    if opening_from_totals(filters, start):
        # the balance before `start` of the accounts shown: the day totals, not every earlier posting
        assert start is not None
        if view.currency is None:
            nets = net_by_account(book, None, start - DAY)
        else:
            nets = {code: dr - cr for code, (dr, cr) in currency_moves(book, view.currency, None, start - DAY).items()}
        for code, net in nets.items():
            if filters.account_matches(accounts, code):
                opening += net
        given = rows_between(book, start, end, view.currency is None)
    else:
        given = rows_between(book, None, end, view.currency is None)

    if filters.accounts_only():  # whether an account is shown, asked once per account (46,000 rows, 20 accounts)
        shown_accounts: dict[str, bool] = {}

        def wanted(p: PostingRow, v: Decimal) -> bool:
            hit = shown_accounts.get(p.account)
            if hit is None:
                hit = shown_accounts[p.account] = filters.account_matches(accounts, p.account)
            return hit
    else:
        def wanted(p: PostingRow, v: Decimal) -> bool:
            return filters.matches(book, p, v)

    def shown() -> Iterable[tuple[PostingRow, Decimal]]:
        return ((p, v) for p, v in _shown(book, given, view) if wanted(p, v))

    matching: Callable[[], Iterable[tuple[PostingRow, Decimal]]] = shown
    if streamed(given) and few(given):
        # rows served folder by folder, few enough to hold: made once for both passes (reading
        # and making them again was a tenth of a 46,000-line register's time)
        held = list(shown())
        matching = lambda: held  # noqa: E731

    # the first pass: the opening balance (unless known), the totals and whether a posting is in a
    # foreign currency
    balance: Decimal | None = None
    count = 0
    foreign = False
    base = book.base
    for posting, value in matching():  # in date order: every posting before `start` comes first
        if start is not None and posting.date < start:
            opening += value
            continue
        # added in the order the rows below add them: the closing balance to the same digits
        balance = (opening if balance is None else balance) + value
        debit += max(value, ZERO)
        credit += max(-value, ZERO)
        count += 1
        if view.currency is None and not foreign and (posting.currency or base) != base:
            foreign = True
    if balance is None:
        balance = opening

    def make() -> Iterator[dict]:
        balance = opening
        labels: dict[str, tuple[str, str]] = {}  # account -> (the account shown, its name)
        if start is not None:
            yield {"date": start, "id": "", "account": "", "name": "", "memo": "Opening balance",
                   "partner": "", "debit": None, "credit": None, "balance": opening, "line": "opening"}
        for p, value in matching():
            if start is not None and p.date < start:
                continue
            balance += value
            label = labels.get(p.account)
            if label is None:
                rolled = roll_up(accounts, p.account, depth)
                label = labels[p.account] = (rolled, _name(accounts, rolled))
            shown, name = label
            row = {"date": p.date, "id": p.id, "account": shown, "name": name,
                   "memo": p.memo or p.entry_memo, "partner": p.partner or "",
                   "debit": value if value > 0 else None, "credit": -value if value < 0 else None,
                   "balance": balance, "line": "posting"}
            if foreign:
                cur = p.currency or base
                row["original"] = "" if cur == base else f"{p.amount} {cur}"
            yield row

    rows: list[dict] | Rows = Rows(make, count + (start is not None)) if streamed(given) else list(make())
    places = view.places
    what = f"account {filters.account}" if filters.account else "all accounts"
    title = f"{'General ledger' if name == 'ledger' else 'Register'}: {what}, {_period_text(start, end)} ({view.label()})"
    return Statement(rows, {"date": None, "id": "Total", "debit": debit, "credit": credit, "balance": balance},
                     title, [], {"opening": round_to(opening, places), "closing": round_to(balance, places),
                                 "currency": view.shown}, places, foreign=foreign)


def _shown(book: Book, rows: Iterable[PostingRow], view: View) -> Iterable[tuple[PostingRow, Decimal]]:
    """(row, the amount the view shows) of the rows the view shows: every posting at its base
    value, or one currency's postings in their own amounts."""
    if view.currency is None:
        return ((r, r.value) for r in rows)  # type: ignore[misc]
    base = book.base
    return ((r, r.amount) for r in rows if (r.currency or base) == view.currency)


# journal ---------------------------------------------------------------------------------
def journal_data(book: Book, start: dt.date | None = None, end: dt.date | None = None,
                 depth: int | None = None, currency: str | None = None) -> Statement:
    """Every entry in date order with every posting, for auditors: debits equal credits."""
    view = view_of(book, currency)
    accounts = book.accounts
    reversed_by = reversals(book)
    given = rows_between(book, start, end, view.currency is None)
    count = 0
    debit = credit = ZERO
    for _, value in _shown(book, given, view):
        count += 1
        debit += max(value, ZERO)
        credit += max(-value, ZERO)

    def make() -> Iterator[dict]:
        for p, value in _shown(book, given, view):
            links = []
            if p.reverses:
                links.append(f"reverses {p.reverses}")
            if p.id in reversed_by:
                links.append(f"reversed by {reversed_by[p.id]}")
            shown = roll_up(accounts, p.account, depth)
            cur = p.currency or book.base
            yield {"date": p.date, "id": p.id, "memo": p.entry_memo, "reference": p.reference or "",
                   "account": shown, "name": _name(accounts, shown),
                   "debit": value if value > 0 else None, "credit": -value if value < 0 else None,
                   "original": "" if cur == view.shown else f"{p.amount} {cur}",
                   "links": "; ".join(links)}

    rows: list[dict] | Rows = Rows(make, count) if streamed(given) else list(make())
    return Statement(rows, {"date": None, "id": "Total", "debit": debit, "credit": credit},
                     f"Journal {_period_text(start, end)} ({view.label()})", [], {"balanced": debit == credit},
                     view.places)
