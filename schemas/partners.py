"""Business partners: the customers and suppliers the company trades with, and their contacts.

One record per organisation (or private customer) in partners/; a partner can be both a
customer and a supplier. Sales, purchasing and the CRM all point at these ids.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator

from .types import MAX_DAYS, Amount, CurrencyCode, Record, RecordId

PartnerRole = Literal["customer", "supplier"]


class Address(Record):
    street: str | None = None
    street2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None  # ISO 3166 alpha-2 preferred (FR, BE, DE)

    def one_line(self) -> str:
        parts = [self.street, self.street2, " ".join(p for p in (self.postal_code, self.city) if p),
                 self.region, self.country]
        return ", ".join(p for p in parts if p)


class Contact(Record):
    """A person at the partner (buyer, accountant, warehouse)."""

    name: str = Field(min_length=1)
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    notes: str | None = None


class Partner(Record):
    id: RecordId
    name: str = Field(min_length=1)
    roles: list[PartnerRole] = Field(min_length=1)
    # company fields
    legal_name: str | None = None
    vat_id: str | None = None
    registration: str | None = None  # company register number (SIRET, KvK, ...)
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    billing_address: Address | None = None
    shipping_address: Address | None = None
    # trading terms; None means the book's defaults
    currency: CurrencyCode | None = None
    payment_terms_days: int | None = Field(default=None, ge=0, le=MAX_DAYS)
    credit_limit: Amount | None = Field(default=None, ge=0)
    lead_time_days: int | None = Field(default=None, ge=0, le=MAX_DAYS)  # supplier: order to receipt
    tax: RecordId | None = None  # default tax code of their documents, before the item's (an export: VAT0)
    contacts: list[Contact] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    created: dt.date | None = None
    lead: RecordId | None = None  # the CRM lead this customer was converted from
    active: bool = True
    notes: str | None = None

    @field_validator("roles")
    @classmethod
    def _unique_roles(cls, roles: list[str]) -> list[str]:
        if len(set(roles)) != len(roles):
            raise ValueError("a role is listed twice")
        return roles

    def has_role(self, role: str) -> bool:
        return role in self.roles
