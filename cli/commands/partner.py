"""`comptoir partner`: customers and suppliers."""

from __future__ import annotations

import click

from comptoir.options import as_of, emit, no_commit, output_format


@click.group()
def partner() -> None:
    """Customers and suppliers (partners/): add, update, list, show."""


@partner.command("add")
@click.argument("name")
@click.option("--id", "ident", help="The partner's id (file name). Default: made from the name, like cafe-lumiere.")
@click.option("--role", "roles", multiple=True, type=click.Choice(["customer", "supplier"]),
              help="customer and/or supplier (repeatable). Default: customer.")
@click.option("--email")
@click.option("--phone")
@click.option("--legal-name", help="Registered company name, when it differs.")
@click.option("--vat-id")
@click.option("--website")
@click.option("--currency", help="Currency you trade in with them. Default: the book's.")
@click.option("--payment-terms", "payment_terms_days", type=click.IntRange(min=0), metavar="DAYS")
@click.option("--credit-limit")
@click.option("--lead-time", "lead_time_days", type=click.IntRange(min=0), metavar="DAYS",
              help="Supplier: days from order to receipt.")
@click.option("--street")
@click.option("--postal-code")
@click.option("--city")
@click.option("--country", help="ISO country code, like FR.")
@click.option("--contact", "contacts", multiple=True, metavar="NAME[,EMAIL[,PHONE]]", help="A contact person (repeatable).")
@click.option("--tax", help="Default tax code of their documents (before the item's; a line's own code wins).")
@click.option("--same-name", is_flag=True, help="Add it even though a partner already has this name.")
@click.option("--notes")
@no_commit
@click.pass_obj
def add(env, name, ident, roles, email, phone, legal_name, vat_id, website, currency, payment_terms_days, credit_limit,
        lead_time_days, street, postal_code, city, country, contacts, tax, same_name, notes, no_commit) -> None:
    """Add a partner NAME. Prints its id. A name another partner already has is refused unless
    --same-name (like `crm lead add`, which refuses duplicates)."""
    from comptoir.domain.partners import new_partner_id, validated_partner
    from comptoir.schemas.registry import kind_named

    address = {k: v for k, v in (("street", street), ("postal_code", postal_code), ("city", city),
                                 ("country", country)) if v}
    people = []
    for raw in contacts:
        parts = [p.strip() for p in raw.split(",")]
        people.append({k: v for k, v in zip(("name", "email", "phone"), parts, strict=False) if v})
    with env.writer("partner add", no_commit) as w:
        from comptoir.domain.partners import same_name_as

        twin = None if same_name else same_name_as(w.book, name)
        if twin is not None:
            from comptoir.errors import fail

            raise fail("duplicate-partner", f"partner {twin.id} is already named {twin.name!r}",
                       f"update it (`comptoir partner update {twin.id}`), or add a second one with --same-name",
                       file=w.book.source("partner", twin.id), line=1)
        if tax:
            from comptoir.domain.documents import get_tax

            get_tax(w.book, tax)
        record = validated_partner({
            "id": ident or new_partner_id(w.book, name), "name": name, "roles": list(roles) or ["customer"],
            "email": email, "phone": phone, "legal_name": legal_name, "vat_id": vat_id, "website": website,
            "currency": currency.upper() if currency else None, "payment_terms_days": payment_terms_days,
            "credit_limit": credit_limit, "lead_time_days": lead_time_days,
            "billing_address": address or None, "contacts": people, "notes": notes, "created": env.today,
            "tax": tax})
        w.put(kind_named("partner"), record)
        sha = w.commit(f"Add {' and '.join(record.roles)} {record.id}: {name}", [record.id])
    click.echo(record.id)
    click.echo(f"Added partner {record.id}" + (f" in commit {sha[:10]}." if sha else "."), err=True)


@partner.command("list")
@click.option("--role", type=click.Choice(["customer", "supplier"]), help="Only customers or only suppliers.")
@click.option("--search", help="Only partners whose id, name or email contains this text.")
@output_format
@as_of
@click.pass_obj
def list_(env, role, search, fmt, as_of) -> None:
    """List partners."""
    from comptoir.views.partners import partners_table

    book = env.book(as_of, ("partner",))
    emit(partners_table(book, role, search), fmt, book.revision)


@partner.command("show")
@click.argument("ident", metavar="ID")
@output_format
@as_of
@click.pass_obj
def show(env, ident, fmt, as_of) -> None:
    """Show a partner with its contacts, leads and opportunities."""
    from comptoir.app import docfacts, openitems

    # the leads and opportunities as light records (cli/app/docfacts.py); git works while the models import
    probe = docfacts.probe_for(env, as_of, ("lead", "opportunity"), reads=("partner",))
    from comptoir.domain.partners import CRM_LINK_FACTS, get_partner
    from comptoir.views.partners import partner_table

    book = openitems.documents(env, as_of, ("partner", "lead", "opportunity"), CRM_LINK_FACTS, probe)
    emit(partner_table(book, get_partner(book, ident)), fmt, book.revision)


@partner.command("update")
@click.argument("ident", metavar="ID")
@click.option("--name")
@click.option("--role", "roles", multiple=True, type=click.Choice(["customer", "supplier"]), help="Add a role (repeatable).")
@click.option("--drop-role", "drop_roles", multiple=True, type=click.Choice(["customer", "supplier"]), help="Remove a role.")
@click.option("--email")
@click.option("--phone")
@click.option("--legal-name")
@click.option("--vat-id")
@click.option("--website")
@click.option("--currency", help="Currency you trade in with them.")
@click.option("--payment-terms", "payment_terms_days", type=click.IntRange(min=0), metavar="DAYS",
              help="Days from invoice to due date.")
@click.option("--credit-limit", help="Customer: the most they may owe, open orders included (base currency).")
@click.option("--lead-time", "lead_time_days", type=click.IntRange(min=0), metavar="DAYS",
              help="Supplier: days from order to receipt.")
@click.option("--street")
@click.option("--postal-code")
@click.option("--city")
@click.option("--country")
@click.option("--ship-street", help="Shipping address (when it differs from the billing address).")
@click.option("--ship-postal-code")
@click.option("--ship-city")
@click.option("--ship-country")
@click.option("--contact", "contacts", multiple=True, metavar="NAME[,EMAIL[,PHONE]]", help="Add a contact person.")
@click.option("--notes")
@click.option("--active/--inactive", default=None, help="An inactive partner takes no new documents.")
@click.option("--tax", help="Default tax code of their documents.")
@no_commit
@click.pass_obj
def update(env, ident, name, roles, drop_roles, email, phone, legal_name, vat_id, website, currency,
           payment_terms_days, credit_limit, lead_time_days, street, postal_code, city, country, ship_street,
           ship_postal_code, ship_city, ship_country, contacts, notes, active, tax, no_commit) -> None:
    """Change a partner's details, trading terms, roles, addresses or contacts."""
    from comptoir.domain.partners import get_partner, revise_partner
    from comptoir.schemas.registry import kind_named

    def address(*pairs):
        return {k: v for k, v in pairs if v}

    people = []
    for raw in contacts:
        parts = [p.strip() for p in raw.split(",")]
        people.append({k: v for k, v in zip(("name", "email", "phone"), parts, strict=False) if v})
    with env.writer("partner update", no_commit) as w:
        current = get_partner(w.book, ident)
        record = revise_partner(
            w.book, current,
            {"name": name, "email": email, "phone": phone, "legal_name": legal_name, "vat_id": vat_id,
             "website": website, "currency": currency.upper() if currency else None,
             "payment_terms_days": payment_terms_days, "credit_limit": credit_limit,
             "lead_time_days": lead_time_days, "notes": notes, "active": active, "tax": tax},
            roles, drop_roles, people,
            address(("street", street), ("postal_code", postal_code), ("city", city), ("country", country)),
            address(("street", ship_street), ("postal_code", ship_postal_code), ("city", ship_city),
                    ("country", ship_country)))
        changed = [f for f in type(record).model_fields if getattr(current, f) != getattr(record, f)]
        w.put(kind_named("partner"), record, replace=True)
        sha = w.commit(f"Update partner {ident}: {', '.join(changed)}", [ident])
    click.echo(f"Updated partner {ident} ({', '.join(changed)})" + (f" in commit {sha[:10]}." if sha else "."), err=True)
