"""Reading bank statements: ISO 20022 camt.053 (001.02 and 001.08), bank CSV exports described by a
format record, and OFX 1.x (SGML) and 2.x (XML). Each becomes one `Parsed` statement of signed
lines (money in positive) with a unique id per line; a file that cannot be read exactly fails
with the line or element named and nothing is written.

XML is read by the standard library's parser through defusedxml, which refuses entity
declarations and external references (no XXE, no "billion laughs"). OFX is read by ofxtools,
which handles both the SGML and the XML dialects and converts amounts to Decimal.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from comptoir.errors import fail

ZERO = Decimal(0)


@dataclass
class Line:
    uid: str  # unique per bank account
    date: dt.date  # booking date
    amount: Decimal  # signed, in the statement's currency: money in positive
    where: str  # file:line or element path, for messages
    value_date: dt.date | None = None
    counterparty: str = ""
    counterparty_account: str = ""
    text: str = ""  # remittance information, unstructured, joined
    refs: list[str] = field(default_factory=list)  # structured references (document numbers)
    bank_ref: str = ""  # the bank's reference (AcctSvcrRef, FITID)
    end_to_end: str = ""
    reversal: bool = False
    foreign: tuple[Decimal, str] | None = None  # the instructed amount in another currency (unsigned)

    @property
    def words(self) -> str:
        return " ".join(x for x in (self.text, *self.refs) if x)


@dataclass
class Parsed:
    format: str
    source: str
    account_id: str = ""  # IBAN or the bank's account number
    currency: str | None = None
    statement_id: str = ""
    opening: Decimal | None = None
    closing: Decimal | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    lines: list[Line] = field(default_factory=list)
    where_balance: str = ""  # the element or line holding the closing balance
    pending: int = 0  # lines left out: not booked yet


def detect(raw: bytes) -> str:
    head = raw[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    lower = head.lower()
    if b"ofxheader" in lower or b"<ofx>" in lower or b"<?ofx" in lower:
        return "ofx"
    if head.startswith(b"<"):
        return "camt.053"
    return "csv"


def _bad(source: str, where: str, code: str, message: str, hint: str, line: int = 0):
    return fail(code, f"{where}: {message}" if where else message, hint, file=source, line=line)


# -- camt.053 ------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _El:
    """An ElementTree element with namespace-free paths and its own path for messages."""

    def __init__(self, el, path: str) -> None:
        self.el = el
        self.path = path

    def all(self, name: str) -> list[_El]:
        found = [c for c in self.el if _local(c.tag) == name]
        return [_El(c, f"{self.path}/{name}" + (f"[{i}]" if len(found) > 1 else "")) for i, c in enumerate(found, 1)]

    def one(self, dotted: str) -> _El | None:
        cur: _El | None = self
        for name in dotted.split("/"):
            if cur is None:
                return None
            kids = cur.all(name)
            cur = kids[0] if kids else None
        return cur

    def text(self, dotted: str) -> str:
        el = self.one(dotted)
        return (el.el.text or "").strip() if el is not None else ""

    def attr(self, name: str) -> str:
        return self.el.get(name, "")


def _amount(text: str, source: str, where: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _bad(source, where, "invalid-amount", f"{text!r} is not an amount",
                   "the statement is damaged or not a camt.053 file") from None
    if not value.is_finite():
        raise _bad(source, where, "invalid-amount", f"{text!r} is not an amount", "")
    return value


def _day(text: str, source: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise _bad(source, where, "invalid-date", f"{text!r} is not a date",
                   "camt dates are YYYY-MM-DD") from None


def _date_of(el: _El | None, source: str) -> dt.date | None:
    if el is None:
        return None
    text = el.text("Dt") or el.text("DtTm")
    return _day(text, source, el.path) if text else None


def _signed(el: _El, source: str, amount_path: str = "Amt") -> tuple[Decimal, str]:
    amt = el.one(amount_path)
    if amt is None:
        raise _bad(source, el.path, "missing-amount", "has no Amt", "the statement is damaged")
    value = _amount((amt.el.text or "").strip(), source, amt.path)
    ind = el.text("CdtDbtInd")
    if ind not in ("CRDT", "DBIT"):
        raise _bad(source, el.path + "/CdtDbtInd", "invalid-indicator",
                   f"credit/debit indicator {ind!r} is neither CRDT nor DBIT", "the statement is damaged")
    return (value if ind == "CRDT" else -value), amt.attr("Ccy")


def parse_camt(raw: bytes, source: str) -> Parsed:
    import defusedxml.ElementTree as safe_et
    from defusedxml import DefusedXmlException

    try:
        root = safe_et.fromstring(raw)
    except DefusedXmlException as exc:
        raise fail("unsafe-xml", f"{source}: the file declares entities or external references ({exc})",
                   "a bank statement never needs them; ask the bank for the file again", file=source, line=1) \
            from None
    except safe_et.ParseError as exc:
        at = exc.position[0] if getattr(exc, "position", None) else 1
        raise fail("invalid-xml", f"not well-formed XML: {exc}", "is this the bank's camt.053 file?",
                   file=source, line=at) from None
    doc = _El(root, _local(root.tag))
    body = doc.one("BkToCstmrStmt")
    if body is None:
        raise _bad(source, doc.path, "not-camt053", "no BkToCstmrStmt element",
                   "give a camt.053 bank-to-customer statement (camt.052 and .054 are not statements)")
    stmts = body.all("Stmt")
    if len(stmts) != 1:
        raise _bad(source, body.path, "one-statement", f"{len(stmts)} Stmt elements",
                   "import a file with exactly one statement (one account, one period)")
    st = stmts[0]
    out = Parsed("camt.053", source, statement_id=st.text("Id"))
    out.account_id = st.text("Acct/Id/IBAN") or st.text("Acct/Id/Othr/Id")
    out.currency = st.text("Acct/Ccy") or None
    for bal in st.all("Bal"):
        code = bal.text("Tp/CdOrPrtry/Cd") or bal.text("Tp/CdOrPrtry/Prtry")
        if code in ("OPBD", "PRCD"):
            if out.opening is None or code == "OPBD":
                out.opening, _ = _signed(bal, source)
                out.start = _date_of(bal.one("Dt"), source)
        elif code == "CLBD":
            out.closing, ccy = _signed(bal, source)
            out.end = _date_of(bal.one("Dt"), source)
            out.where_balance = bal.path
            out.currency = out.currency or ccy or None
    frm = st.text("FrToDt/FrDtTm")
    if frm:
        out.start = _day(frm, source, st.path + "/FrToDt")
    if out.closing is None:
        raise _bad(source, st.path, "missing-balance", "no closing booked balance (Bal with Tp CLBD)",
                   "a statement without its closing balance cannot be reconciled")
    seen: dict[str, int] = {}
    for ntry in st.all("Ntry"):
        status = ntry.text("Sts/Cd") or ntry.text("Sts")
        if status and status != "BOOK":
            out.pending += 1
            continue
        amount, ccy = _signed(ntry, source)
        if out.currency and ccy and ccy != out.currency:
            raise _bad(source, ntry.path + "/Amt", "currency-mismatch",
                       f"entry in {ccy}, the account in {out.currency}", "the statement is damaged")
        booked = _date_of(ntry.one("BookgDt"), source)
        if booked is None:
            raise _bad(source, ntry.path, "missing-date", "no booking date (BookgDt)", "the statement is damaged")
        value_day = _date_of(ntry.one("ValDt"), source)
        reversal = ntry.text("RvslInd").lower() in ("true", "1")
        ref = ntry.text("AcctSvcrRef") or ntry.text("NtryRef")
        details = [tx for d in ntry.all("NtryDtls") for tx in d.all("TxDtls")]
        if not details:
            details = [None]  # type: ignore[list-item]
        parts: list[Line] = []
        for i, tx in enumerate(details, 1):
            line = Line("", booked, amount, tx.path if tx is not None else ntry.path, value_date=value_day,
                        bank_ref=ref, reversal=reversal)
            if tx is not None:
                _tx_details(tx, line, ntry, source, len(details) > 1, amount)
            own = (tx.text("Refs/AcctSvcrRef") if tx is not None else "") or ""
            if len(details) > 1:
                line.uid = f"{ref}/{own or i}" if ref else ""
            else:
                line.uid = ref or own
            if not line.uid:
                key = "|".join(str(x) for x in (booked, line.amount, line.counterparty, line.text, line.end_to_end,
                                                 line.bank_ref))
                line.uid = "h:" + hashlib.sha256(key.encode()).hexdigest()[:16]
            parts.append(line)
        if len(parts) > 1:
            total = sum((p.amount for p in parts), ZERO)
            if total != amount:
                raise _bad(source, ntry.path, "batch-mismatch",
                           f"the entry's {len(parts)} transactions add up to {total}, the entry says {amount}",
                           "the statement is damaged; ask the bank for it again")
        for p in parts:
            count = seen.get(p.uid, 0)
            seen[p.uid] = count + 1
            if count:  # the same id twice in one file: keep both, told apart by their order
                p.uid = f"{p.uid}#{count + 1}"
            out.lines.append(p)
    return out


def _tx_details(tx: _El, line: Line, ntry: _El, source: str, batch: bool, entry_amount: Decimal) -> None:
    if batch:
        # 001.08: TxDtls/Amt and its own CdtDbtInd; 001.02: AmtDtls/TxAmt/Amt
        if tx.one("Amt") is not None:
            value, _ = _signed(tx if tx.text("CdtDbtInd") else _Merged(tx, ntry), source)
        elif tx.one("AmtDtls/TxAmt/Amt") is not None:
            el = tx.one("AmtDtls/TxAmt/Amt")
            value = _amount((el.el.text or "").strip(), source, el.path)  # type: ignore[union-attr]
            value = value if entry_amount >= 0 else -value
        else:
            raise _bad(source, tx.path, "missing-amount", "a transaction of a batch entry has no amount",
                       "the statement is damaged")
        line.amount = value
    instd = tx.one("AmtDtls/InstdAmt/Amt")
    if instd is not None and instd.attr("Ccy"):
        line.foreign = (_amount((instd.el.text or "").strip(), source, instd.path), instd.attr("Ccy"))
    inward = line.amount >= 0
    # 001.08 wraps the party in Pty; 001.02 does not
    # the other party: the debtor of money in, the creditor of money out (a returned direct
    # debit names only its creditor, so the other side is the fallback)
    for party in (("Dbtr", "Cdtr") if inward else ("Cdtr", "Dbtr")):
        line.counterparty = tx.text(f"RltdPties/{party}/Pty/Nm") or tx.text(f"RltdPties/{party}/Nm")
        line.counterparty_account = (tx.text(f"RltdPties/{party}Acct/Id/IBAN")
                                     or tx.text(f"RltdPties/{party}Acct/Id/Othr/Id"))
        if line.counterparty or line.counterparty_account:
            break
    line.end_to_end = tx.text("Refs/EndToEndId")
    if line.end_to_end == "NOTPROVIDED":
        line.end_to_end = ""
    rmt = tx.one("RmtInf")
    texts: list[str] = []
    if rmt is not None:
        texts = [(u.el.text or "").strip() for u in rmt.all("Ustrd")]
        for strd in rmt.all("Strd"):
            for doc in strd.all("RfrdDocInf"):
                number = doc.text("Nb")
                if number:
                    line.refs.append(number)
            ref = strd.text("CdtrRefInf/Ref")
            if ref:
                line.refs.append(ref)
    extra = tx.text("AddtlTxInf")
    line.text = " ".join(t for t in (*texts, extra) if t) or ntry.text("AddtlNtryInf")


class _Merged(_El):
    """A transaction's amount with the entry's credit/debit indicator (001.08 may leave it out)."""

    def __init__(self, tx: _El, ntry: _El) -> None:
        super().__init__(tx.el, tx.path)
        self._ntry = ntry

    def text(self, dotted: str) -> str:
        return super().text(dotted) if dotted != "CdtDbtInd" else self._ntry.text("CdtDbtInd")


# -- CSV -----------------------------------------------------------------------------------------

_TOKENS = [("YYYY", "%Y"), ("YY", "%y"), ("MM", "%m"), ("DD", "%d")]


def strptime_pattern(text: str) -> str:
    if "%" in text:
        return text
    out = text
    for token, code in _TOKENS:
        out = out.replace(token, code)
    return out


def parse_number(text: str, decimal: str, thousands: str | None) -> Decimal:
    """A bank's amount as text ('1.234,56', '-12,50', '(3.00)', '12.50-') to an exact Decimal."""
    t = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    if thousands in ("", "space"):  # a format file cannot keep a lone space: it is written `space`
        thousands = " "
    negative = False
    if t.startswith("(") and t.endswith(")"):
        negative, t = True, t[1:-1].strip()
    if t.endswith("-"):
        negative, t = True, t[:-1].strip()
    if thousands:
        t = t.replace(thousands, "")
    if decimal == ",":
        if "." in t and not thousands:
            raise ValueError(text)
        t = t.replace(",", ".")
    t = t.replace(" ", "") if thousands == " " else t
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", t):
        raise ValueError(text)
    value = Decimal(t)
    return -value if negative else value


def _column(fmt, header: list[str] | None, name: str | None, source: str) -> int | None:
    if name is None:
        return None
    if header is not None and name in header:
        return header.index(name)
    if name.isdigit() and int(name) >= 1:
        return int(name) - 1
    known = ", ".join(header or []) or "(no header row)"
    raise fail("unknown-column", f"the format {fmt.id} names column {name!r}, which the file does not have",
               f"columns: {known}; fix bank/formats/{fmt.id}.yaml", file=source, line=fmt.skip_lines + 1)


def parse_csv(raw: bytes, source: str, fmt) -> Parsed:
    try:
        text = raw.decode(fmt.encoding)
    except LookupError:
        raise fail("unknown-encoding", f"encoding {fmt.encoding!r} is unknown",
                   "use utf-8-sig, iso-8859-1, cp1252, ...", file=source, line=1) from None
    except UnicodeDecodeError as exc:
        at = raw[:exc.start].count(b"\n") + 1
        raise fail("invalid-encoding", f"byte {raw[exc.start]:#04x} is not {fmt.encoding}",
                   "set encoding: in the format (iso-8859-1 for most older exports)", file=source,
                   line=at) from None
    text = text.lstrip("\ufeff")
    physical = text.splitlines(keepends=True)
    # csv.reader's line_num counts physical lines read so far: map each row back to its file line
    reader = csv.reader(io.StringIO("".join(physical[fmt.skip_lines:])), delimiter=fmt.delimiter)
    numbered: list[tuple[int, list[str]]] = []
    start = 1
    for row in reader:
        numbered.append((fmt.skip_lines + start, row))
        start = reader.line_num + 1
    header: list[str] | None = None
    if fmt.header:
        if not numbered:
            raise fail("empty-file", "the file has no header row", "is this the right file?", file=source, line=1)
        header = [h.strip() for h in numbered[0][1]]
        numbered = numbered[1:]
    cols = {k: _column(fmt, header, getattr(fmt, k), source)
            for k in ("booking_date", "value_date", "amount", "debit", "credit", "counterparty", "counterparty_account",
                      "id_column", "balance")}
    text_cols = [_column(fmt, header, c, source) for c in fmt.text]
    skips = [(_column(fmt, header, s.column, source), s) for s in fmt.skip]
    width = len(header) if header is not None else None
    pattern = strptime_pattern(fmt.date_format)
    out = Parsed("csv", source, currency=fmt.currency)
    occurrences: dict[str, int] = {}
    previous_balance: Decimal | None = None
    dates: dict[str, dt.date] = {}  # a month's statement has some thirty distinct dates
    for lineno, row in numbered:
        if not row or all(not c.strip() for c in row):
            continue
        if width is None:
            width = len(row)
        if len(row) != width:
            raise fail("wrong-column-count", f"row has {len(row)} columns, the header has {width}",
                       f"check the separator ({fmt.delimiter!r}) and quoting of this line", file=source, line=lineno)
        if any(i is not None and _skipped(row[i], s) for i, s in skips):  # a skip rule always names one
            out.pending += 1
            continue

        def cell(key: str, row=row) -> str:
            i = cols[key]
            return row[i].strip() if i is not None else ""

        def number(key: str, lineno=lineno) -> Decimal:
            value = cell(key)
            try:
                return parse_number(value, fmt.decimal, fmt.thousands) if value else ZERO
            except (ValueError, InvalidOperation):
                raise fail("invalid-amount", f"{getattr(fmt, key)} {value!r} is not an amount",
                           f"decimal: {fmt.decimal!r}, thousands: {fmt.thousands!r} in bank/formats/{fmt.id}.yaml",
                           file=source, line=lineno) from None

        def day(key: str, lineno=lineno) -> dt.date | None:
            value = cell(key)
            if not value:
                return None
            known = dates.get(value)
            if known is not None:
                return known
            try:
                known = dates[value] = dt.datetime.strptime(value, pattern).date()
                return known
            except ValueError:
                raise fail("invalid-date", f"{getattr(fmt, key)} {value!r} does not read as {fmt.date_format}",
                           f"fix date_format: in bank/formats/{fmt.id}.yaml", file=source, line=lineno) from None

        booked = day("booking_date")
        if booked is None:
            raise fail("missing-date", f"no {fmt.booking_date} on this row", "every booked line has a date",
                       file=source, line=lineno)
        if fmt.amount is not None:
            amount = number("amount")
        else:
            amount = abs(number("credit")) - abs(number("debit"))
        if fmt.sign == "inverted":
            amount = -amount
        raw_line = fmt.delimiter.join(row)
        uid = cell("id_column")
        if not uid:
            # no id from the bank: the line itself names it; the same line twice in one file is
            # told apart by its order (#2), so a re-import of the file finds both again
            uid = "h:" + hashlib.sha256(raw_line.encode("utf-8")).hexdigest()[:16]
        count = occurrences.get(uid, 0)
        occurrences[uid] = count + 1
        if count:
            uid = f"{uid}#{count + 1}"
        line = Line(uid, booked, amount, f"{source}:{lineno}", value_date=day("value_date"),
                    counterparty=cell("counterparty"), counterparty_account=cell("counterparty_account"),
                    text=" ".join(row[i].strip() for i in text_cols if i is not None and row[i].strip()))
        if cols["balance"] is not None and cell("balance"):
            after = number("balance")
            if previous_balance is None:
                out.opening = after - amount
            elif previous_balance + amount != after:
                raise fail("balance-mismatch", f"balance {after} after this line, but the line before left "
                           f"{previous_balance} and this line moves {amount}",
                           "the export is incomplete or damaged: export the period again", file=source,
                           line=lineno)
            previous_balance = after
            out.closing = after
            out.where_balance = f"line {lineno}"
        out.lines.append(line)
    if out.lines:
        out.start = min(ln.date for ln in out.lines)
        out.end = max(ln.date for ln in out.lines)
    return out


def _skipped(value: str, rule) -> bool:
    value = value.strip()
    if rule.equals is not None and value.casefold() == rule.equals.casefold():
        return True
    return rule.matches is not None and re.search(rule.matches, value, re.IGNORECASE) is not None


# -- OFX -----------------------------------------------------------------------------------------


def parse_ofx(raw: bytes, source: str) -> Parsed:
    from ofxtools.Parser import OFXTree

    tree = OFXTree()
    try:
        tree.parse(io.BytesIO(raw))
        ofx = tree.convert()
    except Exception as exc:  # noqa: BLE001 - ofxtools raises many kinds; all mean "not a readable OFX file"
        raise fail("invalid-ofx", f"cannot read the OFX file: {type(exc).__name__}: {exc}",
                   "is this the bank's OFX (or QFX) download?", file=source, line=1) from None
    stmts = list(ofx.statements)
    if len(stmts) != 1:
        raise fail("one-statement", f"the file holds {len(stmts)} statements",
                   "import a file with exactly one account's statement", file=source, line=1)
    st = stmts[0]
    out = Parsed("ofx", source, currency=st.curdef)
    acct = st.account
    out.account_id = getattr(acct, "acctid", "") or ""
    tl = st.banktranlist
    if tl is not None:
        out.start = tl.dtstart.date() if tl.dtstart else None
        out.end = tl.dtend.date() if tl.dtend else None
    if st.ledgerbal is not None:
        out.closing = st.ledgerbal.balamt
        out.end = st.ledgerbal.dtasof.date()
        out.where_balance = "LEDGERBAL"
    seen: dict[str, int] = {}
    for n, tx in enumerate(tl or [], 1):
        uid = tx.fitid
        count = seen.get(uid, 0)
        seen[uid] = count + 1
        if count:
            uid = f"{uid}#{count + 1}"
        foreign = None
        if getattr(tx, "currency", None) is not None and tx.currency.cursym:
            rate = tx.currency.currate
            foreign = (abs(tx.trnamt) * rate, tx.currency.cursym) if rate else None
        out.lines.append(Line(uid, tx.dtposted.date(), tx.trnamt, f"{source}: STMTTRN {n} (FITID {tx.fitid})",
                              counterparty=tx.name or (tx.payee.name if tx.payee is not None else "") or "",
                              text=" ".join(x for x in (tx.memo, tx.checknum, tx.refnum) if x),
                              bank_ref=tx.fitid, foreign=foreign))
    return out


def parse(raw: bytes, source: str, fmt=None) -> Parsed:
    kind = detect(raw)
    if kind == "csv":
        if fmt is None:
            raise fail("csv-needs-format", f"{source} is a CSV export: comptoir needs to know its columns",
                       "give --rules NAME of a format in bank/formats/ (see `comptoir bank import --help`)",
                       file=source, line=1)
        return parse_csv(raw, source, fmt)
    if kind == "ofx":
        return parse_ofx(raw, source)
    return parse_camt(raw, source)
