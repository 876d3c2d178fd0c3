"""Manufacturing, as a package split by responsibility: bills of materials (multi-level, with scrap), work orders and their completions,
the production posting, availability of what orders make and need, production planning, and the
manufacturing reports, rules and overview lines.

common (lookups and quantities), boms (structure, explosion, costs, building BOMs), work_orders
(orders and their progress), provider (what open orders add to availability), completion (the
production posting), planning (component readiness, MRP proposals), reports (production, the
overview section) and rules (the checks on stored records). The tables people see are made in
comptoir.views.manufacturing. The family registry (comptoir.families) reaches rules.RULES,
reports.SECTIONS and provider.PROVIDERS.

Quantities. A component needs qty x (1 + scrap / 100) per BOM batch; an order for N units needs
N x that / the batch size, rounded up to 4 decimal places (never plan too little). A partial
completion consumes its share of each line, rounded half-even to 4 places; the completion that
finishes the order consumes what is left of each line, so an order consumes exactly its lines.

Cost. A completion consumes its components at their valuation (FIFO or moving average, frozen in
the consumption moves), adds the order's operation cost per unit x the quantity made (labour and
overhead, credited to the absorption account), and brings the output in at the sum:
unit cost = (components + operation cost) / quantity, carried with as many places as it takes
for quantity x unit cost to be that sum exactly. The journal entry debits the output's inventory
account, credits each component's inventory account and the absorption account; it balances by
construction and stock value keeps agreeing with the inventory accounts.
"""

from __future__ import annotations

from .boms import (
    bom_cost,
    bom_lines,
    bom_rows,
    cost_tree,
    explode,
    explode_rows,
    low_levels,
    materials,
    new_bom,
    rolled_up_unit_cost,
    set_standard_cost,
)
from .common import active_boms, boms, completions, find_bom, get_item, get_order, orders
from .completion import CompletionResult, complete
from .planning import Proposal, Readiness, orders_from_plan, plan, purchases_from_plan, readiness
from .reports import Production, production
from .work_orders import (
    STATUSES,
    OrderChange,
    Progress,
    new_order,
    order_lines,
    order_rows,
    progress,
    set_status,
)

__all__ = [
    "STATUSES", "CompletionResult", "OrderChange", "Production", "Progress", "Proposal", "Readiness",
    "active_boms", "bom_cost", "bom_lines", "bom_rows", "boms", "complete", "completions", "cost_tree",
    "explode", "explode_rows", "find_bom", "get_item", "get_order", "low_levels", "materials", "new_bom",
    "new_order", "order_lines", "order_rows", "orders", "orders_from_plan", "plan", "production", "progress",
    "purchases_from_plan", "readiness", "rolled_up_unit_cost", "set_standard_cost", "set_status",
]
