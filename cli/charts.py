"""Charts as SVG text, drawn with matplotlib's SVG backend from the rows reports return.

matplotlib is imported only inside `_figure` (the report pack is the only caller), so
`comptoir --help` and every other command never load it. The SVG is inlined in the page:
no script, no font or file fetched when the page opens. Amounts are converted to float
only here, for drawing: the tables beside the charts keep the exact figures.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from comptoir.domain.table import Table

PALETTE = ("#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b7791f", "#c53030", "#319795", "#718096")


def _f(value: object) -> float:
    if value is None or value == "":
        return 0.0
    return float(Decimal(str(value)))


# Who keeps drawn charts (comptoir.app.pack: the derived store): key -> the SVG, drawn when not kept.
Keeper = Callable[[str, Callable[[], str]], str]
_KEEPER: ContextVar[Keeper | None] = ContextVar("comptoir_chart_keeper", default=None)


@contextmanager
def kept(keeper: Keeper | None) -> Iterator[None]:
    """Charts drawn inside are asked of `keeper` first, under a key of what they are drawn from:
    a chart is the same SVG for the same figures, and drawing one costs 0.14 s (matplotlib's
    layout), so a pack built again on an unchanged book, or a pack drawing what another pack of
    the same figures drew, draws nothing."""
    token = _KEEPER.set(keeper)
    try:
        yield
    finally:
        _KEEPER.reset(token)


def _kept(draw: Callable[..., str]) -> Callable[..., str]:
    @functools.wraps(draw)
    def drawn(*args, **kwargs) -> str:
        keeper = _KEEPER.get()
        if keeper is None:
            return draw(*args, **kwargs)
        import hashlib
        from importlib.metadata import version

        what = repr((draw.__name__, args, sorted(kwargs.items()), version("matplotlib"), PALETTE))
        return keeper(hashlib.sha256(what.encode()).hexdigest(), lambda: draw(*args, **kwargs))
    return drawn


def _figure(width: float = 8.0, height: float = 3.6):
    import matplotlib

    matplotlib.use("svg", force=True)
    from matplotlib.figure import Figure

    matplotlib.rcParams.update({"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False,
                                "axes.spines.right": False, "svg.hashsalt": "comptoir"})
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig, fig.add_subplot()


def _svg(fig, title: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Title": title})
    text = buf.getvalue()
    text = text[text.index("<svg"):]  # drop the XML prolog and doctype: the SVG is inlined in HTML
    return re.sub(r"<svg ", f'<svg role="img" aria-label="{_attr(title)}" class="chart" ', text, count=1)


def _attr(text: str) -> str:
    import html

    return html.escape(text, quote=True)


def _money_axis(ax) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.axhline(0, color="#a0aec0", linewidth=0.8)
    ax.grid(axis="y", color="#e2e8f0", linewidth=0.6)


@_kept
def bars(title: str, labels: Sequence[str], series: dict[str, Sequence[object]], ylabel: str = "",
         line: tuple[str, Sequence[object]] | None = None, hline: tuple[str, object] | None = None) -> str:
    """Grouped bars per label, optionally a line (e.g. a closing balance) and a horizontal line."""
    fig, ax = _figure()
    n = max(len(series), 1)
    width = 0.8 / n
    xs = list(range(len(labels)))
    for i, (name, values) in enumerate(series.items()):
        ax.bar([x - 0.4 + width * (i + 0.5) for x in xs], [_f(v) for v in values], width, label=name,
               color=PALETTE[i % len(PALETTE)])
    if line is not None:
        ax.plot(xs, [_f(v) for v in line[1]], marker="o", markersize=3, color="#1a202c", label=line[0])
    if hline is not None:
        ax.axhline(_f(hline[1]), color="#c53030", linestyle="--", linewidth=1.2, label=hline[0])
    ax.set_xticks(xs, labels, rotation=45 if len(labels) > 8 else 0, ha="right" if len(labels) > 8 else "center")
    ax.set_title(title, loc="left", fontsize=11)
    if ylabel:
        ax.set_ylabel(ylabel)
    _money_axis(ax)
    ax.legend(loc="best", fontsize=8, frameon=False)
    return _svg(fig, title)


@_kept
def lines(title: str, series: dict[str, tuple[Sequence[str], Sequence[object]]], ylabel: str = "",
          guides: dict[str, object] | None = None) -> str:
    """One line per series (x labels, values); dashed horizontal guides in the same colour."""
    fig, ax = _figure()
    for i, (name, (xs, ys)) in enumerate(series.items()):
        colour = PALETTE[i % len(PALETTE)]
        ax.plot(list(range(len(xs))), [_f(y) for y in ys], label=name, color=colour, linewidth=1.6)
        if guides and guides.get(name) is not None:
            ax.axhline(_f(guides[name]), color=colour, linestyle="--", linewidth=0.9)
        ticks = list(range(0, len(xs), max(1, len(xs) // 8)))
        ax.set_xticks(ticks, [xs[t] for t in ticks], rotation=30, ha="right")
    ax.set_title(title, loc="left", fontsize=11)
    if ylabel:
        ax.set_ylabel(ylabel)
    _money_axis(ax)
    ax.legend(loc="best", fontsize=8, frameon=False)
    return _svg(fig, title)


# the charts of the reports -------------------------------------------------------------------
def cash_forecast(table: Table) -> str:
    labels = [str(r["from"])[5:] for r in table.rows]
    ins = [r["receipts"] for r in table.rows]
    outs = [-(r["payments"] + r.get("payroll", 0) + r.get("vat", 0) + r.get("costs", 0)) for r in table.rows]
    hline = ("minimum cash", table.meta["minimum"]) if "minimum" in table.meta else None
    return bars("Cash forecast by week: closing balance over receipts and payments", labels,
                {"receipts": ins, "payments": outs}, line=("closing balance", [r["closing"] for r in table.rows]),
                hline=hline)


def pl_trend(table: Table) -> str:
    summaries = table.meta.get("summary_by_period", {})
    keys = [p["key"] for p in table.meta.get("periods", [])]
    rev = [summaries.get(k, {}).get("revenue", 0) for k in keys]
    costs = [_f(summaries.get(k, {}).get("cogs", 0)) + _f(summaries.get(k, {}).get("expenses", 0)) for k in keys]
    net = [summaries.get(k, {}).get("net_income", 0) for k in keys]
    return bars("Profit and loss by month", keys, {"revenue": rev, "costs": costs}, line=("net income", net))


def budget_vs_actual(table: Table) -> str:
    result = [r for r in table.rows if r.get("line") == "result"]
    return bars(f"Result against budget ({table.meta.get('version', '')})", [r["period"] for r in result],
                {"actual": [r["actual"] for r in result], "budget": [r["budget"] for r in result]})


def pipeline(table: Table) -> str:
    stages: dict[str, list[Decimal]] = {}
    for r in table.rows:
        amount = r.get("amount") or Decimal(0)
        weighted = r.get("weighted") or Decimal(0)
        acc = stages.setdefault(str(r.get("stage") or ""), [Decimal(0), Decimal(0)])
        acc[0] += amount
        acc[1] += weighted
    return bars("Open pipeline by stage", list(stages), {"amount": [v[0] for v in stages.values()],
                                                          "weighted": [v[1] for v in stages.values()]})


def forecast(table: Table) -> str:
    rows = [r for r in table.rows if r["month"] not in ("later", "no date")]
    return bars("Weighted forecast by expected close month", [r["month"] for r in rows],
                {"weighted open": [r["weighted"] for r in rows], "won": [r["won"] for r in rows]})


def aging(table: Table) -> str:
    buckets = [c for c in table.columns if c.kind == "money" and c.key not in ("total", "open", "balance")]
    totals = table.totals or {}
    return bars(f"{table.title.split(' on ')[0]}: open amounts by days past due", [c.header for c in buckets],
                {"open": [totals.get(c.key, 0) for c in buckets]})


def stock_projection(table: Table) -> str | None:
    series = table.meta.get("series") or {}
    at_risk = [r["item"] for r in table.rows if r["item"] in series][:6]
    if not at_risk:
        return None
    data: dict[str, tuple[Sequence[str], Sequence[object]]] = {
        sku: ([p[0][5:] for p in series[sku]["points"]], [p[1] for p in series[sku]["points"]]) for sku in at_risk}
    guides = {sku: series[sku]["reorder_point"] for sku in at_risk}
    return lines("Projected stock (weekly) against the reorder point (dashed), items at risk", data,
                 ylabel="quantity", guides=guides)
