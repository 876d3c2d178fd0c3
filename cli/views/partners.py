"""Partner tables: the list, and one partner as field / value rows."""

from __future__ import annotations

from comptoir.domain.book import Book
from comptoir.domain.partners import address_text, crm_links, partner_rows
from comptoir.domain.table import Column, Table, text
from comptoir.schemas.partners import Partner


def partners_table(book: Book, role: str | None = None, search: str | None = None) -> Table:
    cols = [text("id", "Id"), text("name", "Name"), text("roles", "Roles"), text("email", "Email"),
            text("phone", "Phone"), text("city", "City"), text("currency", "Cur"), Column("active", "Active", "bool")]
    return Table("partners", cols, partner_rows(book, role, search), title="Partners")


def partner_table(book: Book, partner: Partner) -> Table:
    """One partner as field / value rows, with its contacts and CRM links in the notes."""
    data = partner.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    rows = []
    for key, value in data.items():
        if key == "contacts":
            continue
        if isinstance(value, dict):
            value = address_text(value)
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        rows.append({"field": key, "value": str(value)})
    notes = [f"contact: {c.name}" + "".join(f", {v}" for v in (c.role, c.email, c.phone) if v)
             for c in partner.contacts]
    leads, opps = crm_links(book, partner)
    if leads:
        notes.append(f"leads: {', '.join(leads)}")
    if opps:
        notes.append(f"opportunities: {', '.join(opps)}")
    table = Table("partner", [text("field", "Field"), text("value", "Value")], rows,
                  title=f"Partner {partner.id}: {partner.name}", notes=notes)
    table.meta.update({"partner": data, "leads": leads, "opportunities": opps})
    return table
