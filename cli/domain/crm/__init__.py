"""The CRM's rules, as a package split by responsibility: leads and their status moves
(leads), contact details and duplicates (contacts), activities and follow-ups (activities),
opportunities (opportunities), the checks on stored records (rules), website capture and
its form-service presets (capture, presets, cleaning), campaigns and consent (campaigns,
consent) and the CRM reports (reports).

Every function takes a loaded Book (plus the clock and a random source for ids) and returns
new records or data (rows); the commands stage and commit them, and the tables people see are
made in comptoir.views.crm. The names most commands use are
re-exported here. The family registry (comptoir.families) reaches the rules (rules.RULES)
and the overview section and diff effect (reports.SECTIONS, reports.EFFECTS).
"""

from __future__ import annotations

from .activities import (
    activities_of,
    activity_rows,
    check_links,
    complete_activity,
    followup_rows,
    get_activity,
    new_activity,
)
from .common import (
    ACTIVE_STATUSES,
    NEEDS_REASON,
    TRANSITIONS,
    default_owner,
    owner_matches,
    revise,
    validated,
)
from .contacts import (
    ContactIndex,
    Match,
    contact_index,
    find_partner_for,
    normal_email,
    normal_phone,
)
from .leads import (
    Conversion,
    LeadChange,
    check_transition,
    convert_lead,
    get_lead,
    lead_rows,
    new_lead,
    update_lead,
)
from .opportunities import (
    OppChange,
    Win,
    amount_of,
    base_amount,
    get_opportunity,
    line_total,
    lose_opportunity,
    money_text,
    new_opportunity,
    opportunity_rows,
    parse_lines,
    probability,
    update_opportunity,
    weighted,
    win_opportunity,
)

__all__ = [
    "ACTIVE_STATUSES", "NEEDS_REASON", "TRANSITIONS", "ContactIndex", "Conversion", "LeadChange",
    "Match", "OppChange", "Win", "activities_of", "activity_rows", "amount_of", "base_amount", "check_links",
    "check_transition", "complete_activity", "contact_index", "convert_lead", "default_owner", "find_partner_for",
    "followup_rows", "get_activity", "get_lead", "get_opportunity", "lead_rows", "line_total",
    "lose_opportunity", "money_text", "new_activity", "new_lead", "new_opportunity", "normal_email",
    "normal_phone", "opportunity_rows", "owner_matches", "parse_lines", "probability",
    "revise", "update_lead", "update_opportunity", "validated", "weighted", "win_opportunity",
]
