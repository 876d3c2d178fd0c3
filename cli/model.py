"""The plain-data Book: typed records by kind, with their source files and indexes.

Storage (comptoir.book) builds it, the domain reads it; neither needs the other to use it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, overload

from comptoir.schemas.registry import Kind, kind_named
from comptoir.schemas.settings import Settings
from comptoir.schemas.types import Record

if TYPE_CHECKING:  # the record models, for Book.of's types only (the domain imports them as it needs)
    from comptoir.schemas.accounting import Account, JournalEntry
    from comptoir.schemas.crm import Activity, Lead, Opportunity
    from comptoir.schemas.hr import Department, Employee, PayrollRun
    from comptoir.schemas.inventory import Item, StockMove, Warehouse
    from comptoir.schemas.manufacturing import Bom, Completion, WorkOrder
    from comptoir.schemas.partners import Partner
    from comptoir.schemas.payments import Payment
    from comptoir.schemas.purchasing import Bill, PurchaseOrder, Receipt
    from comptoir.schemas.rates import ExchangeRate
    from comptoir.schemas.sales import CreditNote, Delivery, Invoice, SalesOrder
    from comptoir.schemas.tax import TaxCode


@dataclass(slots=True)  # one per record: a large book has a hundred thousand
class Source:
    path: str  # relative to the repository top (what editors and CI annotations want)
    text: str | None = None  # loaded lazily, only to find line numbers for problems


@dataclass
class Book:
    settings: Settings
    records: dict[str, dict[str, Record]] = field(default_factory=dict)
    sources: dict[tuple[str, str], Source] = field(default_factory=dict)
    settings_path: str = "comptoir.yaml"
    revision: str | None = None  # commit the book was read from; None = working tree
    root_prefix: str = ""  # data root relative to the repository top ("" or "ledger-data/")
    load_problems: list = field(default_factory=list)  # files that could not be read as records
    today: dt.date | None = None
    text_reader: Callable[[str], str | None] | None = None  # display path -> file text
    derived: dict = field(default_factory=dict)  # indexes computed from the records, per load
    # The commit that set the lock date and the files it held (read from git only when a rule asks).
    lock_revision: Callable[[], object] | None = None
    # Set when only some kinds were loaded (a fast read-only list): asking for another kind is a
    # bug in the command, so it fails loudly instead of looking like an empty book.
    loaded_kinds: frozenset[str] | None = None
    # Derived facts the application serves from the store (comptoir.app.write: the stock valuation
    # state, the stock levels) for a book read at a committed tree: name -> how to compute it.
    # Not carried into `with_records` (those facts describe this book, not the one after a write),
    # but for CARRIED_PROVIDERS, which are given the records they serve.
    providers: dict[str, Callable[[], Any]] = field(default_factory=dict)

    # Book.of("item") is a dict[str, Item] to a type checker; a kind not listed (a family added
    # since) gives records of type Any. tests/test_types.py keeps this list in step with the kinds.
    @overload
    def of(self, kind: Literal["account"]) -> dict[str, Account]: ...
    @overload
    def of(self, kind: Literal["journal"]) -> dict[str, JournalEntry]: ...
    @overload
    def of(self, kind: Literal["rate"]) -> dict[str, ExchangeRate]: ...
    @overload
    def of(self, kind: Literal["item"]) -> dict[str, Item]: ...
    @overload
    def of(self, kind: Literal["warehouse"]) -> dict[str, Warehouse]: ...
    @overload
    def of(self, kind: Literal["stock-move"]) -> dict[str, StockMove]: ...
    @overload
    def of(self, kind: Literal["partner"]) -> dict[str, Partner]: ...
    @overload
    def of(self, kind: Literal["lead"]) -> dict[str, Lead]: ...
    @overload
    def of(self, kind: Literal["activity"]) -> dict[str, Activity]: ...
    @overload
    def of(self, kind: Literal["opportunity"]) -> dict[str, Opportunity]: ...
    @overload
    def of(self, kind: Literal["department"]) -> dict[str, Department]: ...
    @overload
    def of(self, kind: Literal["employee"]) -> dict[str, Employee]: ...
    @overload
    def of(self, kind: Literal["payroll"]) -> dict[str, PayrollRun]: ...
    @overload
    def of(self, kind: Literal["bom"]) -> dict[str, Bom]: ...
    @overload
    def of(self, kind: Literal["work-order"]) -> dict[str, WorkOrder]: ...
    @overload
    def of(self, kind: Literal["completion"]) -> dict[str, Completion]: ...
    @overload
    def of(self, kind: Literal["tax-code"]) -> dict[str, TaxCode]: ...
    @overload
    def of(self, kind: Literal["sales-order"]) -> dict[str, SalesOrder]: ...
    @overload
    def of(self, kind: Literal["delivery"]) -> dict[str, Delivery]: ...
    @overload
    def of(self, kind: Literal["invoice"]) -> dict[str, Invoice]: ...
    @overload
    def of(self, kind: Literal["credit-note"]) -> dict[str, CreditNote]: ...
    @overload
    def of(self, kind: Literal["purchase-order"]) -> dict[str, PurchaseOrder]: ...
    @overload
    def of(self, kind: Literal["receipt"]) -> dict[str, Receipt]: ...
    @overload
    def of(self, kind: Literal["bill"]) -> dict[str, Bill]: ...
    @overload
    def of(self, kind: Literal["payment"]) -> dict[str, Payment]: ...
    @overload
    def of(self, kind: str) -> dict[str, Any]: ...

    def of(self, kind: str) -> dict[str, Any]:
        if self.loaded_kinds is not None and kind not in self.loaded_kinds:
            raise RuntimeError(f"{kind} records were not loaded; add {kind!r} to the command's kinds")
        return self.records.setdefault(kind, {})

    def fact(self, name: str) -> Any:
        """A derived fact a provider serves (computed once per book), or None when there is none:
        the caller then derives it from the records."""
        if name not in self.derived:
            provider = self.providers.get(name)
            self.derived[name] = provider() if provider is not None else None
        return self.derived[name]

    @property
    def base(self) -> str:
        return self.settings.currency

    @property
    def accounts(self) -> dict[str, Account]:
        return self.of("account")

    @property
    def entries(self) -> dict[str, JournalEntry]:
        return self.of("journal")

    def source(self, kind: str, ident: str) -> str:
        src = self.sources.get((kind, ident))
        return src.path if src else ""

    def with_records(self, added: list[tuple[Kind, Record]], settings: Settings | None = None) -> Book:
        """A copy with records added or replaced (the book a write would produce)."""
        # copy(), not dict(): a book read on demand (comptoir.book.ondemand) keeps its unread records on disk
        records = {k: v.copy() if hasattr(v, "copy") else dict(v) for k, v in self.records.items()}
        sources = self.sources.copy()
        for kind, record in added:
            ident = getattr(record, kind.id_field)
            records.setdefault(kind.name, {})[ident] = record
            sources[(kind.name, ident)] = Source(self.root_prefix + kind.path_for(record))
        after = Book(settings or self.settings, records, sources, self.settings_path,
                     self.revision, self.root_prefix, list(self.load_problems), self.today, self.text_reader)
        after.lock_revision = self.lock_revision
        # a provider given the records it serves (the write's over HEAD's) serves this book too
        after.providers = {name: p for name, p in self.providers.items() if name in CARRIED_PROVIDERS}
        return after


# Providers whose facts take the book's own records (comptoir.app.facts, "documents.light"): they
# serve a book with records added (with_records) as well as the book they were given to.
CARRIED_PROVIDERS = frozenset({"documents.light", "sales.open-orders"})


def kind(name: str) -> Kind:
    return kind_named(name)


@dataclass(frozen=True)
class LockRevision:
    """The commit that set the lock date, and every file path (from the repository top) it held
    (`path in paths`: a container that may ask git for each path, comptoir.book.lockinfo)."""

    lock_date: dt.date | None
    commit: str
    paths: Container[str]
