"""Problems are data; one exception carries them to the single place that maps them to exit codes."""

from __future__ import annotations

from dataclasses import dataclass, field


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
        where = f"{self.file}:{self.line}" if self.file else "comptoir"
        text = f"{where}: {self.severity} [{self.code}] {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
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
