"""Field types shared by every record family: exact decimals, safe ids, currency codes."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

# The documented limits (README, "Guarantees"): every record and every input obeys them.
MAX_INTEGER_DIGITS = 15  # digits before the point of an amount, quantity or rate: up to 999 trillion
MAX_PLACES = 10  # digits after the point (exchange rates and unit costs need more than money's two)
MAX_TEXT = 10_000  # characters in any text field (a memo, a name, a lead's message)
MAX_DAYS = 36_500  # a lead time or payment term in days: a hundred years
MAX_LIST_ITEMS = 100_000  # items in one list of a record file (postings, lines, components)
MAX_BATCH = 10_000  # entries or leads in one `journal post --file` or `crm capture --file` batch
MAX_BATCH_BYTES = 16 * 1024 * 1024  # size of one batch file (16 MiB)

# ASCII digits only: Python's Decimal (and \d) also read Arabic-Indic and full-width digits.
_DECIMAL_TEXT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


def _bounded(value: Decimal) -> Decimal:
    sign, digits, exponent = value.as_tuple()
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    whole = len(digits) - places if len(digits) > places else 0
    if value and whole > MAX_INTEGER_DIGITS:
        raise ValueError(f"the number has {whole} digits before the point; at most {MAX_INTEGER_DIGITS} "
                         "are allowed")
    if places > MAX_PLACES:
        raise ValueError(f"the number has {places} digits after the point; at most {MAX_PLACES} are allowed")
    return value


ASCII_SPACE = " \t\n\r\x0b\x0c"


def to_decimal(value: object) -> Decimal:
    """Build an exact Decimal from YAML/JSON text; floats, exponents, NaN and infinity are refused,
    so are digits other than ASCII 0-9 and numbers beyond the limits above."""
    if isinstance(value, bool):
        raise ValueError("expected a decimal number, got a boolean")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("NaN and infinity are not amounts")
        if value.as_tuple().exponent > 0:  # type: ignore[operator]
            raise ValueError("write the number in plain digits, without an exponent")
        return _bounded(value)
    if isinstance(value, int):
        if abs(value) >= 10 ** MAX_INTEGER_DIGITS:
            raise ValueError(f"the number has more than {MAX_INTEGER_DIGITS} digits before the point")
        return Decimal(value)
    if isinstance(value, float):
        raise ValueError("binary floats are not exact; write the number as text, like 12.50")
    if isinstance(value, str):
        text = value.strip(ASCII_SPACE)  # a no-break space or another Unicode space is no padding
        if not _DECIMAL_TEXT.fullmatch(text):
            raise ValueError(decimal_text_problem(value))
        try:
            return _bounded(Decimal(text))
        except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
            raise ValueError(f"{value!r} is not a decimal number") from exc
    raise ValueError(f"expected a decimal number, got {type(value).__name__}")


def decimal_text_problem(value: str) -> str:
    """Why `value` is not a plain decimal number, in words (for input and record errors)."""
    text = value.strip()
    shown = repr(value) if len(value) <= 40 else repr(value[:40] + "...")
    if text != value.strip(ASCII_SPACE):
        return f"{shown} has a space around it that is not a plain space (a no-break space?); remove it"
    if any(ch.isdigit() and not "0" <= ch <= "9" for ch in text):
        return f"{shown} uses digits other than 0-9; write the number with ASCII digits, like 12.50"
    if re.fullmatch(r"[+-]?[0-9]+,[0-9]+", text):
        return f"{shown} uses ',' as the decimal separator; the decimal separator is '.', like {text.replace(',', '.')}"
    if re.fullmatch(r"[+-]?[0-9]{1,3}([, '_][0-9]{3})+(\.[0-9]*)?", text):
        plain = re.sub(r"[, '_]", "", text)
        return f"{shown} groups thousands; write the digits without separators, like {plain}"
    if re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+", text):
        return f"{shown} has an exponent; write the number in plain digits"
    if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        return f"{shown} is not a number; NaN and infinity are not amounts"
    return (f"{shown} is not a plain decimal number "
            "(digits 0-9 with an optional sign and point; no exponents, NaN or infinity)")


# Our own JSON Schema for decimals: what the reader accepts, and the same whatever pydantic
# version exports it (pydantic's own Decimal schema changed between 2.13 and 2.14).
_DECIMAL_SCHEMA = WithJsonSchema({"anyOf": [{"type": "number"},
                                            {"type": "string", "pattern": r"^[+-]?(\d+(\.\d*)?|\.\d+)$"}]})
Amount = Annotated[Decimal, BeforeValidator(to_decimal), _DECIMAL_SCHEMA]
Quantity = Annotated[Decimal, BeforeValidator(to_decimal), _DECIMAL_SCHEMA]
Days = Annotated[int, Field(ge=0, le=MAX_DAYS)]

# Ids become file names: they must never contain a path separator or start with a dot.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"


def _check_id(value: str) -> str:
    if not is_safe_id(value):
        raise ValueError(f"{value!r} is not a usable id: use letters, digits, '.', '_' and '-' "
                         "(at most 80), starting with a letter or digit, without '/' or '..'")
    return value


RecordId = Annotated[str, AfterValidator(_check_id)]
ACCOUNT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,39}$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
AccountCode = Annotated[str, StringConstraints(pattern=ACCOUNT_PATTERN)]


class _Iso4217:
    """The ISO 4217 check (a named callable: generated docs show the type the same every run)."""

    def __call__(self, value: str) -> str:
        if value not in ISO_4217:
            raise ValueError(f"{value!r} is not an ISO 4217 currency code (EUR, USD, GBP, CHF, JPY, ...)")
        return value

    def __repr__(self) -> str:
        return "ISO 4217"


CurrencyCode = Annotated[str, StringConstraints(pattern=CURRENCY_PATTERN), AfterValidator(_Iso4217())]

# What a pattern means, for error messages (pydantic would quote the regular expression).
PATTERN_WORDS = {
    ACCOUNT_PATTERN: "an account code is letters, digits, '.', '_', ':' or '-' (at most 40), "
                     "starting with a letter or digit, like 6100",
    CURRENCY_PATTERN: "a currency is a three-letter ISO code in capitals, like EUR or USD",
    r"^[a-z0-9][a-z0-9_.-]{0,39}$": "use lower-case letters, digits, '.', '_' and '-' (at most 40), like website",
    r"^[0-9]{1,3}$": "a country calling code is one to three digits, like 33",
    r"^\d{4}-(0[1-9]|1[0-2])$": "a period is a month written YYYY-MM, like 2026-11",
    r"^(?P<series>[A-Z]*)(?P<year>\d{4})-(?P<seq>\d{4,})$": "an invoice number is an optional series in "
    "capitals, the year, '-' and at least four digits, like 2026-0007 or CN2026-0001",
}

_ID_RE = re.compile(ID_PATTERN)


def is_safe_id(value: str) -> bool:
    return bool(_ID_RE.match(value)) and ".." not in value


# ISO 4217 (list one, 2024): every active code; a static table, like the minor units below.
ISO_4217 = frozenset("""
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
    BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
    EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR
    MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB
    RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD
    TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XDR
    XOF XPD XPF XPT XSU XTS XUA YER ZAR ZMW ZWG ZWL
""".split())

# ISO 4217 minor units where they differ from 2 (the funds and metals have none: 0).
_CURRENCY_PLACES = {
    "BHD": 3, "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "IQD": 3, "ISK": 0, "JOD": 3,
    "JPY": 0, "KMF": 0, "KRW": 0, "KWD": 3, "LYD": 3, "OMR": 3, "PYG": 0, "RWF": 0,
    "TND": 3, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "CLF": 4, "UYW": 4, "XAG": 0, "XAU": 0, "XBA": 0, "XBB": 0, "XBC": 0, "XBD": 0, "XDR": 0,
    "XPD": 0, "XPT": 0, "XSU": 0, "XTS": 0, "XUA": 0,
}


def currency_places(code: str) -> int:
    return _CURRENCY_PLACES.get(code, 2)


def places_of(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


class Record(BaseModel):
    """Base of every stored record: unknown fields are errors, so a typo never goes unseen."""

    # defer_build: a model's validator is built on first use, so a command pays only for the
    # record kinds it reads (a trial balance never builds the CRM or payroll models).
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True,
                              str_max_length=MAX_TEXT)
