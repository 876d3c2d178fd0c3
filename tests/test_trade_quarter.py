"""One quarter of a small trading company (issue 12, "Done when"): every command entered on the
day it happened, and the final trial balance checked against figures worked out by hand.

The company (EUR) sells coffee. ESP is valued FIFO and bought from a French supplier with
20 % VAT; DEC is valued at moving average and bought in USD from an American one, without
VAT. One employee at 2,000.00 a month. Payroll rates are the defaults: withholding 12 %,
employee contributions 22 %, employer contributions 40 %.

July
  07-01  capital 20,000.00 paid in                     1010 +20000.00 / 3100 -20000.00
         USD rate 0.90
  07-02  PO1 Roastery Supply: ESP 100 @ 5.00 + VAT 20 %
  07-05  bill RS-1 for all of PO1 before the goods     2100 +500, 1300 +100 / 2010 -600
  07-06  PO2 Yankee Beans: DEC 50 @ 4.00 USD
  07-08  PO2 received: 200 USD x 0.90                  1200 +180 / 2100 -180
  07-09  bill YB-1 after the goods (200 USD @ 0.90)    2100 +180 / 2010 -180 (USD 200)
  07-10  PO1 received: 100 x 5.00                      1200 +500 / 2100 -500 (GRNI back to 0)
  07-12  SO1 Café Lumière: ESP 80 @ 10.00 + VAT, requested for 07-20
  07-15  SO1 delivered in part: 40 from the 5.00 layer  5010 +200 / 1200 -200
  07-16  invoice 1 (40 x 10.00 = 400 + 80 VAT)         1100 +480 / 4010 -400, 2200 -80
  07-20  RS-1 paid                                     2010 +600 / 1010 -600
  07-25  Café pays invoice 1                           1010 +480 / 1100 -480
  07-28  PO3 Roastery Supply: ESP 50 @ 6.00 + VAT
  07-31  payroll July: gross 2000, withholding 240, employee contributions 440, employer
         contributions 800, net 1320                   6010 +2000, 6020 +800 /
                                                       2300 -1320, 2310 -240, 2320 -1240
         net pay paid                                  2300 +1320 / 1010 -1320
         USD rate 0.92; revaluation of the 200 USD owed: 184.00 - 180.00
                                                       6900 +4 / 2010 -4, reversed on 08-01
  08-01  July closed
August
  08-02  PO3 received: 50 x 6.00                       1200 +300 / 2100 -300
  08-03  Bistro du Pont pays 300.00 before any invoice 1010 +300 / 1100 -300 (a credit)
  08-04  SO2 Bistro: ESP 25 @ 10.00 + VAT
  08-05  SO2 delivered: 25 from the 5.00 layer          5010 +125 / 1200 -125
  08-06  invoice 2 (250 + 50 VAT)                      1100 +300 / 4010 -250, 2200 -50
  08-07  the 300.00 credit applied to invoice 2        (no entry)
  08-09  bill RS-2 for PO3 after the goods             2100 +300, 1300 +60 / 2010 -360
  08-10  YB-1 paid: 200 USD at 0.93 = 186.00; it settles at the bill's 180.00 (the revaluation
         is reversed), so the realised loss is 6.00  2010 +180, 6900 +6 / 1010 -186
  08-12  rest of SO1 delivered: 40 = 35 x 5.00 + 5 x 6.00 = 205.00
                                                       5010 +205 / 1200 -205
  08-13  invoice 3 (400 + 80 VAT)                      1100 +480 / 4010 -400, 2200 -80
  08-15  July's withholding and contributions paid     2310 +240, 2320 +1240 / 1010 -1480
  08-20  RS-2 paid                                     2010 +360 / 1010 -360
  08-25  Café pays invoice 3                           1010 +480 / 1100 -480
  08-28  credit note on invoice 3: 4 bags come back (40 + 8 VAT), at the cost that delivery
         took out: 205.00 x 4 / 40 = 20.50             4010 +40, 2200 +8 / 1100 -48;
                                                       1200 +20.50 / 5010 -20.50
  08-31  payroll August, net pay paid (as in July)
  09-01  August closed
September
  09-05  Café's 48.00 credit refunded                  1100 +48 / 1010 -48
  09-10  SO3 Café: DEC 30 @ 8.00 + VAT
  09-11  SO3 delivered: 30 x 3.60 (moving average 180.00 / 50)
                                                       5010 +108 / 1200 -108
  09-12  invoice 4 (240 + 48 VAT)                      1100 +288 / 4010 -240, 2200 -48
  09-15  August's withholding and contributions paid   2310 +240, 2320 +1240 / 1010 -1480
  09-20  Café pays invoice 4                           1010 +288 / 1100 -288
  09-30  payroll September, net pay paid; its withholding and contributions stay owed
         VAT settled for Q3: output 80 + 50 + 80 - 8 + 48 = 250, input 100 + 60 = 160
                                                       2200 +250 / 1300 -160, 2250 -90
  10-01  September closed

Balances at the end (debit +, credit -):
  1010 bank: 20000 - 600 + 480 - 1320 + 300 - 186 - 1480 - 360 + 480 - 1320 - 48 - 1480 + 288
             - 1320 = 13434.00
  1200 inventory: 500 - 200 + 180 - 125 + 300 - 205 + 20.50 - 108 = 362.50
       = ESP 45 x 6.00 + 4 x 5.125 (the returned layer) = 290.50, and DEC 20 x 3.60 = 72.00
  5010 cost of goods sold: 200 + 125 + 205 - 20.50 + 108 = 617.50
  4010 revenue: -(400 + 250 + 400 - 40 + 240) = -1250.00
  6010 salaries 3 x 2000 = 6000.00; 6020 employer contributions 3 x 800 = 2400.00
  6900 exchange losses 4 - 4 + 6 = 6.00
  2250 VAT due -90.00; 2310 -240.00 and 2320 -1240.00 (September's, not yet paid)
  3100 capital -20000.00
  1100, 1300, 2010, 2100, 2200, 2300 all 0.00
  Check: 13434 + 362.50 + 617.50 + 6000 + 2400 + 6 = 22820.00
         = 20000 + 1250 + 90 + 240 + 1240
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .trade_helpers import agree, doc, first, ok

D = Decimal


def _at(book, day: str, *args):
    return ok(book, *args, today=dt.date.fromisoformat(day))


def _id(book, day: str, *args) -> str:
    return first(_at(book, day, *args))


def _setup(book) -> None:
    day = "2026-07-01"
    _at(book, day, "warehouse", "add", "MAIN", "Main warehouse")
    _at(book, day, "item", "add", "ESP", "Espresso 1 kg", "--valuation", "fifo")
    _at(book, day, "item", "add", "DEC", "Decaf 1 kg", "--valuation", "moving-average")
    _at(book, day, "tax", "add", "VAT20", "VAT 20%", "--rate", "20")
    _at(book, day, "partner", "add", "Roastery Supply", "--role", "supplier", "--payment-terms", "30")
    _at(book, day, "partner", "add", "Yankee Beans", "--role", "supplier", "--currency", "USD")
    _at(book, day, "partner", "add", "Café Lumière", "--role", "customer", "--payment-terms", "30")
    _at(book, day, "partner", "add", "Bistro du Pont", "--role", "customer", "--payment-terms", "15")
    _at(book, day, "hr", "department", "add", "SHOP", "Shop")
    _at(book, day, "hr", "employee", "add", "Ana", "--department", "SHOP", "--role", "Manager",
        "--start", day, "--monthly-salary", "2000")


def _payroll(book, period: str, last_day: str) -> None:
    _at(book, last_day, "hr", "payroll", "run", "--period", period)
    _at(book, last_day, "hr", "payroll", "pay", "--period", period, "--date", last_day)


def test_one_quarter_of_a_trading_company(book):
    _setup(book)
    # --- July
    _at(book, "2026-07-01", "journal", "post", "--date", "2026-07-01", "--memo", "Capital paid in",
        "-p", "1010", "20000.00", "-p", "3100")
    _at(book, "2026-07-01", "rate", "add", "USD", "0.90", "--date", "2026-07-01")
    po1 = _id(book, "2026-07-02", "purchase", "order", "--partner", "roastery-supply", "--line", "ESP 100 5.00",
              "--tax", "VAT20", "--expected", "2026-07-10")
    _at(book, "2026-07-05", "purchase", "bill", po1, "--number", "RS-1", "--ordered")
    po2 = _id(book, "2026-07-06", "purchase", "order", "--partner", "yankee-beans", "--line", "DEC 50 4.00")
    _at(book, "2026-07-08", "purchase", "receive", po2)
    _at(book, "2026-07-09", "purchase", "bill", po2, "--number", "YB-1")
    _at(book, "2026-07-10", "purchase", "receive", po1)
    so1 = _id(book, "2026-07-12", "sales", "order", "--partner", "cafe-lumiere", "--line", "ESP 80 10.00",
              "--tax", "VAT20", "--requested", "2026-07-20")
    dn1 = _id(book, "2026-07-15", "sales", "deliver", so1, "--line", "1", "--qty", "40")
    inv1 = _id(book, "2026-07-16", "sales", "invoice", dn1)
    _at(book, "2026-07-20", "pay", "send", "--partner", "roastery-supply", "--amount", "600.00", "--bill", "RS-1")
    _at(book, "2026-07-25", "pay", "receive", "--partner", "cafe-lumiere", "--amount", "480.00", "--invoice", inv1)
    po3 = _id(book, "2026-07-28", "purchase", "order", "--partner", "roastery-supply", "--line", "ESP 50 6.00",
              "--tax", "VAT20", "--expected", "2026-08-02")
    _payroll(book, "2026-07", "2026-07-31")
    _at(book, "2026-07-31", "rate", "add", "USD", "0.92", "--date", "2026-07-31")
    _at(book, "2026-07-31", "period", "revalue", "2026-07-31")
    july = {r["account"]: D(r["closing"])
            for r in doc(book, "report", "trial-balance", "--to", "2026-07-31")["rows"]}
    # 200 USD owed, carried at 0.92 at the month's end: 184.00, an unrealised loss of 4.00
    assert (july["2010"], july["6900"], july["1200"], july["1010"]) == (
        D("-184.00"), D("4.00"), D("480.00"), D("18560.00"))
    _at(book, "2026-08-01", "period", "close", "2026-07-31")

    # --- August
    _at(book, "2026-08-02", "purchase", "receive", po3)
    _at(book, "2026-08-03", "pay", "receive", "--partner", "bistro-du-pont", "--amount", "300.00")
    so2 = _id(book, "2026-08-04", "sales", "order", "--partner", "bistro-du-pont", "--line", "ESP 25 10.00",
              "--tax", "VAT20")
    _at(book, "2026-08-05", "sales", "deliver", so2)
    inv2 = _id(book, "2026-08-06", "sales", "invoice", so2)
    _at(book, "2026-08-07", "pay", "apply", "--partner", "bistro-du-pont", "--to", inv2)
    _at(book, "2026-08-09", "purchase", "bill", po3, "--number", "RS-2")
    res = _at(book, "2026-08-10", "pay", "send", "--partner", "yankee-beans", "--amount", "200", "--rate", "0.93")
    assert "realised exchange loss: 6.00 EUR" in res.stderr
    dn3 = _id(book, "2026-08-12", "sales", "deliver", so1)
    inv3 = _id(book, "2026-08-13", "sales", "invoice", dn3)
    _at(book, "2026-08-15", "hr", "payroll", "pay-liabilities", "--period", "2026-07", "--date", "2026-08-15")
    _at(book, "2026-08-20", "pay", "send", "--partner", "roastery-supply", "--amount", "360.00", "--bill", "RS-2")
    _at(book, "2026-08-25", "pay", "receive", "--partner", "cafe-lumiere", "--amount", "480.00", "--invoice", inv3)
    _at(book, "2026-08-28", "sales", "credit-note", inv3, "--line", "1", "--qty", "4", "--reason", "damaged bags")
    _payroll(book, "2026-08", "2026-08-31")
    _at(book, "2026-09-01", "period", "close", "2026-08-31")

    # --- September
    _at(book, "2026-09-05", "pay", "refund", "--partner", "cafe-lumiere", "--amount", "48.00")
    so3 = _id(book, "2026-09-10", "sales", "order", "--partner", "cafe-lumiere", "--line", "DEC 30 8.00",
              "--tax", "VAT20")
    _at(book, "2026-09-11", "sales", "deliver", so3)
    inv4 = _id(book, "2026-09-12", "sales", "invoice", so3)
    _at(book, "2026-09-15", "pay", "send", "--payroll", "2026-08", "--liabilities", "--date", "2026-09-15")
    _at(book, "2026-09-20", "pay", "receive", "--partner", "cafe-lumiere", "--amount", "288.00", "--invoice", inv4)
    _payroll(book, "2026-09", "2026-09-30")
    _at(book, "2026-09-30", "tax", "settle", "2026-Q3")
    _at(book, "2026-10-01", "period", "close", "2026-09-30")

    # --- the books at the end of the quarter, as worked out in the module's docstring
    balances = agree(book)
    assert {a: v for a, v in balances.items() if v != 0} == {
        "1010": D("13434.00"),
        "1200": D("362.50"),
        "2250": D("-90.00"),
        "2310": D("-240.00"),
        "2320": D("-1240.00"),
        "3100": D("-20000.00"),
        "4010": D("-1250.00"),
        "5010": D("617.50"),
        "6010": D("6000.00"),
        "6020": D("2400.00"),
        "6900": D("6.00"),
    }
    for account in ("1100", "1300", "2010", "2100", "2200", "2300"):
        assert balances.get(account, D(0)) == D(0), account
    stock = {r["item"]: (D(r["qty"]), D(r["value"])) for r in doc(book, "report", "stock-balance")["rows"]}
    assert stock == {"ESP": (D(49), D("290.50")), "DEC": (D(20), D("72.00"))}
    # the VAT return by box: sales 400 + 250 + 400 - 40 + 240 = 1250 net, 250 tax; purchases
    # 500 + 300 + 180 (the American bill, without tax) = 980 net, 160 tax; due 250 - 160 = 90.00
    vat = {r["box"]: D(r["amount"]) for r in doc(book, "report", "vat-return", "--period", "2026-Q3")["rows"]}
    assert vat == {"1": D("1250.00"), "2": D("250.00"), "3": D("980.00"), "4": D("160.00"), "5": D("90.00")}
