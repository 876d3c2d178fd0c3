"""CRM records: leads, activities (calls, emails, meetings, notes, tasks) and opportunities.

These are mutable: a lead's status or an opportunity's stage is edited in place, and the
record's git history is its audit trail. Which status moves are allowed is a business
rule (cli/domain/crm/); here is only what a stored record may hold.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from .types import Amount, CurrencyCode, Quantity, Record, RecordId

LeadStatus = Literal["new", "contacted", "qualified", "converted", "lost", "disqualified"]
LEAD_STATUSES: tuple[str, ...] = ("new", "contacted", "qualified", "converted", "lost", "disqualified")

Stage = Literal["qualification", "proposal", "negotiation", "won", "lost"]
STAGES: tuple[str, ...] = ("qualification", "proposal", "negotiation", "won", "lost")
OPEN_STAGES: tuple[str, ...] = ("qualification", "proposal", "negotiation")

ActivityType = Literal["call", "email", "meeting", "note", "task"]
ACTIVITY_TYPES: tuple[str, ...] = ("call", "email", "meeting", "note", "task")

# A lead source is a short lowercase word: website, referral, trade-fair-2026.
SOURCE_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,39}$"


class Consent(Record):
    """A form's consent field as the person gave it: what they agreed to, when, on which form."""

    text: str = Field(min_length=1)  # the wording or the field's label, e.g. "I agree to receive news"
    given: dt.date  # the day it was given, in the book's time zone
    submitted: str | None = None  # the form service's timestamp, as it sent it
    form: str | None = None  # the form (and service) it came from
    submission: str | None = None  # the submission's own id


class Lead(Record):
    id: RecordId
    created: dt.date | None = None  # absent in a hand-written file: the file's first commit date is used
    name: str = Field(min_length=1)  # the person
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    source: str = Field(pattern=SOURCE_PATTERN)  # website, referral, event, import, ...
    owner: str | None = None
    status: LeadStatus
    lost_reason: str | None = None
    score: int | None = Field(default=None, ge=0, le=100)
    interest: str | None = None  # free text: what they asked about
    items: list[RecordId] = Field(default_factory=list)  # catalogue items they are interested in
    tags: list[str] = Field(default_factory=list)
    follow_up: dt.date | None = None  # next follow-up date
    converted: dt.date | None = None
    partner: RecordId | None = None  # customer it was converted to (or already is)
    opportunity: RecordId | None = None
    notes: str | None = None
    campaign: RecordId | None = None  # the marketing campaign it is attributed to
    utm_source: str | None = None  # the UTM fields the form carried (hidden fields)
    utm_medium: str | None = None
    utm_campaign: str | None = None
    consent: Consent | None = None  # what the person agreed to, when, on which form
    forgotten: dt.date | None = None  # personal data removed on request (`crm lead forget`)


class Activity(Record):
    id: RecordId
    date: dt.date  # when it happened or was logged; tasks also have `due`
    type: ActivityType
    subject: str = Field(min_length=1)
    lead: RecordId | None = None
    opportunity: RecordId | None = None
    partner: RecordId | None = None
    owner: str | None = None
    due: dt.date | None = None
    done: bool = False  # tasks and planned calls/meetings; a logged call or note is simply a record
    done_on: dt.date | None = None
    notes: str | None = None
    channel: str | None = None  # website, phone, ... where it came in
    submission: str | None = None  # a captured web form's own id (or content hash): capture skips it next time
    submitted: str | None = None  # the form service's timestamp, as it sent it

    @model_validator(mode="after")
    def _linked(self) -> Activity:
        if not (self.lead or self.opportunity or self.partner):
            raise ValueError("an activity is linked to a lead, an opportunity or a partner; set one of them")
        if self.done_on is not None and not self.done:
            raise ValueError("done_on is set but done is false")
        return self

    @property
    def is_open(self) -> bool:
        """Something still to do: a task, or anything with a due date, not done yet."""
        return not self.done and (self.type == "task" or self.due is not None)


class OpportunityLine(Record):
    item: RecordId
    qty: Quantity = Field(gt=0)
    price: Amount | None = Field(default=None, ge=0)  # unit price in the opportunity's currency
    description: str | None = None


class Opportunity(Record):
    id: RecordId
    created: dt.date | None = None
    title: str = Field(min_length=1)
    partner: RecordId
    lead: RecordId | None = None
    owner: str | None = None
    stage: Stage
    amount: Amount | None = Field(default=None, ge=0)
    currency: CurrencyCode | None = None  # None: the book's base currency
    probability: int | None = Field(default=None, ge=0, le=100)  # None: the stage's default from comptoir.yaml
    expected_close: dt.date | None = None
    lines: list[OpportunityLine] = Field(default_factory=list)
    closed: dt.date | None = None  # the day it was won or lost
    lost_reason: str | None = None
    sales_order: RecordId | None = None
    tags: list[str] = Field(default_factory=list)
    notes: str | None = None


class Campaign(Record):
    """A marketing campaign: what it cost and which UTM fields its links carry. Leads are
    attributed to it by those fields (or explicitly); `report campaigns` rolls up the return."""

    id: RecordId
    name: str = Field(min_length=1)
    channel: str = Field(pattern=SOURCE_PATTERN)  # email, social, search, print, event ...
    start: dt.date
    end: dt.date | None = None
    cost: Amount = Field(default=Decimal("0"), ge=0)  # in the book's base currency
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _dates(self) -> Campaign:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self
