"""Stock ledger and valuation, as a package split by responsibility: positions per item and
warehouse, FIFO and moving average, frozen move values, the perpetual-inventory journal entries,
and the stock rules.

Stock moves are facts; quantities and values are computed from them. Every move carries the
value it had when it was written (`value`, and `variance` for a shortfall settled at another
rate), so stock value is a plain sum and reports never re-run the valuation. Re-running it
(`replay`) is how a write values its new moves and proves it changes no earlier move's value.

common (lookups, moves in valuation order), valuation (positions and the replay), quantities
(levels and what is on hand), accounts (inventory and COGS accounts, value per account),
writing (valuing drafted moves, their journal entry, counts), reports (stock balance and ledger,
rates of issue, item and warehouse lists, the review's stock effect) and rules (the checks on
stored records). The family registry (comptoir.families) reaches rules.RULES and reports.EFFECTS.
"""

from __future__ import annotations

from .accounts import cogs_account, inventory_account, inventory_accounts, value_by_account
from .common import (
    CONSUMING,
    fmt_qty,
    items,
    move_key,
    moves,
    moves_by_item,
    places,
    qty_col,
    warehouses,
)
from .quantities import add_levels, future_moves, last_move_date, levels, levels_on, on_hand, sides
from .reports import (
    consumed,
    inventory_balance,
    issue_rate,
    item_rows,
    stock_balance_rows,
    stock_effect,
    stock_ledger_rows,
    warehouse_rows,
)
from .rules import stock_references, stock_valuation, stock_value_agrees
from .valuation import Outcome, Position, StockState, replay
from .writing import (
    MoveDraft,
    StockPosting,
    count_draft,
    pick_warehouse,
    post,
    stock_entry,
    unit_for,
    value_moves,
)

__all__ = [
    "add_levels", "cogs_account", "consumed", "CONSUMING", "count_draft", "fmt_qty", "future_moves",
    "inventory_account", "inventory_accounts", "inventory_balance", "issue_rate", "item_rows", "items",
    "last_move_date", "levels", "levels_on", "move_key", "MoveDraft", "moves", "moves_by_item", "on_hand",
    "Outcome", "pick_warehouse", "places", "Position", "post", "qty_col", "replay", "sides",
    "stock_balance_rows", "stock_effect", "stock_entry", "stock_ledger_rows", "stock_references",
    "stock_valuation", "stock_value_agrees", "StockPosting", "StockState", "unit_for", "value_by_account",
    "value_moves", "warehouse_rows", "warehouses",
]
