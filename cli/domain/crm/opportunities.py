"""Opportunities: stages and probabilities, amounts in the base currency, winning (with the sales
order hook) and losing, and their tables."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from comptoir.errors import fail
from comptoir.schemas.crm import (
    OPEN_STAGES,
    STAGES,
    Opportunity,
)
from comptoir.schemas.types import Record, currency_places, places_of

from ..book import Book
from ..ids import id_prefix, known, new_id
from ..ledger import rate_on, round_to
from .common import default_owner, owner_matches, revise, validated
from .leads import get_lead

# --- opportunities -------------------------------------------------------------------------------

def get_opportunity(book: Book, ident: str) -> Opportunity:
    return known(book.of("opportunity"), ident, "unknown-opportunity", "opportunity",
                 "`comptoir crm opp list` shows the ids")


def probability(book: Book, opp: Opportunity) -> int:
    """The opportunity's own probability, else its stage's default; won is 100 and lost 0 always."""
    if opp.stage == "won":
        return 100
    if opp.stage == "lost":
        return 0
    if opp.probability is not None:
        return opp.probability
    return book.settings.crm.stage_probability(opp.stage)


def line_total(opp: Opportunity) -> Decimal | None:
    priced = [ln for ln in opp.lines if ln.price is not None]
    if not priced:
        return None
    return sum((ln.qty * ln.price for ln in priced), Decimal(0))  # type: ignore[operator]


def amount_of(opp: Opportunity) -> Decimal | None:
    """The amount as stated, else the total of its priced lines (in the opportunity's currency)."""
    if opp.amount is not None:
        return opp.amount
    return line_total(opp)


def base_amount(book: Book, opp: Opportunity, day: dt.date) -> Decimal | None:
    """The amount in the base currency (latest rate on or before `day`); None without amount or rate."""
    amount = amount_of(opp)
    if amount is None:
        return None
    cur = opp.currency or book.base
    if cur == book.base:
        return amount
    rate = rate_on(book, cur, day)
    if rate is None:
        return None
    return round_to(amount * rate, currency_places(book.base))


def weighted(book: Book, opp: Opportunity, day: dt.date) -> Decimal | None:
    amount = base_amount(book, opp, day)
    if amount is None:
        return None
    return round_to(amount * probability(book, opp) / 100, currency_places(book.base))


def money_text(amount: Decimal | None, currency: str) -> str:
    """'13,680.00 EUR': an amount as a person reads it in a message."""
    if amount is None:
        return f"no amount ({currency})"
    return f"{round_to(amount, currency_places(currency)):,} {currency}"


def parse_lines(raw: Iterable[tuple[str, str, str | None]]) -> list[dict]:
    from comptoir.schemas.types import to_decimal

    out = []
    for item, qty, price in raw:
        try:
            out.append({"item": item, "qty": to_decimal(qty),
                        "price": to_decimal(price) if price not in (None, "", "-") else None})
        except ValueError as exc:
            raise fail("invalid-line", f"line {item} {qty} {price}: {exc}",
                       "write --line ITEM QTY PRICE, like --line ETH-GUJI-1KG 20 24.50") from None
    return out


def _check_stage_input(stage: str) -> None:
    if stage not in STAGES:
        raise fail("invalid-stage", f"{stage!r} is not a stage", f"use one of {', '.join(STAGES)}")
    if stage == "won":
        raise fail("use-win", "an opportunity is won with `comptoir crm opp win ID`",
                   "win also records the close date and hands the lines to sales")
    if stage == "lost":
        raise fail("use-lose", "an opportunity is lost with `comptoir crm opp lose ID --reason ...`", "")


def new_opportunity(book: Book, fields: dict, today: dt.date, rng: random.Random) -> Opportunity:
    stage = fields.get("stage") or "qualification"
    _check_stage_input(stage)
    partner = fields.get("partner")
    if partner not in book.of("partner"):
        raise fail("unknown-partner", f"there is no partner {partner}",
                   "`comptoir partner list` shows the ids; `comptoir partner add` creates one")
    if fields.get("lead"):
        get_lead(book, fields["lead"])
    data = {**fields, "stage": stage, "created": fields.get("created") or today,
            "owner": default_owner(book, fields.get("owner")),
            "currency": None if fields.get("currency") in (None, book.base) else fields["currency"],
            "id": new_id(id_prefix(book, "opportunity"), fields.get("created") or today, set(book.of("opportunity")), rng)}
    opp = validated(Opportunity, data, "opportunity")
    _check_places(book, opp)
    return opp


def _check_places(book: Book, opp: Opportunity) -> None:
    cur = opp.currency or book.base
    if opp.amount is not None and places_of(opp.amount) > currency_places(cur):
        raise fail("too-many-places", f"{opp.amount} has more decimal places than {cur} allows",
                   f"round the amount to {currency_places(cur)} places")


@dataclass
class OppChange:
    opportunity: Opportunity
    old_stage: str
    fields: list[str]

    def subject(self) -> str:
        o = self.opportunity
        parts = []
        if o.stage != self.old_stage:
            parts.append(f"Opportunity {o.id} {self.old_stage} -> {o.stage}")
        others = [f for f in self.fields if f not in ("stage", "closed", "lost_reason")]
        if others:
            parts.append(("set " if parts else f"Update opportunity {o.id}: ") + ", ".join(others))
        return "; ".join(parts)


def update_opportunity(book: Book, opp: Opportunity, changes: dict, stage: str | None) -> OppChange:
    updates = dict(changes)
    if stage and stage != opp.stage:
        _check_stage_input(stage)
        if opp.stage == "won":
            raise fail("invalid-transition", f"opportunity {opp.id} is won: that is final",
                       "open a new opportunity for new business")
        updates["stage"] = stage
        if opp.stage == "lost":  # re-opened
            updates.update(closed=None, lost_reason=None)
    elif opp.stage in ("won", "lost") and set(updates) & {"amount", "lines", "probability", "currency"}:
        raise fail("closed-opportunity", f"opportunity {opp.id} is {opp.stage}; its figures are final",
                   "re-open a lost one with --stage, or open a new opportunity")
    if "partner" in updates and updates["partner"] not in book.of("partner"):
        raise fail("unknown-partner", f"there is no partner {updates['partner']}", "`comptoir partner list` shows the ids")
    revised = revise(opp, f"opportunity {opp.id}", **updates)
    _check_places(book, revised)
    changed = [f for f in Opportunity.model_fields if getattr(opp, f) != getattr(revised, f)]
    return OppChange(revised, opp.stage, changed)


@dataclass
class Win:
    opportunity: Opportunity
    records: list[tuple[Any, Record]] = field(default_factory=list)  # (Kind, record) from the sales hook
    order_id: str | None = None
    promise_date: dt.date | None = None
    message: str = ""  # why no order was made, when none was


def win_opportunity(book: Book, opp: Opportunity, day: dt.date, rng: random.Random,
                    amount: Decimal | None = None, make_order: bool = True) -> Win:
    """Mark won (probability 100, close date), and turn the lines into a sales order when sales can."""
    if opp.stage == "won":
        raise fail("already-won", f"opportunity {opp.id} was won on {opp.closed}", "nothing to do")
    if opp.stage == "lost":
        raise fail("invalid-transition", f"opportunity {opp.id} is lost",
                   f"re-open it first: `comptoir crm opp update {opp.id} --stage negotiation`")
    changes: dict = {"stage": "won", "closed": day, "probability": None}
    if amount is not None:
        changes["amount"] = amount
    won = revise(opp, f"opportunity {opp.id}", **changes)
    _check_places(book, won)
    if amount_of(won) is None:
        raise fail("no-amount", f"opportunity {opp.id} has no amount and no priced lines",
                   "give --amount, or add lines with `crm opp update ID --line ITEM QTY PRICE`")
    result = Win(won)
    if not make_order:
        result.message = "no sales order requested (--no-order)"
        return result
    if not won.lines:
        result.message = "no lines, so no sales order was created; add lines before winning to get one"
        return result
    from ..sales import order_from_opportunity  # here: sales imports the CRM

    draft = order_from_opportunity(book, won, day, rng)
    result.order_id = draft.order_id
    result.promise_date = getattr(draft, "promise_date", None)
    result.records = [(kind, record) for kind, record in draft.records if isinstance(record, Record)]
    result.opportunity = revise(won, f"opportunity {opp.id}", sales_order=draft.order_id)
    return result


def lose_opportunity(opp: Opportunity, day: dt.date, reason: str) -> Opportunity:
    if opp.stage == "lost":
        raise fail("already-lost", f"opportunity {opp.id} was lost on {opp.closed} ({opp.lost_reason})", "nothing to do")
    if opp.stage == "won":
        raise fail("invalid-transition", f"opportunity {opp.id} is won: that is final",
                   "a cancelled order is handled in sales")
    if not reason or not reason.strip():
        raise fail("reason-required", "a lost opportunity needs a reason", "add --reason \"price\"")
    return revise(opp, f"opportunity {opp.id}", stage="lost", closed=day, lost_reason=reason, probability=None)


def opportunity_rows(book: Book, today: dt.date, stages: tuple[str, ...] = (), owners: set[str] | None = None,
                     partner: str | None = None, open_only: bool = False,
                     closing_before: dt.date | None = None) -> list[dict[str, Any]]:
    """Opportunities by stage and expected close, with their amount, probability and weighted amount."""
    rows = []
    stage_order = {s: i for i, s in enumerate(STAGES)}
    for o in book.of("opportunity").values():
        o: Opportunity  # type: ignore[no-redef]
        if stages and o.stage not in stages or open_only and o.stage not in OPEN_STAGES:
            continue
        if partner and o.partner != partner or not owner_matches(o.owner, owners):
            continue
        if closing_before and not (o.expected_close and o.expected_close <= closing_before):
            continue
        rows.append(o)
    rows.sort(key=lambda o: (stage_order[o.stage], o.expected_close or dt.date.max, o.id))
    return [{"id": o.id, "title": o.title, "partner": o.partner, "owner": o.owner or "", "stage": o.stage,
             "amount": amount_of(o), "currency": o.currency or book.base, "probability": probability(book, o),
             "weighted": weighted(book, o, today), "expected_close": o.expected_close, "closed": o.closed}
            for o in rows]
