"""HR and payroll, as a package split by responsibility: departments, employees, payroll runs
and their journal entries, their payment, the HR reports, rules and overview lines.

common (lookups, periods), staff (departments and employees from input, and their revisions),
payroll (a month's pay per employee and the run's entry), payments (paying the net pay and the
withholding and contributions), reports (lists and reports as data, the overview section) and rules (the
checks on stored records). The tables people see are made in comptoir.views.hr. The family
registry (comptoir.families) reaches rules.RULES and reports.SECTIONS.

Pro-rating: an employee's monthly pay (the salary, or the hourly rate x contracted
monthly hours) is multiplied by the calendar days they are employed in the period,
start and end dates included, over the days in the period, then rounded half-even to
the currency's places. Withholding and contributions are percentages of that gross,
each rounded the same way; net pay is gross - withholding - employee contributions, so
the payroll entry balances by construction.
"""

from __future__ import annotations

from .common import (
    LIABILITIES_TAG,
    contributions_centre,
    cost_centre,
    departments,
    employees,
    get_department,
    get_employee,
    get_run,
    month_bounds,
    month_label,
    runs,
    status_on,
)
from .payments import (
    Owed,
    liability_payments,
    owed,
    pay_liabilities,
    settle_net_pay,
    settlements_of,
)
from .payroll import PayrollResult, Totals, current_rates, pay_line, run_payroll, totals_of
from .reports import (
    EmployeeFile,
    Headcount,
    PayrollSummary,
    department_rows,
    employee_file,
    employee_rows,
    headcount,
    payroll_summary,
    run_lines,
    run_rows,
)
from .staff import Revision, new_department, new_employee, revise_department, revise_employee

__all__ = [
    "LIABILITIES_TAG", "EmployeeFile", "Headcount", "Owed", "PayrollResult", "PayrollSummary", "Revision", "Totals",
    "contributions_centre", "cost_centre", "current_rates", "department_rows", "departments", "employee_file",
    "employee_rows", "employees", "get_department", "get_employee", "get_run", "headcount", "liability_payments",
    "month_bounds", "month_label", "new_department", "new_employee", "owed", "pay_liabilities", "pay_line",
    "payroll_summary", "revise_department", "revise_employee", "run_lines", "run_payroll", "run_rows", "runs",
    "settle_net_pay", "settlements_of", "status_on", "totals_of",
]
