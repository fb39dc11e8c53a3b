"""Reads of the pipeline board: columns with their totals, the cards, and what changed.

Everything starts from `deals.selectors.deal_list` (or, for totals, `deal_tally`, scoped by the
same rule), so visibility holds on cards, totals and the changes feed alike. The number of
queries never depends on the number of deals: one aggregate for all the totals (of the tally,
or an index-only scan of the deals), one query for the first cards of every
column (a UNION of LIMITed index scans; one per column on databases without that), one for
the labels of all cards shown. Cards are read as plain values into `Card`s, ready to render.

`filters`: what the board narrows to; `totals`: the columns' counts and sums; `cards`: the
cards and their pages; `board`: all of it for one pipeline; `changes`: the feed of changes.
"""

from deals.board.selectors.board import Board, Column, board_get
from deals.board.selectors.cards import (
    PAGE_SIZE,
    Card,
    CardLabel,
    NextActivity,
    board_cards,
    is_rotting,
    is_rotting_since,
    next_activity_state,
    stage_cards,
)
from deals.board.selectors.changes import CHANGES_LIMIT, changed_deals, matching_ids
from deals.board.selectors.filters import (
    OWNER_ALL,
    OWNER_ME,
    BoardFilters,
    OwnerOption,
    board_deals,
    label_options,
    owner_options,
    parse_filters,
)
from deals.board.selectors.totals import Money, stage_totals

__all__ = [
    "CHANGES_LIMIT",
    "OWNER_ALL",
    "OWNER_ME",
    "PAGE_SIZE",
    "Board",
    "BoardFilters",
    "Card",
    "CardLabel",
    "Column",
    "Money",
    "NextActivity",
    "OwnerOption",
    "board_cards",
    "board_deals",
    "board_get",
    "changed_deals",
    "is_rotting",
    "is_rotting_since",
    "label_options",
    "matching_ids",
    "next_activity_state",
    "owner_options",
    "parse_filters",
    "stage_cards",
    "stage_totals",
]
