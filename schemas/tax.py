"""Tax codes: the rate a document line is taxed at and the accounts its tax is posted to.

One record per code in tax/ (tax/VAT20.yaml). Sales lines post the tax they collect to
`collected_account` (output tax payable), purchase lines the tax they pay to `paid_account`
(input tax receivable); unset, the book's accounts.output_tax and accounts.input_tax.
"""

from __future__ import annotations

from pydantic import Field

from .types import AccountCode, Amount, Record, RecordId


class TaxCode(Record):
    code: RecordId  # VAT20, VAT55, EXEMPT
    name: str = Field(min_length=1)
    rate: Amount = Field(ge=0, le=100)  # percent of the line's net amount
    collected_account: AccountCode | None = None  # default: accounts.output_tax
    paid_account: AccountCode | None = None  # default: accounts.input_tax
    active: bool = True
    description: str | None = None
