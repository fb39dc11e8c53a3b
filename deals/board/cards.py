"""The board's cards as HTML, written in Python: a board shows 60 cards or more, and the
template engine spent more time on them (some 1,500 nodes) than the database on the whole
board. Templates use `{{ column.cards|board_cards }}` (deals/templatetags/board_cards.py)."""

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from crm.templatetags.crm_format import money
from deals.board.selectors import Card, NextActivity


def _activity_texts() -> dict[str, str]:
    return {
        NextActivity.OVERDUE: gettext("Activity overdue"),
        NextActivity.TODAY: gettext("Activity today"),
        NextActivity.PLANNED: gettext("Activity planned"),
        NextActivity.NONE: gettext("No activity"),
    }


def cards_html(cards: list[Card]) -> SafeString:
    """The `<li>` of each card, in the active language; every value escaped."""
    if not cards:
        return mark_safe("")  # noqa: S308 - an empty string
    # One reverse() for all the cards: the deal's URL around its id.
    prefix, _sep, suffix = reverse("deals:detail", args=[0]).rpartition("0")
    owner_title, move_text, rotting_text = gettext("Owner"), gettext("Move"), gettext("Rotting")
    activity = _activity_texts()
    move_label = gettext("Move “%(title)s”")
    return mark_safe(  # noqa: S308 - joined from format_html() pieces, each escaped
        "".join(
            format_html(
                '<li class="board-card{rotting_class}" draggable="true" tabindex="0" '
                'data-deal-id="{pk}" data-version="{version}" data-stage-id="{stage}" '
                'data-title="{title}" aria-label="{title}">'
                '<a class="board-card-title" href="{prefix}{pk}{suffix}" draggable="false">'
                "{title}</a>"
                '<div class="board-card-contact muted">{contact}</div>'
                '<div class="board-card-value">{value}</div>{products}'
                '<div class="board-card-meta">'
                '<span class="board-card-owner" title="{owner_title}">{owner}</span> '
                '<span class="board-activity board-activity-{state}" data-activity="{state}">'
                "{activity}</span>{rotting}</div>{labels}"
                '<button type="button" class="btn btn-small board-move-button" '
                'data-move-deal="{pk}" aria-label="{move_label}">{move_text}</button></li>\n',
                rotting_class=" is-rotting" if card.is_rotting else "",
                pk=str(card.pk),
                version=str(card.version),
                stage=str(card.stage_id),
                title=card.title,
                prefix=prefix,
                suffix=suffix,
                contact=card.contact,
                value=money(card.value, card.currency),
                products=format_html(
                    '<div class="board-card-products muted">{}</div>', ", ".join(card.products)
                )
                if card.products
                else "",
                owner_title=owner_title,
                owner=card.owner,
                state=card.activity_state,
                activity=activity.get(card.activity_state, ""),
                rotting=format_html(
                    ' <span class="board-rotting" data-rotting="true">{}</span>', rotting_text
                )
                if card.is_rotting
                else "",
                labels=format_html(
                    '<div class="labels">{}</div>',
                    format_html_join(
                        "",
                        '<span class="label" style="--label: {}">{}</span>',
                        ((label.color, label.name) for label in card.labels),
                    ),
                )
                if card.labels
                else "",
                move_label=move_label % {"title": card.title},
                move_text=move_text,
            )
            for card in cards
        )
    )
