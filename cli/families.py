"""The record families comptoir knows, each declared once, in one list (as Django lists its apps).

A family is its record kinds (a light table: folder, id field, the model as "module:Class" of
comptoir.schemas, imported only when a record is validated), domain modules (its rules, overview sections,
diff effects and availability providers, each a plain list of functions in the module), the
top-level commands it adds (name and one-line help, so `comptoir --help` imports nothing) and
the reports it adds to `comptoir report`. Adding a family is one schema module, one domain
module or package, one commands module and one entry in FAMILIES:

    Family("projects", kinds=(Kind("project", "projects", "projects:Project", "project", prefix="PRJ"),),
           domain=("projects",), commands={"project": "Projects and timesheets."}, reports=("timesheets",),
           cli="project"),

where, by convention,
- `comptoir.schemas.projects` has the model `Project` (tests/test_families.py fails when a kind
  names a model that is not there, or a record model is neither a kind's nor part of one);
- `comptoir.domain.projects` has any of `RULES`, `SECTIONS`, `EFFECTS`, `PROVIDERS`: plain lists
  of functions marked with `@rule`, `@section`, `@effect` and `@provider`;
- the command `project` is `comptoir.commands.project:project`;
- `comptoir.commands.project` has `REPORTS`, the list of its `comptoir report` commands.

Nothing registers itself on import: what is not reachable from here does not run, and
tests/test_families.py fails when a rule, section, effect, provider, report or command exists
that this list cannot reach. This module imports nothing of the package at import time but the
plain Kind; the modules are imported when first needed, so a command imports only what it uses.
"""

from __future__ import annotations

import importlib
import keyword
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from comptoir.schemas.registry import Kind

if TYPE_CHECKING:  # pragma: no cover
    import click

    from comptoir.domain.availability import Provider
    from comptoir.domain.diff import Effect
    from comptoir.domain.overview import Section
    from comptoir.domain.validation import RuleSpec


@dataclass(frozen=True)
class Family:
    name: str
    kinds: tuple[Kind, ...] = ()  # its record kinds, each naming its model in comptoir.schemas
    domain: tuple[str, ...] = ()  # modules of comptoir.domain with RULES/SECTIONS/EFFECTS/PROVIDERS
    commands: dict[str, str] = field(default_factory=dict)  # command -> help; comptoir.commands.NAME:NAME
    reports: tuple[str, ...] = ()  # `comptoir report` names, in REPORTS of comptoir.commands.<cli>
    cli: str | None = None


FAMILIES: list[Family] = [
    Family("books", commands={
        "init": "Create a new book with a starter chart of accounts.",
        "validate": "Check every record and cross-record rule.",
        "report": "Financial and management reports.",
        "export": "Export the books for other tools (hledger, beancount, ...).",
        "import": "Bring in books kept in beancount or hledger.",
        "history": "Field-level history of one record from git.",
        "diff": "What a branch does to the books, for reviewers.",
        "audit": "Audit the commits that touched the books.",
        "schema": "JSON Schema of every record kind, for editors.",
        "fsmonitor": "git asks Watchman what changed instead of checking every file: on, off, status.",
    }),
    Family("ledger", kinds=(
        Kind("account", "accounts", "accounting:Account", "account", id_field="code"),
        Kind("journal", "journal", "accounting:JournalEntry", "journal entry", date_field="date", posted=True,
             prefix="JE"),
    ), domain=("validation", "periods", "overview"), commands={
        "account": "Chart of accounts: add, list.",
        "journal": "Journal entries: post, list, show, reverse.",
        "period": "Lock periods, close years, revalue currencies.",
    }, reports=("balance-sheet", "income-statement", "cash-flow", "ledger", "register", "journal"),
        cli="finance_reports"),
    Family("rates", kinds=(
        Kind("rate", "rates", "rates:ExchangeRate", "exchange rate", date_field="date"),
    ), domain=("currency",),
           commands={"rate": "Exchange rates to the base currency: add, list."}),
    Family("inventory", kinds=(
        Kind("item", "items", "inventory:Item", "item", id_field="sku"),
        Kind("warehouse", "warehouses", "inventory:Warehouse", "warehouse", id_field="code"),
        Kind("stock-move", "stock", "inventory:StockMove", "stock move", date_field="date", posted=True,
             prefix="SM"),
    ), domain=("stock.rules", "stock.reports", "availability"), commands={
        "item": "Items: add, list, show.",
        "warehouse": "Warehouses: add, list.",
        "stock": "Stock moves, availability and promise dates.",
    }, reports=("stock-balance", "stock-ledger", "reorder"), cli="stock"),
    Family("partners", kinds=(
        Kind("partner", "partners", "partners:Partner", "partner"),
    ), commands={"partner": "Customers and suppliers: add, update, list, show."}),
    Family("crm", kinds=(
        Kind("lead", "crm/leads", "crm:Lead", "lead", prefix="L"),
        Kind("activity", "crm/activities", "crm:Activity", "activity", date_field="date", prefix="ACT"),
        Kind("opportunity", "crm/opportunities", "crm:Opportunity", "opportunity", prefix="OPP"),
        Kind("campaign", "crm/campaigns", "crm:Campaign", "campaign"),  # readable ids: autumn-newsletter-2026
    ), domain=("crm.rules", "crm.reports"),
           commands={"crm": "Leads, website capture, activities, follow-ups, opportunities."},
           reports=("pipeline", "forecast", "funnel", "activities", "campaigns"), cli="crm"),
    Family("hr", kinds=(
        Kind("department", "hr/departments", "hr:Department", "department"),
        Kind("employee", "hr/employees", "hr:Employee", "employee", prefix="E"),
        Kind("payroll", "hr/payroll", "hr:PayrollRun", "payroll run", date_field="date", posted=True),
    ), domain=("hr.rules", "hr.reports"), commands={"hr": "Departments, employees and payroll runs."},
           reports=("headcount", "payroll"), cli="hr"),
    Family("manufacturing", kinds=(
        Kind("bom", "manufacturing/boms", "manufacturing:Bom", "bill of materials"),
        Kind("work-order", "manufacturing/orders", "manufacturing:WorkOrder", "work order", prefix="WO"),
        Kind("completion", "manufacturing/completions", "manufacturing:Completion", "production completion",
             date_field="date", posted=True, prefix="WC"),
    ), domain=("manufacturing.rules", "manufacturing.provider", "manufacturing.reports"),
           commands={"mfg": "Manufacturing: bills of materials, work orders, completions, planning."},
           reports=("production", "bom-cost"), cli="mfg"),
    Family("tax", kinds=(
        Kind("tax-code", "tax", "tax:TaxCode", "tax code", id_field="code"),
    ), domain=("tax",),
           commands={"tax": "Tax codes: rates and the accounts tax posts to."}, reports=("tax", "vat-return"),
           cli="tax"),
    Family("sales", kinds=(
        Kind("sales-order", "sales/orders", "sales:SalesOrder", "sales order", prefix="SO"),
        Kind("delivery", "sales/deliveries", "sales:Delivery", "delivery", date_field="date", posted=True,
             prefix="DN"),
        Kind("invoice", "sales/invoices", "sales:Invoice", "invoice", date_field="date", posted=True, prefix="INV"),
        Kind("credit-note", "sales/credit-notes", "sales:CreditNote", "credit note", date_field="date", posted=True,
             prefix="CN"),
    ), domain=("sales.rules", "sales.promises", "sales.reports"),
           commands={"sales": "Quotes, orders, deliveries, invoices, credit notes.",
                     "document": "Invoices, credit notes, quotes and statements as PDF; e-invoices (Factur-X, UBL)."},
           reports=("sales", "open-orders"), cli="sales"),
    Family("purchasing", kinds=(
        Kind("purchase-order", "purchasing/orders", "purchasing:PurchaseOrder", "purchase order", prefix="PO"),
        Kind("receipt", "purchasing/receipts", "purchasing:Receipt", "goods receipt", date_field="date", posted=True,
             prefix="GR"),
        Kind("bill", "purchasing/bills", "purchasing:Bill", "supplier bill", date_field="date", posted=True,
             prefix="BILL"),
        Kind("supplier-return", "purchasing/returns", "purchasing:SupplierReturn", "return to supplier",
             date_field="date", posted=True, prefix="RT"),
        Kind("debit-note", "purchasing/debit-notes", "purchasing:DebitNote", "debit note", date_field="date",
             posted=True, prefix="DEB"),
    ), domain=("purchasing.rules", "purchasing.provider"),
           commands={"purchase": "Purchase orders, goods receipts, supplier bills."},
           reports=("purchases",), cli="purchase"),
    Family("payments", kinds=(
        Kind("payment", "payments", "payments:Payment", "payment", date_field="date", posted=True, prefix="PMT"),
        Kind("application", "applications", "payments:Application", "credit application", date_field="date",
             posted=True, prefix="APP"),
    ), domain=("payments",),
           commands={"pay": "Payments received and sent, allocated to invoices and bills."},
           reports=("ar-aging", "ap-aging", "statement", "cash-forecast"), cli="pay"),
    Family("bank", kinds=(
        Kind("statement", "bank/statements", "bank:Statement", "bank statement", date_field="date", posted=True,
             prefix="ST"),
        Kind("bank-rule", "bank/rules", "bank:BankRule", "bank rule"),
        Kind("bank-format", "bank/formats", "bank:BankFormat", "bank CSV format"),
    ), commands={"bank": "Bank statements in: camt.053, CSV exports, OFX; matched and reconciled."},
           reports=("reconciliation",), cli="bank"),
    Family("planning", kinds=(
        Kind("budget", "budgets", "budget:Budget", "budget"),
    ), domain=("budget", "periodic"),
           commands={"budget": "Budget versions: planned amounts per account per month."},
           reports=("budget", "rolling-forecast", "stock-out", "pack"), cli="budget"),
]


# -- commands (names and help come from the list above; a module is imported when it runs) ----

def command_help() -> dict[str, str]:
    """Every top-level command -> its one-line help, without importing anything."""
    return {name: text for fam in FAMILIES for name, text in fam.commands.items()}


def load_command(name: str) -> click.Command | None:
    if name not in command_help():
        return None
    module = name.replace("-", "_")
    if keyword.iskeyword(module):  # `comptoir import`: the module and its group are import_
        module += "_"
        return getattr(importlib.import_module(f"comptoir.commands.{module}"), module)
    return getattr(importlib.import_module(f"comptoir.commands.{name}"), module)


def report_names() -> list[str]:
    return sorted(r for fam in FAMILIES for r in fam.reports)


def load_report(name: str) -> click.Command | None:
    for fam in FAMILIES:
        if name in fam.reports:
            module = importlib.import_module(f"comptoir.commands.{fam.cli}")
            return next((c for c in module.REPORTS if c.name == name), None)
    return None


# -- kinds and the domain's lists ----------------------------------------------------------------

@cache
def kinds() -> list[Kind]:
    """Every record kind, family by family (plain data: no model is imported)."""
    return [kind for fam in FAMILIES for kind in fam.kinds]


def _collect(attr: str) -> list[Any]:
    # not cached: the modules are in sys.modules after the first call, and a test that stands
    # a module in for another (sys.modules) must not leave its stand-in behind
    out: list = []
    for fam in FAMILIES:
        for name in fam.domain:
            out.extend(getattr(importlib.import_module(f"comptoir.domain.{name}"), attr, ()))
    return out


def rules() -> list[RuleSpec]:
    """Every cross-record rule, with what an incremental check needs to know about it."""
    from comptoir.domain.validation import spec_of

    return [spec_of(fn) for fn in _collect("RULES")]


def sections() -> list[Section]:
    return _collect("SECTIONS")


def effects() -> list[Effect]:
    return _collect("EFFECTS")


def providers() -> list[Provider]:
    return _collect("PROVIDERS")
