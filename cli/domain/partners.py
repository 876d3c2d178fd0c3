"""Partners (customers and suppliers): readable ids, finding a partner by name, email or phone, lists."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.partners import Partner

from .inputs import validated


def slug(name: str) -> str:
    """'Café Lumière & Fils' -> 'cafe-lumiere-fils': the readable id of a partner."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60].strip("-")


def normal_name(name: str | None) -> str:
    """A company name reduced for comparison: accents, case, punctuation and spacing ignored."""
    return slug(name or "").replace("-", "")


def same_name_as(book: Book, name: str):
    """The partner already named `name` (case and spaces aside), if any."""
    key = " ".join(name.split()).casefold()
    return next((p for p in sorted(book.of("partner").values(), key=lambda p: p.id)
                 if " ".join(p.name.split()).casefold() == key), None)


def new_partner_id(book: Book, name: str, taken: set[str] | None = None) -> str:
    """The name's slug, with -2, -3 ... when another partner already has it."""
    base = slug(name) or "partner"
    used = set(book.of("partner")) | (taken or set())
    if base not in used:
        return base
    n = 2
    while f"{base}-{n}" in used:
        n += 1
    return f"{base}-{n}"


def validated_partner(data: dict) -> Partner:
    return validated(Partner, data, "partner", "see `comptoir partner add --help`")


def get_partner(book: Book, ident: str) -> Partner:
    partner = book.of("partner").get(ident)
    if partner is None:
        raise fail("unknown-partner", f"there is no partner {ident}", "`comptoir partner list` shows the ids")
    return partner


def partner_rows(book: Book, role: str | None = None, search: str | None = None) -> list[dict[str, Any]]:
    """Partners by id, with a role, or matching `search` in id, name, legal name or email."""
    rows = []
    needle = (search or "").lower()
    for ident in sorted(book.of("partner")):
        p: Partner = book.of("partner")[ident]
        if role and role not in p.roles:
            continue
        if needle and not any(needle in (v or "").lower() for v in (p.id, p.name, p.legal_name, p.email)):
            continue
        city = (p.billing_address or p.shipping_address)
        rows.append({"id": p.id, "name": p.name, "roles": ", ".join(p.roles), "email": p.email or "",
                     "phone": p.phone or "", "city": city.city if city and city.city else "",
                     "currency": p.currency or book.base, "active": p.active})
    return rows


# What crm_links reads of the leads and opportunities: a served `partner show` gets them as light
# records of these fields (comptoir.app.docfacts), not 20,000 validated leads.
CRM_LINK_FACTS = {"lead": ("id", "partner"), "opportunity": ("id", "partner")}


def crm_links(book: Book, partner: Partner) -> tuple[list[str], list[str]]:
    """The ids of the leads and of the opportunities that name the partner."""
    leads = sorted(i for i, lead in book.of("lead").items() if lead.partner == partner.id)
    opps = sorted(i for i, o in book.of("opportunity").items() if o.partner == partner.id)
    return leads, opps


def address_text(value: dict[str, Any]) -> str:
    """An address on one line."""
    parts = [value.get("street"), value.get("street2"),
             " ".join(p for p in (value.get("postal_code"), value.get("city")) if p),
             value.get("region"), value.get("country")]
    return ", ".join(p for p in parts if p)


def revise_partner(book: Book, partner: Partner, changes: dict, add_roles: tuple[str, ...] = (),
                   drop_roles: tuple[str, ...] = (), add_contacts: list[dict] | None = None,
                   billing: dict | None = None, shipping: dict | None = None) -> Partner:
    """The partner with `changes` applied (None values are left alone); roles and contacts are
    added or removed, address fields merged into the existing address."""
    data = partner.model_dump(mode="python", exclude_none=True)
    data.update({k: v for k, v in changes.items() if v is not None})
    roles = [r for r in data["roles"] if r not in drop_roles]
    roles += [r for r in add_roles if r not in roles]
    data["roles"] = roles
    if add_contacts:
        data["contacts"] = [*data.get("contacts", []), *add_contacts]
    for key, given in (("billing_address", billing), ("shipping_address", shipping)):
        if given:
            data[key] = {**data.get(key, {}), **given}
    if not roles:
        raise fail("no-role", f"partner {partner.id} would have no role left", "keep customer or supplier")
    revised = validated_partner(data)
    if revised == partner:
        raise fail("nothing-to-change", f"partner {partner.id} already has these values", "nothing was written")
    return revised
