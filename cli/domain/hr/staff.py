"""Departments and employees from what a person typed: new records, and revisions that name
each changed field (for the commit message and `comptoir history`)."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from comptoir.errors import fail
from comptoir.model import Book
from comptoir.schemas.hr import Department, Employee
from comptoir.schemas.types import places_of

from ..changes import Change, diff_records
from ..ids import id_prefix, new_id
from ..inputs import validated
from .common import RATE_PLACES, employees, get_department, get_employee, places


def pay_amount(value: Decimal | None, at_most: int, at_least: int, option: str) -> Decimal | None:
    """An amount typed by a person, with at least the currency's places (3200 -> 3200.00)."""
    if value is None:
        return None
    if places_of(value) > at_most:
        raise fail("too-many-places", f"{option} {value} has more than {at_most} decimal places",
                   f"round it to {at_most} places")
    return value.quantize(Decimal(1).scaleb(-max(at_least, places_of(value))))


def _check_links(book: Book, department: str | None, manager: str | None, ident: str | None = None) -> None:
    if department is not None:
        get_department(book, department)
    if manager is not None:
        if manager == ident:
            raise fail("own-manager", f"{ident} cannot be their own manager", "give another employee id")
        get_employee(book, manager)


def _check_expense_account(book: Book, code: str | None, what: str) -> None:
    if code is not None and code not in book.accounts:
        raise fail("unknown-account", f"{what} account {code} does not exist",
                   "use an expense account from `comptoir account list`, or add one with `comptoir account add`")


def new_department(book: Book, code: str, name: str, manager: str | None, cost_centre_: str | None,
                   notes: str | None = None, contributions_centre_: str | None = None) -> Department:
    if manager is not None:
        get_employee(book, manager)
    _check_expense_account(book, cost_centre_, "cost centre")
    _check_expense_account(book, contributions_centre_, "contributions centre")
    return validated(Department, {"id": code, "name": name, "manager": manager, "cost_centre": cost_centre_,
                                  "contributions_centre": contributions_centre_, "notes": notes}, "department")


def new_employee(book: Book, fields: dict[str, Any], rng: random.Random) -> Employee:
    """A new employee; the id is E-<start date>-XXXX unless one is given."""
    p = places(book)
    data = dict(fields)
    _check_links(book, data.get("department"), data.get("manager"), data.get("id"))
    data["monthly_salary"] = pay_amount(data.get("monthly_salary"), p, p, "--monthly-salary")
    data["hourly_rate"] = pay_amount(data.get("hourly_rate"), RATE_PLACES, p, "--hourly-rate")
    if not data.get("start_date"):
        raise fail("missing-start", "an employee needs a start date", "give --start YYYY-MM-DD")
    if not data.get("id"):
        data["id"] = new_id(id_prefix(book, "employee"), data["start_date"], employees(book), rng)
    elif data["id"] in employees(book):
        raise fail("duplicate-id", f"employee {data['id']} already exists", "choose another id, or update it")
    return validated(Employee, data, "employee")


@dataclass
class Revision:
    """A changed record and the field changes a commit message names."""

    record: Any
    changes: list[Change]

    def summary(self) -> str:
        return ", ".join(c.as_text() for c in self.changes)


def revise_employee(book: Book, emp: Employee, changes: dict[str, Any], clear: Iterable[str] = ()) -> Revision:
    """Apply changes (None = unchanged) and clear fields; switching pay type drops the other one."""
    p = places(book)
    given = {k: v for k, v in changes.items() if v is not None}
    _check_links(book, given.get("department"), given.get("manager"), emp.id)
    if "monthly_salary" in given:
        given["monthly_salary"] = pay_amount(given["monthly_salary"], p, p, "--monthly-salary")
        if "hourly_rate" not in given:
            given.update(hourly_rate=None, monthly_hours=None)
    if "hourly_rate" in given:
        given["hourly_rate"] = pay_amount(given["hourly_rate"], RATE_PLACES, p, "--hourly-rate")
        if "monthly_salary" not in given:
            given["monthly_salary"] = None
    data = emp.model_dump(mode="python")
    data.update(given)
    for name in clear:
        data[name] = None
    new = validated(Employee, data, f"employee {emp.id}")
    return Revision(new, diff_records(emp, new))


def revise_department(book: Book, dept: Department, changes: dict[str, Any], clear: Iterable[str] = ()) -> Revision:
    given = {k: v for k, v in changes.items() if v is not None}
    if "manager" in given:
        get_employee(book, given["manager"])
    _check_expense_account(book, given.get("cost_centre"), "cost centre")
    _check_expense_account(book, given.get("contributions_centre"), "contributions centre")
    data = dept.model_dump(mode="python")
    data.update(given)
    for name in clear:
        data[name] = None
    new = validated(Department, data, f"department {dept.id}")
    return Revision(new, diff_records(dept, new))
