"""Bank statements in: camt.053 (batch entries, a reversal, a payment of two invoices, a
foreign-currency line), a Latin-1 CSV export with a pending row, OFX 1.x and 2.x; idempotent
re-import, reconciliation figures, and malformed files refused with nothing written."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from .conftest import from_template, git, head
from .finance_helpers import unchanged
from .test_pay import sold
from .trade_helpers import D, agree, doc, fails, ok, trading_book

CAMT_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">
<BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-12-01T08:00:00</CreDtTm></GrpHdr>
<Stmt><Id>{sid}</Id>
<Acct><Id><IBAN>FR7630001007941234567890185</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{opening}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{start}</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLAV</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">99999.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{end}</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{end}</Dt></Dt></Bal>
"""
CAMT_TAIL = "</Stmt></BkToCstmrStmt></Document>\n"


def ntry(ref: str, amount: str, ind: str, day: str, details: str = "", reversal: bool = False,
         status: str = "BOOK") -> str:
    rv = "<RvslInd>true</RvslInd>" if reversal else ""
    return (f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{ind}</CdtDbtInd>{rv}<Sts><Cd>{status}</Cd></Sts>'
            f"<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt><AcctSvcrRef>{ref}</AcctSvcrRef>"
            f"<NtryDtls>{details}</NtryDtls></Ntry>\n")


def tx(party: str = "", side: str = "Dbtr", ustrd: str = "", strd: str = "", amount: str = "", ind: str = "",
       instructed: str = "", e2e: str = "") -> str:
    amt = f'<Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{ind}</CdtDbtInd>' if amount else ""
    instd = f'<AmtDtls><InstdAmt><Amt Ccy="USD">{instructed}</Amt></InstdAmt></AmtDtls>' if instructed else ""
    refs = f"<Refs><EndToEndId>{e2e}</EndToEndId></Refs>" if e2e else ""
    pty = f"<RltdPties><{side}><Pty><Nm>{party}</Nm></Pty></{side}></RltdPties>" if party else ""
    rmt = ""
    if ustrd or strd:
        s = f"<Strd><RfrdDocInf><Nb>{strd}</Nb></RfrdDocInf></Strd>" if strd else ""
        u = f"<Ustrd>{ustrd}</Ustrd>" if ustrd else ""
        rmt = f"<RmtInf>{u}{s}</RmtInf>"
    return f"<TxDtls>{refs}{amt}{instd}{pty}{rmt}</TxDtls>"


def camt(path: Path, entries: list[str], opening: str, closing: str, start: str = "2026-11-01",
         end: str = "2026-11-30", version: str = "08", sid: str = "STMT-11") -> Path:
    path.write_text(CAMT_HEAD.format(version=version, sid=sid, opening=opening, closing=closing, start=start,
                                     end=end) + "".join(entries) + CAMT_TAIL, encoding="utf-8")
    return path


def bank_book(book):
    """The trading book with a suspense account, two rules, five open invoices (one in dollars):
    built once per test process and copied (see conftest.from_template)."""
    return from_template(book, "bank_import.bank_book", _bank_book)


def _bank_book(book, scratch):
    trading_book(book)
    ok(book, "account", "add", "1090", "Bank suspense", "--type", "asset", "--parent", "1000", "--role", "suspense")
    ok(book, "rate", "add", "USD", "0.90", "--date", "2026-11-01")
    ok(book, "partner", "add", "Brooklyn Beans", "--currency", "USD", "--payment-terms", "30")
    ok(book, "partner", "add", "Épicerie Fine Petit", "--role", "customer")
    ok(book, "stock", "receive", "ESP", "--qty", "100", "--unit-cost", "10", "--date", "2026-11-01")
    invoices = [sold(book, "cafe-lumiere", "5", "20", "2026-11-01"),           # 2026-0001 100.00
                sold(book, "cafe-lumiere", "3", "20", "2026-11-01"),           # 2026-0002  60.00
                sold(book, "epicerie-fine-petit", "4", "20", "2026-11-01"),    # 2026-0003  80.00
                sold(book, "brooklyn-beans", "10", "30.00", "2026-11-01"),     # 2026-0004 300.00 USD at 0.90
                sold(book, "cafe-lumiere", "2", "20", "2026-11-01")]           # 2026-0005  40.00
    (book / "bank/rules").mkdir(parents=True)
    (book / "bank/rules/bank-fees.yaml").write_text("id: bank-fees\ntext: frais\npost_to: '6500'\n")
    (book / "bank/rules/electricity.yaml").write_text(
        "id: electricity\ncounterparty: EDF\ndirection: out\npost_to: '6200'\nmemo: Electricity\n")
    git(book, "add", "-A")
    git(book, "commit", "-qm", "bank rules")
    return invoices


def invoice_status(book) -> dict[str, str]:
    return {r["id"]: r["status"] for r in doc(book, "sales", "invoices")["rows"]}


def november(tmp_path: Path, closing: str = "600.80", opening: str = "0.00") -> Path:
    return camt(tmp_path / "nov.xml", [
        ntry("R1", "160.00", "CRDT", "2026-11-02", tx("CAFE LUMIERE SARL", ustrd="Factures 2026-0001 et 2026-0002")),
        ntry("R2", "130.00", "CRDT", "2026-11-03",
             tx("Epicerie Fine Petit", strd="2026-0003", amount="80.00", ind="CRDT")
             + tx("Unknown GmbH", ustrd="Spende", amount="50.00", ind="CRDT")),
        ntry("R3", "14.20", "DBIT", "2026-11-05", tx(ustrd="FRAIS TENUE DE COMPTE")),
        ntry("R4", "45.00", "DBIT", "2026-11-10", tx("EDF", side="Cdtr", ustrd="Prelevement 778899", e2e="DD-778899")),
        ntry("R5", "45.00", "CRDT", "2026-11-12", tx("EDF", side="Cdtr", ustrd="Retour prelevement", e2e="DD-778899"),
             reversal=True),
        ntry("R6", "285.00", "CRDT", "2026-11-20", tx("Brooklyn Beans Inc", ustrd="INV 2026-0004", instructed="300.00")),
        ntry("R7", "40.00", "CRDT", "2026-11-25", tx("Cafe Lumiere")),
        ntry("R8", "999.00", "CRDT", "2026-11-29", tx("Someone", ustrd="not booked yet"), status="PDNG"),
    ], opening, closing)


def test_camt_pays_two_invoices_batches_reverses_and_reconciles(book, tmp_path):
    invoices = bank_book(book)
    stmt = november(tmp_path)
    before = head(book)
    dry = ok(book, "bank", "import", stmt, "--account", "1010", "--dry-run", "--format", "json")
    plan = json.loads(dry.stdout)
    assert (plan["matched"], plan["ruled"], plan["reversal"], plan["suspense"]) == (4, 2, 1, 1)
    unchanged(book, before)
    rows = {r["id"]: r for r in plan["rows"]}
    assert rows["R1"]["becomes"] == "pays 2026-0001, 2026-0002 (cafe-lumiere)"
    assert rows["R2/2"]["outcome"] == "suspense" and rows["R2/1"]["outcome"] == "matched"

    res = ok(book, "bank", "import", stmt, "--account", "1010")
    assert "4 matched, 2 ruled, 1 reversal, 1 suspense" in git(book, "log", "-1", "--format=%s")
    assert "Unknown GmbH" in git(book, "log", "-1", "--format=%b")
    assert "1 line(s) not booked yet" in res.stdout
    bal = agree(book, "2026-11-30")
    assert bal["1010"] == D("600.80")
    assert bal.get("1100", D(0)) == D(0)  # every invoice paid: 100 + 60 + 80 + 270 + 40
    assert (bal["6500"], bal.get("6200", D(0)), bal["1090"], bal["4910"]) == (D("14.20"), D(0), D("-50.00"),
                                                                            D("-15.00"))
    statuses = invoice_status(book)
    assert all(statuses[i] == "paid" for i in invoices)
    pays = {r["reference"]: r for r in doc(book, "pay", "list")["rows"]}
    assert pays["R1"]["allocated"] == "2026-0001 100.00, 2026-0002 60.00"
    assert (pays["R6"]["currency"], pays["R6"]["amount"]) == ("USD", "300.00")  # at 0.95: a gain of 15.00
    assert pays["R7"]["allocated"] == "2026-0005 40.00"  # amount and counterparty
    files = git(book, "show", "--name-only", "--format=", "HEAD").split()
    assert len([f for f in files if f.startswith("bank/statements/2026/11/")]) == 1
    assert len([f for f in files if f.startswith("payments/")]) == 4

    # the same file again: nothing new, nothing committed
    again = head(book)
    res = ok(book, "bank", "import", stmt, "--account", "1010")
    assert "Nothing new: all 8 line(s)" in res.stderr
    unchanged(book, again)

    # an overlapping statement: R7 is known, one new fee
    late = camt(tmp_path / "late.xml", [
        ntry("R7", "40.00", "CRDT", "2026-11-25", tx("Cafe Lumiere")),
        ntry("R9", "10.00", "DBIT", "2026-11-28", tx(ustrd="Frais virement")),
    ], "560.80", "590.80", start="2026-11-25", version="02", sid="STMT-11B")
    out = json.loads(ok(book, "bank", "import", late, "--account", "1010", "--format", "json").stdout)
    assert (out["known"], out["ruled"], out["matched"]) == (1, 1, 0)
    rec = doc(book, "report", "reconciliation", "--account", "1010")
    assert (rec["book_balance"], rec["statement_balance"], rec["difference"]) == ("590.80", "590.80", "0.00")
    assert rec["suspense_lines"] == 1 and rec["suspense_total"] == "50.00" and rec["unseen_entries"] == 0
    # a payment typed by hand after the statement is "not yet seen"; clearing the suspense line empties it
    ok(book, "journal", "post", "--date", "2026-11-30", "--memo", "Cash deposit", "-p", "1010", "25.00", "-p", "1020")
    ok(book, "journal", "post", "--date", "2026-11-30", "--memo", "Donation received", "--reference", "R2/2",
       "-p", "1090", "50.00", "-p", "4900")
    rec = doc(book, "report", "reconciliation", "--account", "1010", "--date", "2026-11-30")
    assert (rec["book_balance"], rec["suspense_lines"], rec["unseen_entries"]) == ("615.80", 0, 1)
    assert [r["what"] for r in rec["rows"] if r["section"] == "not on a statement"] == ["Cash deposit"]


def test_a_statement_that_does_not_add_up_is_refused(book, tmp_path):
    bank_book(book)
    before = head(book)
    res = fails(book, "statement-does-not-add-up", "bank", "import", november(tmp_path, "600.00"), "--account", "1010")
    assert "Stmt/Bal[3]" in res.stderr and "difference -0.80" in res.stderr
    unchanged(book, before)


def test_books_that_disagree_with_the_statement_are_refused(book, tmp_path):
    bank_book(book)
    ok(book, "journal", "post", "--date", "2026-11-04", "--memo", "Hand-typed", "-p", "1010", "5", "-p", "3100")
    before = head(book)
    res = fails(book, "assertion-failed", "bank", "import", november(tmp_path), "--account", "1010")
    assert "difference 5.00" in res.stderr
    unchanged(book, before)


def test_the_closing_assertion_is_checked_from_the_rows_kept_per_folder(book, tmp_path, monkeypatch):
    """On a book known free of errors the statement's balance is checked against the posting rows
    of the bank account kept per journal folder (not by reading every entry): a disagreement is
    still refused, an agreement lands, and a later statement is checked against both."""
    import comptoir.app.ledgerdays as ledgerdays

    asked: list[set[str]] = []
    served = ledgerdays.committed_rows

    def spy(root, before, accounts):
        asked.append(set(accounts))
        return served(root, before, accounts)

    monkeypatch.setattr(ledgerdays, "committed_rows", spy)
    bank_book(book)
    ok(book, "journal", "post", "--date", "2026-11-04", "--memo", "Hand-typed", "-p", "1010", "5", "-p", "3100")
    ok(book, "validate")
    before = head(book)
    res = fails(book, "assertion-failed", "bank", "import", november(tmp_path), "--account", "1010")
    assert asked == [{"1010"}]
    assert "1010 balance at the end of 2026-11-25 is 605.80 EUR, asserted 600.80 EUR (difference 5.00)" in res.stderr
    assert "[statement-disagrees]" in res.stderr
    unchanged(book, before)
    ok(book, "bank", "import", november(tmp_path, "605.80", "5.00"), "--account", "1010")  # the bank saw it
    assert len(asked) == 2
    late = camt(tmp_path / "late.xml", [ntry("R9", "10.00", "DBIT", "2026-11-28", tx(ustrd="Frais virement"))],
                "605.80", "595.80", start="2026-11-26", version="02", sid="STMT-11B")
    wrong = camt(tmp_path / "wrong.xml", [ntry("R9", "10.00", "DBIT", "2026-11-28", tx(ustrd="Frais virement"))],
                 "615.80", "605.80", start="2026-11-26", version="02", sid="STMT-11B")
    before = head(book)
    res = fails(book, "assertion-failed", "bank", "import", wrong, "--account", "1010")
    assert "is 595.80 EUR, asserted 605.80 EUR (difference -10.00)" in res.stderr and len(asked) == 3
    unchanged(book, before)
    ok(book, "bank", "import", late, "--account", "1010")
    assert agree(book, "2026-11-30")["1010"] == D("595.80") and len(asked) == 4


def test_the_closing_assertion_on_a_dirty_tree_counts_uncommitted_entries(book, tmp_path):
    """An entry written but not committed moves the balance too: the import, which then reads the
    whole book, refuses a statement the books (working tree) disagree with."""
    bank_book(book)
    ok(book, "validate")
    ok(book, "journal", "post", "--date", "2026-11-04", "--memo", "Not committed", "-p", "1010", "5", "-p", "3100",
       "--no-commit")
    status = git(book, "status", "--porcelain")
    assert status.startswith("A  journal/2026/11/")
    res = fails(book, "assertion-failed", "bank", "import", november(tmp_path), "--account", "1010")
    assert "asserted 600.80 EUR (difference 5.00)" in res.stderr
    assert git(book, "status", "--porcelain") == status and not list((book / "bank").glob("statements/**/*.yaml"))
    git(book, "reset", "-q")
    (book / status.split()[-1]).unlink()
    ok(book, "bank", "import", november(tmp_path), "--account", "1010")


def test_external_entities_are_refused(book, tmp_path):
    bank_book(book)
    evil = tmp_path / "evil.xml"
    evil.write_text('<?xml version="1.0"?>\n<!DOCTYPE Document [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                    "<Document><BkToCstmrStmt><Stmt><Id>&x;</Id></Stmt></BkToCstmrStmt></Document>\n")
    before = head(book)
    res = fails(book, "unsafe-xml", "bank", "import", evil, "--account", "1010")
    assert "evil.xml:1" in res.stderr
    unchanged(book, before)


def test_camt_amount_that_does_not_parse_names_the_element(book, tmp_path):
    bank_book(book)
    bad = camt(tmp_path / "bad.xml", [ntry("R1", "12,50", "CRDT", "2026-11-02", tx("X"))], "0.00", "12.50")
    before = head(book)
    res = fails(book, "invalid-amount", "bank", "import", bad, "--account", "1010")
    assert "Document/BkToCstmrStmt/Stmt/Ntry/Amt" in res.stderr and "'12,50'" in res.stderr
    unchanged(book, before)


FORMAT = """\
id: banque-du-rhone
delimiter: ';'
encoding: iso-8859-1
skip_lines: 2
date_format: DD.MM.YY
decimal: ','
thousands: '.'
booking_date: Buchung
value_date: Valuta
debit: Soll
credit: Haben
counterparty: Empfänger
text: [Verwendungszweck]
balance: Saldo
skip:
  - column: Status
    equals: vorgemerkt
"""


def csv_export(path: Path, rows: list[str]) -> Path:
    text = ("Banque du Rhône — export\nKonto;FR76 3000 1007\n"
            "Buchung;Valuta;Empfänger;Verwendungszweck;Soll;Haben;Saldo;Status\n" + "\n".join(rows) + "\n")
    path.write_bytes(text.encode("iso-8859-1", errors="replace"))
    return path


def test_a_format_edited_by_hand_and_not_committed_is_not_overwritten(book, tmp_path, monkeypatch):
    """`bank format` rewrites bank/formats/ID.yaml: an uncommitted edit of that file is refused,
    whether the writer asks git about the few files it writes or, for a large write, lists the
    whole index; a new file is never taken for an edit."""
    import comptoir.book.writer as writer

    bank_book(book)
    fmt = tmp_path / "fmt.yaml"
    fmt.write_text(FORMAT, encoding="utf-8")
    ok(book, "bank", "format", fmt)
    kept = book / "bank/formats/banque-du-rhone.yaml"
    for many in (writer.MANY_PATHS, 0):
        monkeypatch.setattr(writer, "MANY_PATHS", many)
        kept.write_text(kept.read_text(encoding="utf-8") + "# my note\n", encoding="utf-8")
        before = head(book)
        fails(book, "uncommitted-changes", "bank", "format", fmt)
        assert head(book) == before and kept.read_text(encoding="utf-8").endswith("# my note\n")
        git(book, "checkout", "--", str(kept))
        other = tmp_path / f"other{many}.yaml"
        other.write_text(FORMAT.replace("banque-du-rhone", f"other-{many}"), encoding="utf-8")
        ok(book, "bank", "format", other)  # a new file: written and committed
        assert git(book, "show", "--name-only", "--format=", "HEAD").split() == [f"bank/formats/other-{many}.yaml"]
        assert git(book, "status", "--porcelain") == ""


def test_a_rule_whose_regex_does_not_compile_is_refused_as_data(book, tmp_path):
    bank_book(book)
    before = head(book)
    res = fails(book, "invalid-value", "bank", "rule", "add", "bad", "--text", "/[/", "--post-to", "6500")
    assert "text: '[' is not a regular expression" in res.stderr and "Traceback" not in res.output
    unchanged(book, before)
    (book / "bank/rules/bad.yaml").write_text("id: bad\ncounterparty: '/(EDF/'\npost_to: '6200'\n")
    git(book, "add", "-A")
    git(book, "commit", "-qm", "a rule typed by hand")
    before = head(book)
    res = fails(book, "invalid-value", "bank", "import", november(tmp_path), "--account", "1010")
    assert "bank/rules/bad.yaml:1:" in res.stderr and "'(EDF' is not a regular expression" in res.stderr
    assert "Traceback" not in res.output
    unchanged(book, before)


def test_latin1_csv_export_with_a_pending_row(book, tmp_path):
    invoices = bank_book(book)
    (book / "bank/formats").mkdir(parents=True)
    (book / "bank/formats/banque-du-rhone.yaml").write_text(FORMAT, encoding="utf-8")
    git(book, "add", "-A")
    git(book, "commit", "-qm", "format")
    export = csv_export(tmp_path / "export.csv", [
        "02.11.26;02.11.26;Café Lumière;Rechnung 2026-0001;;100,00;100,00;gebucht",
        "05.11.26;05.11.26;Régie Immobilière;Loyer novembre;1.234,56;;-1.134,56;gebucht",
        "06.11.26;06.11.26;Régie Immobilière;Loyer novembre;1.234,56;;-2.369,12;gebucht",
        "07.11.26;07.11.26;Someone;pending card payment;9,99;;-2.379,11;vorgemerkt",
    ])
    (book / "bank/rules/rent.yaml").write_text("id: rent\ncounterparty: /r.gie immobili/\npost_to: '6100'\n")
    git(book, "add", "-A")
    git(book, "commit", "-qm", "rent rule")
    res = ok(book, "bank", "import", export, "--account", "1010", "--rules", "banque-du-rhone", "--format", "json")
    out = json.loads(res.stdout)
    assert (out["matched"], out["ruled"], out["suspense"]) == (1, 2, 0)
    ids = [r["id"] for r in out["rows"]]
    assert all(i.startswith("h:") for i in ids) and len(set(ids)) == 3  # two identical-looking rent lines differ by balance
    bal = agree(book, "2026-11-30")
    assert (bal["1010"], bal["6100"]) == (D("-2369.12"), D("2469.12"))
    assert invoice_status(book)[invoices[0]] == "paid"
    st = doc(book, "report", "reconciliation", "--account", "1010")
    assert (st["statement_balance"], st["book_balance"]) == ("-2369.12", "-2369.12")
    again = head(book)
    res = ok(book, "bank", "import", export, "--account", "1010", "--rules", "banque-du-rhone")
    assert "Nothing new: all 3 line(s)" in res.stderr
    unchanged(book, again)


def test_csv_rows_that_do_not_read_are_refused_with_their_line(book, tmp_path):
    bank_book(book)
    fmt = tmp_path / "fmt.yaml"
    fmt.write_text(FORMAT, encoding="utf-8")
    before = head(book)
    short = csv_export(tmp_path / "short.csv", ["02.11.26;02.11.26;Café Lumière;Rechnung;;100,00;gebucht"])
    res = fails(book, "wrong-column-count", "bank", "import", short, "--account", "1010", "--rules", fmt)
    assert "short.csv:4:" in res.stderr
    bad = csv_export(tmp_path / "bad.csv", ["02.11.26;02.11.26;Café Lumière;Rechnung;;1OO,00;100,00;gebucht"])
    res = fails(book, "invalid-amount", "bank", "import", bad, "--account", "1010", "--rules", fmt)
    assert "bad.csv:4:" in res.stderr and "'1OO,00'" in res.stderr
    wrong_sum = csv_export(tmp_path / "sum.csv", ["02.11.26;02.11.26;A;x;;100,00;100,00;gebucht",
                                                  "03.11.26;03.11.26;B;y;;10,00;120,00;gebucht"])
    res = fails(book, "balance-mismatch", "bank", "import", wrong_sum, "--account", "1010", "--rules", fmt)
    assert "sum.csv:5:" in res.stderr
    unchanged(book, before)


OFX1 = """OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:USASCII
CHARSET:1252
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20261201<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS><CURDEF>EUR<BANKACCTFROM><BANKID>30001<ACCTID>0794123456<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20261101<DTEND>20261130
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261104<TRNAMT>80.00<FITID>F-1001<NAME>Epicerie Fine Petit<MEMO>Virement</STMTTRN>
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261105<TRNAMT>-3.50<FITID>F-1002<NAME>Banque<MEMO>Frais carte</STMTTRN>
</BANKTRANLIST>
<LEDGERBAL><BALAMT>76.50<DTASOF>20261130</LEDGERBAL>
</STMTRS></STMTTRNRS></BANKMSGSRSV1>
</OFX>
"""

OFX2 = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS><DTSERVER>20261201</DTSERVER><LANGUAGE>ENG</LANGUAGE></SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1><STMTTRNRS><TRNUID>2</TRNUID><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
<STMTRS><CURDEF>EUR</CURDEF><BANKACCTFROM><BANKID>30001</BANKID><ACCTID>0794123456</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>
<BANKTRANLIST><DTSTART>20261101</DTSTART><DTEND>20261130</DTEND>
<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20261105</DTPOSTED><TRNAMT>-3.50</TRNAMT><FITID>F-1002</FITID><NAME>Banque</NAME><MEMO>Frais carte</MEMO></STMTTRN>
<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20261110</DTPOSTED><TRNAMT>60.00</TRNAMT><FITID>F-1003</FITID><NAME>Cafe Lumiere</NAME><MEMO>Facture 2026-0002</MEMO></STMTTRN>
</BANKTRANLIST>
<LEDGERBAL><BALAMT>136.50</BALAMT><DTASOF>20261130</DTASOF></LEDGERBAL>
</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""


def test_ofx_sgml_then_xml_with_an_overlap(book, tmp_path):
    invoices = bank_book(book)
    one = tmp_path / "nov.ofx"
    one.write_text(OFX1, encoding="ascii")
    out = json.loads(ok(book, "bank", "import", one, "--account", "1010", "--format", "json").stdout)
    assert (out["matched"], out["ruled"]) == (1, 1)  # 80.00 from the Épicerie: its only open invoice of 80.00
    assert invoice_status(book)[invoices[2]] == "paid"
    two = tmp_path / "nov.qfx"
    two.write_text(OFX2, encoding="utf-8")
    out = json.loads(ok(book, "bank", "import", two, "--account", "1010", "--format", "json").stdout)
    assert (out["known"], out["matched"]) == (1, 1)
    assert invoice_status(book)[invoices[1]] == "paid"
    bal = agree(book, "2026-11-30")
    assert bal["1010"] == D("136.50")
    rec = doc(book, "report", "reconciliation", "--account", "1010")
    assert rec["statement_balance"] == "136.50" and rec["difference"] == "0.00"


def test_no_suspense_account_and_not_a_bank_account(book, tmp_path):
    trading_book(book)
    stmt = camt(tmp_path / "s.xml", [ntry("R1", "5.00", "DBIT", "2026-11-02", tx(ustrd="x"))], "5.00", "0.00")
    ok(book, "journal", "post", "--date", "2026-10-30", "--memo", "Opening", "-p", "1010", "5", "-p", "3100",
       today=dt.date(2026, 10, 30))
    fails(book, "no-suspense-account", "bank", "import", stmt, "--account", "1010")
    fails(book, "not-a-bank-account", "bank", "import", stmt, "--account", "6100")
