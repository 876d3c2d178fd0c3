"""The data root's settings file, comptoir.yaml."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from .partners import Address
from .types import AccountCode, Amount, CurrencyCode, Record


class AccountDefaults(Record):
    """Which account each kind of automatic posting uses."""

    bank: AccountCode = "1010"
    receivable: AccountCode = "1100"
    inventory: AccountCode = "1200"
    input_tax: AccountCode = "1300"
    payable: AccountCode = "2010"
    grni: AccountCode = "2100"
    output_tax: AccountCode = "2200"
    vat_payable: AccountCode = "2250"  # what a VAT settlement leaves due to (or from) the tax authority
    retained_earnings: AccountCode = "3200"
    revenue: AccountCode = "4010"
    fx_gain: AccountCode = "4910"
    cogs: AccountCode = "5010"
    stock_adjustment: AccountCode = "5020"
    price_variance: AccountCode = "5030"
    fx_loss: AccountCode = "6900"
    absorption: AccountCode = "6600"  # production labour and overhead absorbed into stock (credited)


def _default_capture_fields() -> dict[str, str | list[str]]:
    return {
        "name": "name | full_name | first_name + last_name | data.name | data.first_name + data.last_name",
        "company": "company | organisation | organization | data.company",
        "email": "email | data.email",
        "phone": "phone | telephone | tel | data.phone",
        "interest": "interest | product | subject | data.interest",
        "message": "message | comments | comment | data.message",
        "utm_source": "utm_source | data.utm_source",
        "utm_medium": "utm_medium | data.utm_medium",
        "utm_campaign": "utm_campaign | data.utm_campaign",
        "consent": "consent | data.consent",
    }


CAPTURE_TARGETS = ("name", "company", "email", "phone", "interest", "message", "items", "tags",
                   "utm_source", "utm_medium", "utm_campaign", "consent")


class CaptureSettings(Record):
    """How web-form submissions map to lead fields (`comptoir crm capture`).

    A value is a path into the submission (`data.email`, `Name.first`; keys match
    case-insensitively when the exact key is absent); `a | b` takes the first that is
    present; `Name.first + Name.last` (or a YAML list) joins the parts with a space.
    """

    id: str = "id | submission_id | _id | uuid | data.id"  # the submission's own id
    submitted: str = "submitted_at | created_at | timestamp | date | data.submitted_at"
    source: str = Field(default="website", pattern=r"^[a-z0-9][a-z0-9_.-]{0,39}$")
    fields: dict[str, str | list[str]] = Field(default_factory=_default_capture_fields)

    @field_validator("fields")
    @classmethod
    def _known_targets(cls, value: dict) -> dict:
        unknown = sorted(set(value) - set(CAPTURE_TARGETS))
        if unknown:
            raise ValueError(f"unknown lead field {', '.join(unknown)}: map to {', '.join(CAPTURE_TARGETS)}")
        return {**_default_capture_fields(), **value}


Stage = Literal["qualification", "proposal", "negotiation", "won", "lost"]
DEFAULT_PROBABILITY: dict[Stage, int] = {"qualification": 10, "proposal": 30, "negotiation": 60, "won": 100, "lost": 0}


class CrmSettings(Record):
    owner: str | None = None  # default owner of new leads and opportunities
    # The company's default country for phone numbers: a region ("FR") or a calling code ("33");
    # national numbers ("06 12 ..") are read in it and stored in E.164 ("+33612...").
    phone_country: str | None = Field(default=None, pattern=r"^([0-9]{1,3}|[A-Z]{2})$")
    probability: dict[Literal["qualification", "proposal", "negotiation", "won", "lost"],
                      Annotated[int, Field(ge=0, le=100)]] = Field(default_factory=lambda: dict(DEFAULT_PROBABILITY))
    capture: CaptureSettings = CaptureSettings()

    def stage_probability(self, stage: str) -> int:
        return self.probability.get(stage, DEFAULT_PROBABILITY.get(stage, 0))  # type: ignore[call-overload]


class PayrollSettings(Record):
    """Payroll rates (percent of gross pay) and the accounts a payroll run posts to."""

    withholding_percent: Amount = Field(default=Decimal("12"), ge=0, le=100)  # income tax withheld
    employee_contributions_percent: Amount = Field(default=Decimal("22"), ge=0, le=100)  # deducted from gross
    employer_contributions_percent: Amount = Field(default=Decimal("40"), ge=0, le=100)  # on top of gross
    salary_expense: AccountCode = "6010"  # departments without a cost centre
    employer_contributions: AccountCode = "6020"
    net_pay_payable: AccountCode = "2300"
    withholding_payable: AccountCode = "2310"
    contributions_payable: AccountCode = "2320"


IdPrefix = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]{0,7}$")]


def _default_prefixes() -> dict[str, str]:
    from .registry import all_kinds

    return {k.name: k.prefix for k in all_kinds() if k.prefix}
class VatBox(Record):
    """One box of the VAT return: sales or purchases, net or tax, of some tax codes (all when
    unset), in the base currency; or the sum of other boxes (`sum: ["2", "-4"]`)."""

    box: str = Field(min_length=1)
    label: str = Field(min_length=1)
    side: Literal["sales", "purchases"] | None = None
    amount: Literal["net", "tax"] = "net"
    codes: list[str] | None = None
    sum: list[str] | None = None


def _default_boxes() -> list[VatBox]:
    return [VatBox(box="1", label="Sales, net of tax", side="sales", amount="net"),
            VatBox(box="2", label="Output tax on sales", side="sales", amount="tax"),
            VatBox(box="3", label="Purchases, net of tax", side="purchases", amount="net"),
            VatBox(box="4", label="Input tax on purchases", side="purchases", amount="tax"),
            VatBox(box="5", label="Tax due (refund when negative)", sum=["2", "-4"])]


class VatSettings(Record):
    boxes: list[VatBox] = Field(default_factory=_default_boxes)


class CashSettings(Record):
    """The 13-week cash view (`comptoir report cash-forecast`): the minimum balance to keep and
    when scheduled payments fall."""

    minimum: Amount = Decimal(0)  # the week the closing balance dips below this is flagged
    vat_settlement: Literal["none", "monthly", "quarterly"] = "none"  # VAT paid for each period
    vat_payment_day: int = Field(default=20, ge=1, le=28)  # day of the month after the period
    contributions_day: int = Field(default=15, ge=1, le=28)  # withholding and contributions, next month
    costs_day: int = Field(default=1, ge=1, le=28)  # recurring costs from the budget, each month
    budget: str | None = None  # budget version for recurring costs (default: the one covering today)


class Seller(Record):
    """The company as its invoices show it (EN 16931 seller, BG-4): `comptoir sales seller`."""

    legal_name: str | None = None  # when it differs from `company`
    vat_id: str | None = None  # FR12345678901
    registration: str | None = None  # company register number (SIREN, KvK, ...)
    address: Address | None = None
    email: str | None = None
    iban: str | None = None  # the account customers pay to (SEPA credit transfer)
    bic: str | None = None


class Settings(Record):
    company: str = Field(min_length=1)
    currency: CurrencyCode
    fiscal_year_start: str = "01-01"
    lock_date: dt.date | None = None
    # The book's time zone (IANA name, e.g. Europe/Paris): a web form's submission time is
    # converted to it to date the lead. None: UTC.
    timezone: str | None = None
    accounts: AccountDefaults = AccountDefaults()
    crm: CrmSettings = CrmSettings()
    payroll: PayrollSettings = PayrollSettings()
    vat_return: VatSettings = VatSettings()
    # dates further ahead than this many days are refused unless asked for (a typo like 2062)
    date_horizon_days: int = Field(default=366, ge=0)
    # record kind -> prefix of the ids comptoir makes for it (journal: JE, sales-order: SO, ...);
    # a kind left out keeps its own (schemas: Kind.prefix)
    ids: dict[str, IdPrefix] = Field(default_factory=_default_prefixes)
    cash: CashSettings = CashSettings()
    seller: Seller | None = None  # address, VAT number and bank account on the documents

    @field_validator("ids")
    @classmethod
    def _known_kinds(cls, value: dict[str, str]) -> dict[str, str]:
        own = _default_prefixes()
        unknown = sorted(set(value) - set(own))
        if unknown:
            raise ValueError(f"ids: {', '.join(unknown)} makes no ids; the kinds that do: {', '.join(sorted(own))}")
        prefixes = {**own, **value}
        taken: dict[str, str] = {}
        for kind, prefix in sorted(prefixes.items()):
            if prefix in taken:
                raise ValueError(f"ids: {kind} and {taken[prefix]} both use the prefix {prefix}; give each its own")
            taken[prefix] = kind
        return prefixes

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            from zoneinfo import ZoneInfo

            try:
                ZoneInfo(value)
            except (ValueError, KeyError, OSError):
                raise ValueError(f"{value!r} is not an IANA time zone (like Europe/Paris)") from None
        return value

    @field_validator("fiscal_year_start")
    @classmethod
    def _month_day(cls, value: str) -> str:
        try:
            dt.date.fromisoformat(f"2000-{value}")
        except ValueError as exc:
            raise ValueError("fiscal_year_start is MM-DD, for example 01-01 or 07-01") from exc
        return value

    def fiscal_year_of(self, day: dt.date) -> int:
        """The calendar year in which the fiscal year containing `day` starts."""
        month, dom = (int(p) for p in self.fiscal_year_start.split("-"))
        return day.year if (day.month, day.day) >= (month, dom) else day.year - 1

    def fiscal_year_bounds(self, year: int) -> tuple[dt.date, dt.date]:
        month, dom = (int(p) for p in self.fiscal_year_start.split("-"))
        start = dt.date(year, month, dom)
        end = dt.date(year + 1, month, dom) - dt.timedelta(days=1)
        return start, end
