"""What every leaf command gets when it loads: the examples shown at the end of its --help, shell
completion of the ids its options and arguments name, and (read-only commands) a check that its
filters name something that exists."""

from __future__ import annotations

import functools

import click

EXAMPLES: dict[str, list[str]] = {}


def prepare(command: click.Command, path: str) -> None:
    """Attach examples to `command` and, as they load, to the commands under it (once each); a
    read-only leaf command also refuses filters that name what does not exist."""
    if getattr(command, "_comptoir_prepared", False):
        return
    command._comptoir_prepared = True  # type: ignore[attr-defined]
    if isinstance(command, click.Group):
        # groups load their commands lazily, in their own ways: prepare whatever they return
        original = command.get_command

        def get_command(ctx: click.Context, name: str) -> click.Command | None:
            sub = original(ctx, name)
            if sub is not None:
                prepare(sub, f"{path} {name}")
            return sub

        command.get_command = get_command  # type: ignore[method-assign, assignment]
        return
    lines = EXAMPLES.get(path)
    if lines:
        block = "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)
        command.epilog = f"{command.epilog}\n\n{block}" if command.epilog else block
    _check_filters_first(command)
    _complete_ids(command, path)


# parameter name -> the kind whose ids complete it; an ID argument completes by its command
_COMPLETE = {"account": "account", "posting_help": "account", "partner": "partner", "partner_id": "partner", "item": "item", "sku": "item",
             "items": "item", "warehouse": "warehouse", "lead_id": "lead", "department": "department",
             "manager": "employee", "parent": "account", "tax": "tax-code", "bom_ref": "bom"}
_IDENT = {"journal": "journal", "crm lead": "lead", "crm opp": "opportunity", "crm activity": "activity",
          "partner": "partner", "item": "item", "hr employee": "employee", "hr department": "department",
          "hr payroll": "payroll", "purchase": "purchase-order", "mfg bom": "bom", "mfg": "work-order",
          "sales credit-note": "invoice", "sales renumber": "invoice", "sales": "sales-order", "history": None}


def _complete_ids(command: click.Command, path: str) -> None:
    group = next((g for g in sorted(_IDENT, key=len, reverse=True) if path == g or path.startswith(g + " ")), "")
    for param in command.params:
        kind = _COMPLETE.get(param.name or "")
        if kind is None and isinstance(param, click.Argument) and param.name in ("ident", "code", "sku"):
            kind = "item" if param.name == "sku" else _IDENT.get(group)
            if param.name == "code" and group != "hr department":
                kind = None
        if kind is None or getattr(param, "_custom_shell_complete", None) is not None:
            continue
        param._custom_shell_complete = _completer(kind)


def _completer(kind: str):
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
        try:
            from comptoir.book.root import find_root
            from comptoir.suggest import known_ids

            root = find_root(ctx.find_root().params.get("repo"))
            return sorted(i for i in known_ids(root, kind) if i.startswith(incomplete))
        except Exception:  # noqa: BLE001 - completion must never print an error into the shell
            return []

    return complete


def _check_filters_first(command: click.Command) -> None:
    """`report ledger 1010 --partner nosuch` is an error naming the partner, not an empty table."""
    from comptoir.suggest import FILTER_KINDS

    names = {p.name for p in command.params}
    if "fmt" not in names or "no_commit" in names or not names & set(FILTER_KINDS) or command.callback is None:
        return
    callback = command.callback

    @functools.wraps(callback)
    def checked(*args, **kwargs):
        ctx = click.get_current_context()
        if ctx.obj is not None:
            from comptoir.suggest import check_filters

            check_filters(ctx.obj, ctx.params, ctx.meta)
        return callback(*args, **kwargs)

    command.callback = checked


def _add(path: str, *lines: str) -> None:
    EXAMPLES[path] = list(lines)


# The ids below are the demo company's (ledger-data/): try them with `--repo ledger-data`.
# tests/test_help.py runs every read-only example on a copy of the demo and parses every other one.
_add("init", "comptoir init books --company \"Brûlerie Exemple\" --currency EUR",
     "comptoir init ~/books/acme --company Acme --currency USD --fiscal-year-start 07-01")
_add("validate", "comptoir validate", "comptoir validate --base origin/main --format github")
_add("account add", "comptoir account add 6150 \"Packaging\" --type expense --parent 6000",
     "comptoir account add 1030 \"Bank USD\" --type asset --parent 1000 --currency USD --role bank")
_add("account list", "comptoir account list", "comptoir account list --format csv > chart.csv")
_add("audit verify", "comptoir audit verify", "comptoir audit verify --since HEAD~20 --format json")
_add("journal post",
     "comptoir journal post --date 2026-11-05 --memo \"Office supplies\" -p 6100 120.00 -p 1010",
     "comptoir journal post --file batch.yaml")
_add("journal list", "comptoir journal list --period 2026-11", "comptoir journal list --account 61 --text coffee")
_add("journal show", "comptoir journal show JE-20261130-FKNB")
_add("journal reverse", "comptoir journal reverse JE-20261130-FKNB --date 2026-11-30")
_add("period close", "comptoir period close 2026-09-30")
_add("period close-year", "comptoir period close-year 2026")
_add("period reopen", "comptoir period reopen 2026-08-31 --reason \"late supplier bill\"")
_add("period revalue", "comptoir period revalue 2026-11-30 --dry-run")
_add("rate add", "comptoir rate add USD 0.9345 --date 2026-12-01", "comptoir rate add USD 0.94 --date 2026-11-27 --replace")
_add("rate list", "comptoir rate list", "comptoir rate list --currency USD --format json")
_add("export catalog", "comptoir export catalog --format json > catalog.json")
_add("export hledger", "comptoir export hledger > books.journal", "comptoir export hledger --period 2026-11")
_add("report activities", "comptoir report activities --period 2026-11")
_add("report ap-aging", "comptoir report ap-aging", "comptoir report ap-aging --detail --date 2026-11-30")
_add("report ar-aging", "comptoir report ar-aging", "comptoir report ar-aging --detail --format csv")
_add("report balance-sheet", "comptoir report balance-sheet", "comptoir report balance-sheet --to 2026-10-31 --depth 2",
     "comptoir report balance-sheet --by quarter")
_add("report bom-cost", "comptoir report bom-cost ESP-1K", "comptoir report bom-cost ESP-250 --qty 100")
_add("report cash-flow", "comptoir report cash-flow --year 2026")
_add("report cash-forecast", "comptoir report cash-forecast --weeks 8", "comptoir report cash-forecast --minimum 30000")
_add("report forecast", "comptoir report forecast --months 6", "comptoir report forecast --by quarter --months 9")
_add("report funnel", "comptoir report funnel", "comptoir report funnel --period 2026-11")
_add("report headcount", "comptoir report headcount", "comptoir report headcount --department ROAST")
_add("report income-statement", "comptoir report income-statement --period 2026-11",
     "comptoir report income-statement --year 2026 --compare previous-period",
     "comptoir report income-statement --by month --format markdown")
_add("report journal", "comptoir report journal --period 2026-11")
_add("report ledger", "comptoir report ledger 1010", "comptoir report ledger 1100 --partner hotel-bellecour")
_add("report open-orders", "comptoir report open-orders", "comptoir report open-orders --side sales")
_add("report overview", "comptoir report overview", "comptoir report overview --as-of 2026-10-31")
_add("report payroll", "comptoir report payroll", "comptoir report payroll --by department --period 2026-11",
     "comptoir report payroll --per month")
_add("report pipeline", "comptoir report pipeline", "comptoir report pipeline --by owner")
_add("report production", "comptoir report production", "comptoir report production --item ROAST-ESP")
_add("report purchases", "comptoir report purchases", "comptoir report purchases --by item",
     "comptoir report purchases --per quarter")
_add("report register", "comptoir report register --account 1010 --period 2026-11",
     "comptoir report register --partner hotel-bellecour --min 100")
_add("report reorder", "comptoir report reorder")
_add("report stock-out", "comptoir report stock-out", "comptoir report stock-out --date 2026-11-28 --days 90")
_add("report budget", "comptoir report budget --version \"Q4 reforecast\" --to 2026-11-30",
     "comptoir report budget --version 2026-plan --by quarter")
_add("report rolling-forecast", "comptoir report rolling-forecast --version \"Q4 reforecast\"",
     "comptoir report rolling-forecast --version 2026-q4-reforecast --method run-rate")
_add("report pack", "comptoir report pack --out site", "comptoir report pack --out site-october --as-of 2026-10-31")
_add("budget add", "comptoir budget add 2027-q2 --name \"Q2 reforecast\" --from 2027-04 --to 2027-06 --line 4010 30000 "
     "--line 6100 2400 --month 4010 2027-06 34000")
_add("budget list", "comptoir budget list", "comptoir budget list --format json")
_add("budget cash-settings", "comptoir budget cash-settings --minimum 25000 --vat-settlement monthly")
_add("report sales", "comptoir report sales --by customer", "comptoir report sales --by item --period 2026-11",
     "comptoir report sales --per month --by customer")
_add("report statement", "comptoir report statement hotel-bellecour", "comptoir report statement origines-cafe-vert")
_add("report stock-balance", "comptoir report stock-balance", "comptoir report stock-balance --item BLEND-1K")
_add("report stock-ledger", "comptoir report stock-ledger --item GREEN-PER --period 2026-11")
_add("report tax", "comptoir report tax --period 2026-11")
_add("report trial-balance", "comptoir report trial-balance", "comptoir report trial-balance --period 2026-11 --format markdown",
     "comptoir report trial-balance --by quarter")
_add("item add", "comptoir item add FIL-1K \"Filtre Guji, roasted, 1 kg\" --uom bag --type finished-good --price 34.00",
     "comptoir item add CUPS-12 \"Paper cups 12 cl\" --type stocked --reorder-point 500 --reorder-qty 2000")
_add("item list", "comptoir item list", "comptoir item list --type raw-material")
_add("item show", "comptoir item show BLEND-1K")
_add("warehouse add", "comptoir warehouse add DEPOT \"Depot Vénissieux\" --address \"12 rue du Port, Vénissieux\"")
_add("warehouse list", "comptoir warehouse list")
_add("stock receive", "comptoir stock receive BLEND-1K --qty 40 --unit-cost 8.90 --warehouse ROASTERY --account 5010")
_add("stock issue", "comptoir stock issue GREEN-PER --qty 25 --warehouse ROASTERY --account 5010 --reason \"roast batch\"")
_add("stock transfer", "comptoir stock transfer BLEND-1K --qty 10 --from ROASTERY --to SHOP")
_add("stock adjust", "comptoir stock adjust PERU-1K --counted 12 --warehouse ROASTERY --reason \"count 30 Nov\"")
_add("stock available", "comptoir stock available", "comptoir stock available BLEND-1K --warehouse ROASTERY")
_add("stock promise", "comptoir stock promise BLEND-1K --qty 40")
_add("history", "comptoir history hotel-bellecour", "comptoir history JE-20261130-FKNB --format json")
_add("diff", "comptoir diff HEAD~5", "comptoir diff origin/main HEAD --format markdown")
_add("fsmonitor on", "comptoir fsmonitor on")
_add("fsmonitor off", "comptoir fsmonitor off")
_add("fsmonitor status", "comptoir fsmonitor status")
_add("schema export", "comptoir schema export", "comptoir schema export /tmp/comptoir-schemas")
_add("partner add", "comptoir partner add \"Café Lumière\" --email bonjour@cafe-lumiere.fr --payment-terms 30",
     "comptoir partner add \"Finca La Esperanza\" --role supplier --currency USD --lead-time 45")
_add("partner update", "comptoir partner update hotel-bellecour --credit-limit 12000",
     "comptoir partner update cafe-de-la-soie --contact \"Léa Dubois,lea@cafe-soie.fr\"")
_add("partner list", "comptoir partner list", "comptoir partner list --role supplier --search café")
_add("partner show", "comptoir partner show hotel-bellecour")
_add("crm lead add", "comptoir crm lead add \"Marie Dupont\" --company \"Café Dupont\" --email marie@cafe-dupont.fr --source event",
     "comptoir crm lead add \"Tom Roy\" --phone \"06 12 34 56 78\" --interest espresso --follow-up 2026-12-05")
_add("crm lead update", "comptoir crm lead update L-20261121-TKWJ --status contacted --note \"called, wants samples\"",
     "comptoir crm lead update L-20261121-S6YK --follow-up 2026-12-10")
_add("crm lead list", "comptoir crm lead list --status new", "comptoir crm lead list --due --sort age")
_add("crm lead show", "comptoir crm lead show L-20261121-TKWJ")
_add("crm lead convert", "comptoir crm lead convert L-20261121-TKWJ --title \"Salon Gauthier: tea-room coffee\" --amount 2400")
_add("crm capture", "comptoir crm capture --file submissions.json", "curl -s $FORMS_URL | comptoir crm capture --file - --dry-run")
_add("crm campaign add", 'comptoir crm campaign add "Autumn newsletter" --channel email --start 2026-10-01 --cost 250.00 --utm-campaign autumn-2026')
_add("crm campaign list", "comptoir crm campaign list", "comptoir crm campaign list --format csv")
_add("crm lead forget", "comptoir crm lead forget L-20261014-M84A")
_add("crm export contacts", "comptoir crm export contacts --format csv > contacts.csv", "comptoir crm export contacts --all --format csv")
_add("report campaigns", "comptoir report campaigns", "comptoir report campaigns --from 2026-10-01 --to 2026-12-31 --format markdown")
_add("crm followups", "comptoir crm followups", "comptoir crm followups --owner julien --overdue")
_add("crm activity add", "comptoir crm activity add call \"Tasting booked\" --lead L-20261121-TKWJ",
     "comptoir crm activity add task \"Send the price list\" --partner hotel-bellecour --due 2026-12-02")
_add("crm activity done", "comptoir crm activity done ACT-20261126-P94T --note \"sent by email\"")
_add("crm activity list", "comptoir crm activity list --open", "comptoir crm activity list --partner hotel-bellecour")
_add("crm opp add", "comptoir crm opp add \"Café Lumière: filter coffee\" --partner cafe-lumiere --amount 3600 --close 2027-01-31",
     "comptoir crm opp add \"Hotel: breakfast\" --partner hotel-bellecour --line BLEND-1K 40 25.00")
_add("crm opp update", "comptoir crm opp update OPP-20261110-C14E --stage proposal --amount 4200")
_add("crm opp list", "comptoir crm opp list --open", "comptoir crm opp list --partner cafe-lumiere")
_add("crm opp show", "comptoir crm opp show OPP-20261110-C14E")
_add("crm opp win", "comptoir crm opp win OPP-20261124-P5YF")
_add("crm opp lose", "comptoir crm opp lose OPP-20261110-C14E --reason \"chose a cheaper roaster\"")
_add("hr department add", "comptoir hr department add SHOP \"Coffee shop\" --cost-centre 6010",
     "comptoir hr department add SHOP \"Coffee shop\" --cost-centre 6014 --contributions-centre 6024")
_add("hr department update", "comptoir hr department update ROAST --name \"Roastery\"")
_add("hr department list", "comptoir hr department list")
_add("hr employee add", "comptoir hr employee add \"Inès Moreau\" --department ROAST --role roaster --start 2026-12-01 "
     "--monthly-salary 2450.00")
_add("hr employee update", "comptoir hr employee update E-20260901-QAZM --monthly-salary 2900.00 --start 2026-12-01")
_add("hr employee list", "comptoir hr employee list", "comptoir hr employee list --department OFFICE")
_add("hr employee show", "comptoir hr employee show E-20260901-QAZM")
_add("hr payroll run", "comptoir hr payroll run --period 2026-12 --dry-run")
_add("hr payroll pay", "comptoir hr payroll pay --period 2026-11 --date 2026-11-30")
_add("hr payroll pay-liabilities", "comptoir hr payroll pay-liabilities --period 2026-11 --date 2026-12-15",
     "comptoir hr payroll pay-liabilities --period 2026-11 --withholding 500.00")
_add("hr payroll list", "comptoir hr payroll list")
_add("hr payroll show", "comptoir hr payroll show 2026-11")
_add("sales quote", "comptoir sales quote --partner brasserie-du-parc --line \"BLEND-1K 20\" --tax VAT55 --warehouse ROASTERY")
_add("sales order", "comptoir sales order --partner hotel-bellecour --line \"BLEND-1K 60\" --tax VAT55 --warehouse ROASTERY",
     "comptoir sales order --partner cafe-de-la-soie --line \"PERU-1K 10 30.00\" --line \"TRAIN-SVC 1 tax=VAT20\" --tax VAT55")
_add("sales confirm", "comptoir sales confirm SO-20261125-0VAC",
     "comptoir sales confirm SO-20261125-0VAC --date 2026-11-27")
_add("sales deliver", "comptoir sales deliver SO-20261126-971M", "comptoir sales deliver SO-20261116-SPSG --line 1 --qty 5")
_add("document", "comptoir document 2026-0001 --out /tmp/invoice-2026-0001.pdf",
     "comptoir document 2026-0014 --out /tmp/2026-0014.ubl.xml",
     "comptoir document SO-20261125-0VAC --out /tmp/quote.pdf",
     "comptoir document bureaux-cafe-service --statement --out /tmp/statement.pdf")
_add("sales invoice", "comptoir sales invoice SO-20261124-TN63",
     "comptoir sales invoice SO-20261124-TN63 --date 2026-11-27 --due 2026-12-31")
_add("sales credit-note", "comptoir sales credit-note INV-20261117-PA8B --reason \"damaged bags\" --line 1 --qty 2")
_add("sales cancel", "comptoir sales cancel SO-20261125-0VAC")
_add("sales seller", "comptoir sales seller --vat-id FR74912345678 --street \"14 rue des Halles\" --postal-code 69002 "
     "--city Lyon --country FR", "comptoir sales seller --iban \"FR76 3000 4000 0312 3456 7890 143\" --bic BNPAFRPPXXX")
_add("sales renumber", "comptoir sales renumber INV-20261118-JPZ0")
_add("sales list", "comptoir sales list", "comptoir sales list --status confirmed --partner hotel-bellecour")
_add("sales invoices", "comptoir sales invoices --open", "comptoir sales invoices --partner hotel-bellecour")
_add("sales show", "comptoir sales show SO-20261116-SPSG", "comptoir sales show INV-20261117-PA8B")
_add("purchase order", "comptoir purchase order --partner origines-cafe-vert --line \"GREEN-PER 600 7.40\" --tax VAT55 "
     "--warehouse ROASTERY --expected 2026-12-15")
_add("purchase receive", "comptoir purchase receive PO-20261123-AA56",
     "comptoir purchase receive PO-20261102-6K4F --line 1 --qty 100 --reference \"BL-1201\"")
_add("purchase bill", "comptoir purchase bill PO-20261102-6K4F --number OCV-F-1201 --date 2026-12-01")
_add("purchase reschedule", "comptoir purchase reschedule PO-20261123-AA56 --expected 2026-12-20")
_add("purchase cancel", "comptoir purchase cancel PO-20261123-AA56")
_add("purchase list", "comptoir purchase list", "comptoir purchase list --partner origines-cafe-vert")
_add("purchase bills", "comptoir purchase bills --open")
_add("purchase show", "comptoir purchase show PO-20261102-6K4F")
_add("pay receive", "comptoir pay receive --partner hotel-bellecour --invoice INV-20261118-JPZ0",
     "comptoir pay receive --partner cafe-de-la-soie --amount 500.00 --reference \"transfer 1201\"")
_add("pay send", "comptoir pay send --partner origines-cafe-vert --bill BILL-20261121-1GE3",
     "comptoir pay send --payroll 2026-11", "comptoir pay send --payroll 2026-11 --liabilities --date 2026-12-15")
_add("pay list", "comptoir pay list", "comptoir pay list --direction in --partner hotel-bellecour")
_add("tax add", "comptoir tax add VAT10 \"TVA 10 % (restaurants)\" --rate 10")
_add("tax list", "comptoir tax list")
_add("tax settle", "comptoir tax settle 2026-11", "comptoir tax settle 2026-Q4")
_add("report vat-return", "comptoir report vat-return --period 2026-10",
     "comptoir report vat-return --period 2026-Q4 --format csv")
_add("pay apply", "comptoir pay apply --partner cafe-de-la-soie",
     "comptoir pay apply --partner cartonnages-lyonnais --side payable --to BILL-20261121-PMAT")
_add("pay refund", "comptoir pay refund --partner cafe-de-la-soie --amount 20.00 --reference \"VIR REMB SOIE\"")
_add("purchase return", "comptoir purchase return PO-20261120-7SPE --qty 10 --reason \"misprinted lids\"")
_add("purchase debit-note", "comptoir purchase debit-note BILL-20261121-PMAT --number CL-AV-042 --line 1 --qty 5 "
     "--reason \"damaged in transit\"")
_add("mfg bom add", "comptoir mfg bom add FIL-1K -c ROAST-GUJI 1.02 -c LABEL-250 1")
_add("mfg bom list", "comptoir mfg bom list")
_add("mfg bom show", "comptoir mfg bom show BOM-ESP-1K", "comptoir mfg bom show ESP-1K --explode --qty 100")
_add("mfg order", "comptoir mfg order ESP-1K --qty 40 --due 2026-12-05", "comptoir mfg order FIL-250 --qty 200 --release")
_add("mfg release", "comptoir mfg release WO-20261127-PHA6")
_add("mfg check", "comptoir mfg check WO-20261127-PHA6")
_add("mfg complete", "comptoir mfg complete WO-20261127-1CJF --qty 65")
_add("mfg cancel", "comptoir mfg cancel WO-20261127-PHA6")
_add("mfg orders", "comptoir mfg orders --open", "comptoir mfg orders --item ESP-250")
_add("mfg show", "comptoir mfg show WO-20261125-XGDW")
_add("mfg plan", "comptoir mfg plan", "comptoir mfg plan --apply")
_add("mfg standard-cost", "comptoir mfg standard-cost ESP-1K 11.20", "comptoir mfg standard-cost ESP-1K --roll-up")
_add("bank import", "comptoir bank import statement.camt053.xml --account 1030 --dry-run",
     "comptoir bank import export.csv --account 1040 --rules banque-savoie")
_add("bank format", "comptoir bank format ledger-data/examples/bank/banque-savoie.yml")
_add("bank rule add", 'comptoir bank rule add bank-fees --text "/commission|frais/" --direction out --post-to 6500 --memo "Bank fees"')
_add("bank rule list", "comptoir bank rule list", "comptoir bank rule list --format csv")
_add("report reconciliation", "comptoir report reconciliation --account 1030",
     "comptoir report reconciliation --account 1040 --format json")
_add("export beancount", "comptoir export beancount > books.beancount")
_add("import beancount", "comptoir import beancount ledger-data/examples/bridges/books.beancount --map Assets:Bank:Checking=1010")
_add("import hledger", "comptoir import hledger ledger-data/examples/bridges/books.journal --map expenses:rent=6100")
