"""Manufacturing records: bills of materials, work orders and their completions.

A bill of materials (BOM) says what one batch of an item is made of. A work order is the
plan to make a quantity: it copies its BOM's component quantities (scrap included) and
operation cost when it is created, so a later edit of the BOM never changes what an open
order needs. Both are mutable: their history is the git history of their file.

A completion is the posted fact that some of an order was made: the components it consumed
(each with its stock move and frozen value), the finished goods it produced (one stock move
at the rolled-up cost) and the journal entry, written together in one commit and never
edited. An order's progress (planned, in progress, completed) follows from its completions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .types import Amount, Quantity, Record, RecordId

# What a person sets on an order; "in-progress" and "completed" are derived from completions.
OrderStatus = Literal["planned", "released", "cancelled"]


def _unique_items(lines: list, what: str) -> list:
    seen: set[str] = set()
    for line in lines:
        if line.item in seen:
            raise ValueError(f"{line.item} is listed twice among the {what}; give it one line")
        seen.add(line.item)
    return lines


class BomLine(Record):
    item: RecordId
    qty: Quantity = Field(gt=0)  # per `qty` of the BOM's output, before scrap
    scrap_percent: Amount = Field(Decimal(0), ge=0, lt=100)  # extra lost in making: needed = qty x (1 + scrap/100)
    note: str | None = None


class Bom(Record):
    id: RecordId  # BOM-ESP-250, or the item's SKU
    item: RecordId  # what it makes (a finished good or an intermediate)
    qty: Quantity = Field(Decimal(1), gt=0)  # how much one batch of the components yields
    components: list[BomLine] = Field(min_length=1)
    operation_cost: Amount | None = Field(None, ge=0)  # labour and overhead per unit of output
    warehouse: RecordId | None = None  # where it is made: the default for its work orders
    active: bool = True
    description: str | None = None

    @field_validator("components")
    @classmethod
    def _each_item_once(cls, lines: list[BomLine]) -> list[BomLine]:
        return _unique_items(lines, "components")

    @model_validator(mode="after")
    def _not_its_own_component(self) -> Bom:
        if any(line.item == self.item for line in self.components):
            raise ValueError(f"{self.item} cannot be a component of itself ({self.item} -> {self.item})")
        return self


class OrderLine(Record):
    item: RecordId
    qty: Quantity = Field(gt=0)  # needed for the whole order, scrap included


class WorkOrder(Record):
    id: RecordId  # WO-YYYYMMDD-XXXX
    date: dt.date  # when the order was created
    item: RecordId
    bom: RecordId
    qty: Quantity = Field(gt=0)
    warehouse: RecordId  # components are taken from it and the output arrives in it
    start: dt.date | None = None  # when the components are needed
    due: dt.date | None = None  # when the output is expected
    status: OrderStatus = "planned"
    components: list[OrderLine] = Field(min_length=1)
    operation_cost: Amount | None = Field(None, ge=0)  # per unit of output, copied from the BOM
    reference: str | None = None  # what asked for it (a sales order, `mfg plan`)
    notes: str | None = None

    @field_validator("components")
    @classmethod
    def _each_item_once(cls, lines: list[OrderLine]) -> list[OrderLine]:
        return _unique_items(lines, "components")

    @model_validator(mode="after")
    def _dates_in_order(self) -> WorkOrder:
        if self.start is not None and self.due is not None and self.start > self.due:
            raise ValueError(f"start {self.start} is after due {self.due}")
        return self


class Consumed(Record):
    item: RecordId
    qty: Quantity = Field(gt=0)
    value: Amount = Field(ge=0)  # the move's frozen valuation
    move: RecordId


class Completion(Record):
    """Part (or all) of a work order made on one day, with the postings that record it."""

    id: RecordId  # WC-YYYYMMDD-XXXX
    order: RecordId
    date: dt.date
    item: RecordId
    qty: Quantity = Field(gt=0)
    warehouse: RecordId
    move: RecordId  # the production move that brought the output in
    consumed: list[Consumed] = Field(min_length=1)
    operation_cost: Amount = Field(Decimal(0), ge=0)  # absorbed: order's cost per unit x qty
    value: Amount = Field(ge=0)  # components consumed + operation cost: the output's cost
    unit_cost: Amount = Field(ge=0)  # value / qty, carried with the places that make qty x unit_cost = value
    entry: RecordId | None = None  # None only when nothing of value moved

    @model_validator(mode="after")
    def _cost_adds_up(self) -> Completion:
        components = sum((c.value for c in self.consumed), Decimal(0))
        if components + self.operation_cost != self.value:
            raise ValueError(f"value {self.value} is not the components' {components} + operation cost "
                             f"{self.operation_cost}")
        return self

    @property
    def component_cost(self) -> Decimal:
        return sum((c.value for c in self.consumed), Decimal(0))
