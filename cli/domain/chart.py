"""The starter chart of accounts that `comptoir init` writes."""

from __future__ import annotations

from comptoir.schemas.accounting import Account

# code, name, type, parent, role
STARTER: list[tuple[str, str, str, str | None, str | None]] = [
    ("1000", "Assets", "asset", None, None),
    ("1010", "Bank", "asset", "1000", "bank"),
    ("1020", "Cash on hand", "asset", "1000", "cash"),
    ("1100", "Accounts receivable", "asset", "1000", "receivable"),
    ("1200", "Inventory", "asset", "1000", "inventory"),
    ("1300", "Input VAT receivable", "asset", "1000", "tax"),
    ("1400", "Prepaid expenses", "asset", "1000", None),
    ("1500", "Equipment", "asset", "1000", None),
    ("2000", "Liabilities", "liability", None, None),
    ("2010", "Accounts payable", "liability", "2000", "payable"),
    ("2100", "Goods received not invoiced", "liability", "2000", "grni"),
    ("2200", "Output VAT payable", "liability", "2000", "tax"),
    ("2250", "VAT due to the tax authority", "liability", "2000", "tax"),
    ("2300", "Net pay payable", "liability", "2000", "payroll"),
    ("2310", "Withholding tax payable", "liability", "2000", "payroll"),
    ("2320", "Social contributions payable", "liability", "2000", "payroll"),
    ("2400", "Loans", "liability", "2000", None),
    ("3000", "Equity", "equity", None, None),
    ("3100", "Share capital", "equity", "3000", None),
    ("3200", "Retained earnings", "equity", "3000", "retained-earnings"),
    ("4000", "Income", "income", None, None),
    ("4010", "Sales revenue", "income", "4000", "revenue"),
    ("4020", "Service revenue", "income", "4000", "revenue"),
    ("4900", "Other income", "income", "4000", "other-income"),
    ("4910", "Exchange gains", "income", "4000", "fx"),
    ("5000", "Cost of goods sold", "expense", None, None),
    ("5010", "Cost of goods sold", "expense", "5000", "cogs"),
    ("5020", "Stock adjustments", "expense", "5000", "cogs"),
    ("5030", "Purchase price variance", "expense", "5000", "cogs"),
    ("6000", "Operating expenses", "expense", None, None),
    ("6010", "Salaries", "expense", "6000", "operating"),
    ("6020", "Employer contributions", "expense", "6000", "operating"),
    ("6100", "Rent", "expense", "6000", "operating"),
    ("6200", "Utilities", "expense", "6000", "operating"),
    ("6300", "Marketing", "expense", "6000", "operating"),
    ("6400", "Office and software", "expense", "6000", "operating"),
    ("6500", "Bank fees", "expense", "6000", "operating"),
    ("6600", "Production labour and overhead absorbed", "expense", "6000", "operating"),
    ("6900", "Exchange losses", "expense", "6000", "fx"),
]


# Cash-flow class where the type and role alone would mislead (see cli/domain/statements.py):
# prepaid expenses are working capital, not an investment.
CASH_FLOW: dict[str, str] = {"1400": "operating"}


def starter_accounts() -> list[Account]:
    return [Account(code=c, name=n, type=t, parent=p, role=r, cash_flow=CASH_FLOW.get(c))
            for c, n, t, p, r in STARTER]
