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
    StringConstraints,
    WithJsonSchema,
)

_DECIMAL_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def to_decimal(value: object) -> Decimal:
    """Build an exact Decimal from YAML/JSON text; floats, exponents, NaN and infinity are refused."""
    if isinstance(value, bool):
        raise ValueError("expected a decimal number, got a boolean")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("NaN and infinity are not amounts")
        if value.as_tuple().exponent > 0:  # type: ignore[operator]
            raise ValueError("write the number in plain digits, without an exponent")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        raise ValueError("binary floats are not exact; write the number as text, like 12.50")
    if isinstance(value, str):
        text = value.strip()
        if not _DECIMAL_TEXT.fullmatch(text):
            raise ValueError(
                f"{value!r} is not a plain decimal number "
                "(digits with an optional sign and point; no exponents, NaN or infinity)"
            )
        try:
            return Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
            raise ValueError(f"{value!r} is not a decimal number") from exc
    raise ValueError(f"expected a decimal number, got {type(value).__name__}")


# Our own JSON Schema for decimals: what the reader accepts, and the same whatever pydantic
# version exports it (pydantic's own Decimal schema changed between 2.13 and 2.14).
_DECIMAL_SCHEMA = WithJsonSchema({"anyOf": [{"type": "number"},
                                            {"type": "string", "pattern": r"^[+-]?(\d+(\.\d*)?|\.\d+)$"}]})
Amount = Annotated[Decimal, BeforeValidator(to_decimal), _DECIMAL_SCHEMA]
Quantity = Annotated[Decimal, BeforeValidator(to_decimal), _DECIMAL_SCHEMA]

# Ids become file names: they must never contain a path separator or start with a dot.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"


def _check_id(value: str) -> str:
    if not is_safe_id(value):
        raise ValueError(f"{value!r} is not a usable id: use letters, digits, '.', '_' and '-' "
                         "(at most 80), starting with a letter or digit, without '/' or '..'")
    return value


RecordId = Annotated[str, AfterValidator(_check_id)]
AccountCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,39}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]

_ID_RE = re.compile(ID_PATTERN)


def is_safe_id(value: str) -> bool:
    return bool(_ID_RE.match(value)) and ".." not in value


# ISO 4217 minor units where they differ from 2.
_CURRENCY_PLACES = {
    "BHD": 3, "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "IQD": 3, "ISK": 0, "JOD": 3,
    "JPY": 0, "KMF": 0, "KRW": 0, "KWD": 3, "LYD": 3, "OMR": 3, "PYG": 0, "RWF": 0,
    "TND": 3, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
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
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)
