"""Problems are data; one exception carries them to the single place that maps them to exit codes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    code: str
    message: str
    hint: str = field(default="", compare=False)
    severity: str = field(default="error", compare=False)
    loc: tuple = field(default=(), compare=False)  # field path inside the record, to find the line

    def as_text(self) -> str:
        # a message quotes the input: never let it drive the terminal
        from comptoir.render import printable

        where = (f"{self.file}:{self.line}" if self.line else self.file) if self.file else "comptoir"
        # a message may quote another tool's lines (git): keep them as lines, indented
        text = printable(f"{where}: {self.severity} [{self.code}] {self.message}", keep_newlines=True)
        text = text.rstrip("\n").replace("\n", "\n  ")
        if self.hint:
            text += f"\n  hint: {printable(self.hint)}"
        return text

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "code": self.code,
                "message": self.message, "hint": self.hint, "severity": self.severity}


class ComptoirError(Exception):
    """The books or the input are invalid: exit 1 with every problem printed."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("; ".join(p.message for p in self.problems))


def fail(code: str, message: str, hint: str = "", file: str = "", line: int = 0) -> ComptoirError:
    """Build an input error to raise: `raise fail("unknown-account", ...)`."""
    return ComptoirError(Problem(file, line, code, message, hint))


# -- causes in words for failures that come from the machine, not the input -----------------------

_DISK_CAUSES = {
    # errno: (code, cause, what to do)
    28: ("disk-full", "the disk is full (no space left on the device)",
         "free some space on that disk and run the command again"),
    122: ("disk-quota", "the disk quota is exceeded",
          "free some space or ask for a larger quota, then run the command again"),
    30: ("read-only", "the file system is read-only",
         "remount it read-write, or work on a clone of the book on a writable disk"),
    13: ("permission-denied", "permission denied",
         "check the owner and mode of the file and its folder (ls -l), or run as the book's owner"),
    -1: ("git-locked", "another git command holds the repository's index lock (.git/index.lock)",
         "wait for it to finish; if no git command is running, one crashed: remove .git/index.lock"),
    1: ("permission-denied", "the operation is not permitted",
        "check the owner and mode of the file and its folder (ls -l), or run as the book's owner"),
    24: ("too-many-files", "too many files are open",
         "raise the limit (ulimit -n) and run the command again"),
    5: ("io-error", "the disk reported an input/output error",
        "check the disk (dmesg, fsck) before writing to the book again"),
}

# git reports the same causes in its own words
_GIT_CAUSES = (
    ("index.lock': file exists", -1),
    ("no space left", 28), ("out of diskspace", 28), ("disk quota exceeded", 122),
    ("read-only file system", 30), ("permission denied", 13),
)


def os_problem(exc: OSError, nothing_written: bool = True) -> Problem:
    """An OSError as a problem: the file, the cause in words and what to do."""
    code, cause, hint = _DISK_CAUSES.get(exc.errno or 0, (
        "os-error", (exc.strerror or str(exc)).lower(), "check the path and run the command again"))
    where = exc.filename if exc.filename is not None else ""
    if exc.filename2:
        where = f"{where} -> {exc.filename2}"
    message = f"cannot write or read {where}: {cause}" if where else cause
    if nothing_written:
        hint += "; nothing was committed"
    return Problem(str(where), 0, code, message, hint)


def git_cause(text: str) -> tuple[str, str, str] | None:
    """(code, cause, what to do) when git's message names a disk or permission failure."""
    low = text.lower()
    for needle, errno in _GIT_CAUSES:
        if needle in low:
            return _DISK_CAUSES[errno]
    return None


# -- pydantic's validation wording, said in the user's terms ----------------------------------------

def _pattern_words(pattern: str) -> str | None:
    from comptoir.schemas.types import PATTERN_WORDS

    return PATTERN_WORDS.get(pattern)


def _quote(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def explain(err: Mapping[str, Any]) -> str:
    """One pydantic error (from `ValidationError.errors()`) as a sentence a user can act on."""
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    value = err.get("input")
    loc = err.get("loc") or ()
    field_name = str(loc[-1]) if loc and not isinstance(loc[-1], int) else ""
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a field of this record"
    if kind == "string_pattern_mismatch":
        words = _pattern_words(str(ctx.get("pattern", "")))
        return f"{_quote(value)}: {words}" if words else f"{_quote(value)} does not have the expected form"
    if kind == "too_short":
        least = ctx.get("min_length")
        if field_name == "postings":
            return f"an entry needs at least two postings (it has {ctx.get('actual_length', 0)})"
        return f"needs at least {least} item{'s' if least != 1 else ''} (it has {ctx.get('actual_length', 0)})"
    if kind == "too_long":
        return f"holds {ctx.get('actual_length')} items; at most {ctx.get('max_length')} are allowed"
    if kind == "string_too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else \
            f"needs at least {ctx.get('min_length')} characters"
    if kind == "string_too_long":
        size = len(value) if isinstance(value, str) else "too many"
        return f"is {size} characters long; at most {ctx.get('max_length')} are allowed"
    if kind == "literal_error":
        from comptoir.suggest import did_you_mean

        expected = str(ctx.get("expected", ""))
        choices = [c.strip().strip("'") for c in expected.replace(" or ", ", ").split(",")]
        guess = did_you_mean(str(value), choices) if isinstance(value, str) else ""
        return f"{_quote(value)} is not one of {', '.join(choices)}" + (f"; {guess}" if guess else "")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{_quote(value)} is not a whole number"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {"greater_than_equal": "at least", "greater_than": "more than",
                 "less_than_equal": "at most", "less_than": "less than"}[kind]
        bound = next(iter(ctx.values()), "")
        return f"{_quote(value)} must be {words} {bound}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"{_quote(value)} is not a date; write dates as YYYY-MM-DD"
    if kind in ("bool_parsing", "bool_type"):
        return f"{_quote(value)} is not true or false"
    if kind in ("string_type",):
        return f"{_quote(value)} is not text"
    if kind in ("list_type",):
        return "must be a list (one `- item` per line)"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "must be a mapping of fields (`field: value` per line)"
    msg = str(err.get("msg", ""))
    return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def where(err: Mapping[str, Any], prefix: str = "") -> str:
    loc = ".".join(str(p) for p in err.get("loc") or ())
    return ": ".join(p for p in (prefix, loc) if p) or "input"


def input_problems(exc, what: str = "", hint: str = "see --help for the expected form") -> ComptoirError:
    """A pydantic ValidationError about command-line input as an error to raise, in words."""
    return ComptoirError([Problem("", 0, "invalid-value", f"{where(e, what)}: {explain(e)}", hint)
                          for e in exc.errors(include_url=False)])
