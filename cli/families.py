"""The record families comptoir knows, each declared once, in one list (as Django lists its apps).

A family is a schema module (its record kinds), domain modules (its rules, overview sections,
diff effects and availability providers, each a plain list of functions in the module), the
top-level commands it adds (name and one-line help, so `comptoir --help` imports nothing) and
the reports it adds to `comptoir report`. Adding a family is one schema module, one domain
module or package, one commands module and one entry in FAMILIES:

    Family("projects", schema="projects", domain=("projects",),
           commands={"project": "Projects and timesheets."}, reports=("timesheets",), cli="project"),

where, by convention,
- `comptoir.schemas.projects` has `KINDS: list[Kind]`;
- `comptoir.domain.projects` has any of `RULES`, `SECTIONS`, `EFFECTS`, `PROVIDERS`: plain lists
  of functions marked with `@rule`, `@section`, `@effect` and `@provider`;
- the command `project` is `comptoir.commands.project:project`;
- `comptoir.commands.project` has `REPORTS`, the list of its `comptoir report` commands.

Nothing registers itself on import: what is not reachable from here does not run, and
tests/test_families.py fails when a rule, section, effect, provider, report or command exists
that this list cannot reach. This module imports nothing of the package at import time; the
modules are imported when first needed, so a command imports only what it uses.
"""

from __future__ import annotations

import importlib
import keyword
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import click

    from comptoir.domain.availability import Provider
    from comptoir.domain.diff import Effect
    from comptoir.domain.overview import Section
    from comptoir.domain.validation import RuleSpec
    from comptoir.schemas.registry import Kind


@dataclass(frozen=True)
class Family:
    name: str
    schema: str | None = None  # module of comptoir.schemas with KINDS
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
    Family("ledger", schema="accounting", domain=("validation", "periods", "overview"), commands={
        "account": "Chart of accounts: add, list.",
        "journal": "Journal entries: post, list, show, reverse.",
        "period": "Lock periods, close years, revalue currencies.",
    }, reports=("balance-sheet", "income-statement", "cash-flow", "ledger", "register", "journal"),
        cli="finance_reports"),
    Family("rates", schema="rates", domain=("currency",),
           commands={"rate": "Exchange rates to the base currency: add, list."}),
    Family("inventory", schema="inventory", domain=("stock.rules", "stock.reports", "availability"), commands={
        "item": "Items: add, list, show.",
        "warehouse": "Warehouses: add, list.",
        "stock": "Stock moves, availability and promise dates.",
    }, reports=("stock-balance", "stock-ledger", "reorder"), cli="stock"),
    Family("partners", schema="partners",
           commands={"partner": "Customers and suppliers: add, update, list, show."}),
    Family("crm", schema="crm", domain=("crm.rules", "crm.reports"),
           commands={"crm": "Leads, website capture, activities, follow-ups, opportunities."},
           reports=("pipeline", "forecast", "funnel", "activities", "campaigns"), cli="crm"),
    Family("hr", schema="hr", domain=("hr.rules", "hr.reports"), commands={"hr": "Departments, employees and payroll runs."},
           reports=("headcount", "payroll"), cli="hr"),
    Family("manufacturing", schema="manufacturing",
           domain=("manufacturing.rules", "manufacturing.provider", "manufacturing.reports"),
           commands={"mfg": "Manufacturing: bills of materials, work orders, completions, planning."},
           reports=("production", "bom-cost"), cli="mfg"),
    Family("tax", schema="tax", domain=("tax",),
           commands={"tax": "Tax codes: rates and the accounts tax posts to."}, reports=("tax", "vat-return"),
           cli="tax"),
    Family("sales", schema="sales", domain=("sales.rules", "sales.promises", "sales.reports"),
           commands={"sales": "Quotes, orders, deliveries, invoices, credit notes.",
                     "document": "Invoices, credit notes, quotes and statements as PDF; e-invoices (Factur-X, UBL)."},
           reports=("sales", "open-orders"), cli="sales"),
    Family("purchasing", schema="purchasing", domain=("purchasing.rules", "purchasing.provider"),
           commands={"purchase": "Purchase orders, goods receipts, supplier bills."},
           reports=("purchases",), cli="purchase"),
    Family("payments", schema="payments", domain=("payments",),
           commands={"pay": "Payments received and sent, allocated to invoices and bills."},
           reports=("ar-aging", "ap-aging", "statement", "cash-forecast"), cli="pay"),
    Family("bank", schema="bank",
           commands={"bank": "Bank statements in: camt.053, CSV exports, OFX; matched and reconciled."},
           reports=("reconciliation",), cli="bank"),
    Family("planning", schema="budget", domain=("budget", "periodic"),
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
    """Every record kind, family by family."""
    out: list = []
    for fam in FAMILIES:
        if fam.schema:
            out.extend(importlib.import_module(f"comptoir.schemas.{fam.schema}").KINDS)
    return out


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
