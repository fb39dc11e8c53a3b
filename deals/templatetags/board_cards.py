"""`{{ cards|board_cards }}`: the board's cards as HTML (see deals/board/cards.py)."""

from django import template
from django.utils.safestring import SafeString

from deals.board.cards import cards_html
from deals.board.selectors import Card

register = template.Library()


@register.filter
def board_cards(cards: list[Card]) -> SafeString:
    return cards_html(cards)
