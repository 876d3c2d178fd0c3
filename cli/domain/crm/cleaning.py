"""Contact data as it should be stored and compared: names without control characters, emails
checked and normalised (email-validator, no network), phone numbers in E.164 (phonenumbers,
with the company's default country), and form timestamps turned into the book's day.

Each cleaner returns (clean value, problem): a problem is a sentence for the row's error, and
the value is None when there is nothing usable.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from zoneinfo import ZoneInfo

_SPACES = re.compile(r"\s+")


def clean_text(value: str | None) -> str | None:
    """Unicode NFC, control and format characters (escapes, bidi overrides, zero-width) removed,
    runs of white space made one space. Letters of every script are kept as they are."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value))
    text = "".join(" " if ch in "\t\n\r\x0b\x0c" else ch for ch in text
                   if ch in "\t\n\r\x0b\x0c" or unicodedata.category(ch) not in ("Cc", "Cf"))
    text = _SPACES.sub(" ", text).strip()
    return text or None


def clean_multiline(value: str | None) -> str | None:
    """Like clean_text, but a message keeps its line breaks."""
    if value is None:
        return None
    lines = [clean_text(line) or "" for line in str(value).replace("\r\n", "\n").split("\n")]
    text = "\n".join(lines).strip("\n")
    return text or None


def clean_email(value: str | None) -> tuple[str | None, str | None]:
    """The address checked for syntax (no DNS lookup) and normalised: Unicode NFC, the whole
    address lower-cased (comptoir compares emails case-insensitively, as Odoo does)."""
    raw = clean_text(value)
    if raw is None:
        return None, None
    from email_validator import EmailNotValidError, validate_email

    try:
        checked = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as exc:
        return None, f"email {raw!r} is not an address: {exc}"
    return checked.normalized.lower(), None


@lru_cache(maxsize=64)
def region_of(setting: str | None) -> str | None:
    """The phonenumbers region for crm.phone_country: "FR" as given, or "33" -> "FR"."""
    if not setting:
        return None
    if setting.isalpha():
        return setting.upper()
    import phonenumbers

    region = phonenumbers.region_code_for_country_code(int(setting))
    return None if region == "ZZ" else region


def _parse_phone(raw: str, region: str | None):
    import phonenumbers

    candidates = [raw]
    digits = re.sub(r"\D", "", raw)
    if not raw.lstrip().startswith(("+", "0")) and len(digits) >= 10:
        candidates.append("+" + digits)  # 15550000000 as Webflow sends it: already international
    for text in candidates:
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            return number
    return None


def clean_phone(value: str | None, country: str | None) -> tuple[str | None, str | None]:
    """The number in E.164 ("+33612345678"), read in the default country when it is national.
    Without a default country a national number is kept as written (it cannot be placed)."""
    raw = clean_text(value)
    if raw is None:
        return None, None
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 6:
        return None, f"phone {raw!r} has too few digits"
    number = _parse_phone(raw, region_of(country))
    if number is None:
        if not raw.startswith("+") and not region_of(country):
            return raw, None
        return None, f"phone {raw!r} is not a possible phone number"
    import phonenumbers

    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None


def phone_key(value: str | None, country: str | None) -> str | None:
    """Digits of the number in international form, for matching duplicates; None when it is too
    short to be evidence. Falls back to plain digits when phonenumbers cannot place it."""
    if not value:
        return None
    raw = value.strip()
    digits = re.sub(r"\D", "", raw)
    if len(digits) < 6:
        return None
    number = _parse_phone(raw, region_of(country))
    if number is not None:
        return f"{number.country_code}{number.national_number}"
    if digits.startswith("00"):
        return digits[2:]
    if country and country.isdigit() and digits.startswith("0"):
        return country + digits[1:]
    return digits


# --- time ---------------------------------------------------------------------------------------

_GOOGLE = re.compile(  # Google Forms' CSV: 2026/11/20 10:15:00 AM GMT+1 (or GMT+05:30, or no zone)
    r"^(\d{4})/(\d{1,2})/(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2})(?: ?([AP]M))?(?: GMT([+-]\d{1,2})(?::?(\d{2}))?)?$",
    re.IGNORECASE)
_SHEETS = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2}):(\d{2})$")  # a linked Sheet: 11/20/2026 10:15:00


def zone(name: str | None) -> dt.tzinfo:
    return ZoneInfo(name) if name else dt.UTC


def _hour(hour: int, half: str | None) -> int:
    if not half:
        return hour
    return hour % 12 + (12 if half.upper() == "PM" else 0)


def parse_timestamp(value: str, form_tz: dt.tzinfo) -> dt.datetime | dt.date:
    """A form service's timestamp: ISO 8601 (with Z or an offset, or local to the form), Unix
    seconds or milliseconds, or Google Forms' own format. A naive time is in `form_tz`."""
    text = value.strip()
    if re.fullmatch(r"\d{9,13}", text):
        seconds = int(text) / (1000 if len(text) > 11 else 1)
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return dt.date.fromisoformat(text)
    m = _GOOGLE.match(text)
    if m:
        y, mo, d, h, mi, s, half, off_h, off_m = m.groups()
        tz = form_tz
        if off_h is not None:
            sign = -1 if off_h.startswith("-") else 1
            tz = dt.timezone(sign * dt.timedelta(hours=abs(int(off_h)), minutes=int(off_m or 0)))
        return dt.datetime(int(y), int(mo), int(d), _hour(int(h), half), int(mi), int(s), tzinfo=tz)
    m = _SHEETS.match(text)
    if m:
        mo, d, y, h, mi, s = (int(g) for g in m.groups())
        return dt.datetime(y, mo, d, h, mi, s, tzinfo=form_tz)
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace(" UTC", "+00:00"))
    except ValueError:
        raise ValueError(f"timestamp {value!r} is not a date and time comptoir can read "
                         "(ISO 8601, Unix time or Google Forms' format)") from None
    return when if when.tzinfo else when.replace(tzinfo=form_tz)


def submission_day(value: str, book_tz: str | None, form_tz: str | None = None) -> dt.date:
    """The day a submission was made, in the book's time zone: 23:30 in New York on the 20th is
    the 21st in Paris. A naive time is read in the form's zone (default: the book's)."""
    book = zone(book_tz)
    when = parse_timestamp(value, zone(form_tz) if form_tz else book)
    if isinstance(when, dt.datetime):
        return when.astimezone(book).date()
    return when
