"""The pipeline board: the page, "load more" per column, moves, and the changes feed.

Thin: filters are parsed here, reads go through deals.board.selectors (visibility-scoped),
writes through deals.services. A refused move answers 409 with the deal's real place.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.errors import DomainError, StaleVersion
from deals.board import selectors as board
from deals.board.cards import cards_html
from deals.models import Deal, DealStatus, Pipeline, Stage
from deals.selectors import deal_get, lost_reason_list, pipeline_list
from deals.services import deal_mark_lost, deal_mark_won, deal_move
from products.selectors import product_names_by_deal

# Rows written just before "now" may commit just after it: re-read a little overlap each poll.
POLL_OVERLAP = dt.timedelta(seconds=10)
POLL_HORIZON = dt.timedelta(days=1)


def _filters(request: HttpRequest) -> tuple[board.BoardFilters, list, list]:
    user_options, team_options = board.owner_options(user=request.user)
    filters = board.parse_filters(request.GET, user_options=user_options, team_options=team_options)
    return filters, user_options, team_options


def _pipeline(pipeline_id: int) -> Pipeline:
    return get_object_or_404(Pipeline, pk=pipeline_id, is_active=True)


@require_GET
def board_index(request: HttpRequest) -> HttpResponse:
    first = pipeline_list().first()
    if first is None:
        return render(request, "deals/board/empty.html", {"nav": "deals"})
    query = request.GET.urlencode()
    url = reverse("board:pipeline", args=[first.pk])
    return redirect(f"{url}?{query}" if query else url)


@require_GET
def board_view(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    # The active pipelines with their stages (two queries) serve the switcher, the move
    # dialog and the board itself.
    pipelines = list(pipeline_list())
    pipeline = next((p for p in pipelines if p.pk == pipeline_id), None)
    if pipeline is None:
        raise Http404
    filters, user_options, team_options = _filters(request)
    data = board.board_get(
        user=request.user, pipeline=pipeline, filters=filters, stages=list(pipeline.stages.all())
    )
    _with_products([card for column in data.columns for card in column.cards])
    return render(
        request,
        "deals/board/board.html",
        {
            "nav": "deals",
            "board": data,
            "pipeline": pipeline,
            "pipelines": pipelines,
            "other_pipelines": [p for p in pipelines if p.pk != pipeline.pk],
            "filters": filters,
            "filter_query": _query(filters),
            "user_options": user_options,
            "team_options": team_options,
            "labels": board.label_options(),
            "lost_reasons": lost_reason_list(),
            "now": timezone.now().isoformat(),
        },
    )


def _query(filters: board.BoardFilters) -> str:
    return urlencode(filters.as_query())


@require_GET
def column_cards(request: HttpRequest, pipeline_id: int, stage_id: int) -> HttpResponse:
    """The next page of a column, as card HTML plus the cursor of the page after it."""
    stage = get_object_or_404(
        Stage.objects.select_related("pipeline"), pk=stage_id, pipeline_id=pipeline_id
    )
    filters, _u, _t = _filters(request)
    cards, cursor = board.stage_cards(
        user=request.user, stage=stage, filters=filters, after=request.GET.get("after")
    )
    return JsonResponse({"html": _cards_html(request, cards), "next": cursor})


def _with_products(cards: list[board.Card]) -> None:
    """The names of the cards' products, one query for all the cards."""
    names = product_names_by_deal(card.pk for card in cards)
    for card in cards:
        card.products = names.get(card.pk, [])


def _cards_html(request: HttpRequest, cards: list[board.Card]) -> str:
    _with_products(cards)
    return cards_html(cards)


def _totals_html(request: HttpRequest, pipeline: Pipeline, filters) -> dict[str, dict]:
    stages = list(pipeline.stages.all())
    totals = board.stage_totals(
        user=request.user, pipeline=pipeline, filters=filters, stages=stages
    )
    out = {}
    for stage in stages:
        count, amounts = totals.get(stage.pk, (0, []))
        out[str(stage.pk)] = {
            "count": count,
            "html": render_to_string(
                "deals/board/_totals.html",
                {"count": count, "amounts": amounts},
                request=request,
            ),
        }
    return out


def _state(request: HttpRequest, deal: Deal, card: board.Card | None) -> dict:
    """What the board needs to know about one deal: where it is and, if shown, its card."""
    return {
        "id": deal.pk,
        "version": deal.version,
        "status": deal.status,
        "pipeline_id": deal.pipeline_id,
        "stage_id": deal.stage_id,
        "on_board": card is not None,
        "title": deal.title,
        "html": _cards_html(request, [card]) if card else "",
    }


def _where(deal: Deal) -> str:
    if deal.status == DealStatus.WON:
        return _("It is won now.")
    if deal.status == DealStatus.LOST:
        return _("It is lost now.")
    return _("It is now in %(stage)s (%(pipeline)s).") % {
        "stage": deal.stage.name,
        "pipeline": deal.pipeline.name,
    }


@require_POST
def deal_board_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move, win or lose a deal from the board, carrying the version the board loaded.

    `action` is "stage" (with `stage`), "pipeline" (with `pipeline`), "won" or "lost" (with
    `lost_reason` and/or `lost_reason_text`). JSON for the board's script; a redirect with a
    message for a plain form post.
    """
    deal = deal_get(user=request.user, pk=pk)
    board_pipeline = _pipeline_from(request.POST.get("board"), deal.pipeline)
    filters, _u, _t = _filters(request)
    wants_json = "application/json" in request.headers.get("Accept", "")
    version = _int(request.POST.get("version"))
    action = request.POST.get("action", "stage")
    status = 200
    try:
        deal = _apply_move(request, deal, action, version)
        message = _("“%(title)s” moved. %(where)s") % {"title": deal.title, "where": _where(deal)}
        level = messages.SUCCESS
    except StaleVersion as error:
        deal = Deal.objects.select_related("stage", "pipeline").get(pk=error.current.pk)
        message = _(
            "“%(title)s” was changed by someone else since you loaded the board, so "
            "it was not moved. %(where)s"
        ) % {"title": deal.title, "where": _where(deal)}
        status, level = 409, messages.WARNING
    except DomainError as error:
        deal = Deal.objects.select_related("stage", "pipeline").get(pk=deal.pk)
        message, status, level = _(error.message), 400, messages.ERROR
    if not wants_json:
        messages.add_message(request, level, message)
        return redirect(_back(request, board_pipeline))
    shown = board.board_cards(
        user=request.user, pipeline=board_pipeline, filters=filters, ids=[deal.pk]
    )
    return JsonResponse(
        {
            "ok": status == 200,
            "message": message,
            "deal": _state(request, deal, shown.get(deal.pk)),
            "totals": _totals_html(request, board_pipeline, filters),
        },
        status=status,
    )


def _apply_move(request: HttpRequest, deal: Deal, action: str, version: int | None) -> Deal:
    if version is None:
        raise DomainError(_("The board sent no version; reload the page."), field="version")
    if action == "won":
        return deal_mark_won(actor=request.user, deal=deal, version=version)
    if action == "lost":
        reason = None
        if request.POST.get("lost_reason"):
            reason = lost_reason_list().filter(pk=_int(request.POST["lost_reason"])).first()
            if reason is None:
                raise DomainError(_("Choose a reason from the list."), field="lost_reason")
        return deal_mark_lost(
            actor=request.user,
            deal=deal,
            lost_reason=reason,
            lost_reason_text=request.POST.get("lost_reason_text", ""),
            version=version,
        )
    if action == "pipeline":
        pipeline = pipeline_list().filter(pk=_int(request.POST.get("pipeline"))).first()
        if pipeline is None:
            raise DomainError(_("Choose a pipeline."), field="pipeline")
        return deal_move(actor=request.user, deal=deal, pipeline=pipeline, version=version)
    if action == "stage":
        stage = (
            Stage.objects.select_related("pipeline")
            .filter(pk=_int(request.POST.get("stage")), pipeline__is_active=True)
            .first()
        )
        if stage is None:
            raise DomainError(_("Choose a stage."), field="stage")
        return deal_move(actor=request.user, deal=deal, stage=stage, version=version)
    raise DomainError(_("Unknown move."), field="action")


def _int(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _pipeline_from(raw, default: Pipeline) -> Pipeline:
    return Pipeline.objects.filter(pk=_int(raw)).first() or default


def _back(request: HttpRequest, pipeline: Pipeline) -> str:
    url = request.POST.get("next", "")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return reverse("board:pipeline", args=[pipeline.pk])


def _since(raw: str | None, now: dt.datetime) -> dt.datetime:
    """Where the feed starts: the time the server gave last (less the overlap), kept within
    the last POLL_HORIZON (a board away longer reloads its changes from there; any other
    time, e.g. year 1 or 9999, would overflow the arithmetic or mean nothing)."""
    try:
        since = dt.datetime.fromisoformat(raw or "")
        if timezone.is_naive(since):
            since = timezone.make_aware(since)
        since -= POLL_OVERLAP
    except (ValueError, OverflowError):
        return now - POLL_OVERLAP
    return min(max(since, now - POLL_HORIZON), now)


@require_GET
def board_changes(request: HttpRequest, pipeline_id: int) -> JsonResponse:
    """Deals changed since `since` (ISO time the server gave before), with their new state."""
    pipeline = _pipeline(pipeline_id)
    filters, _u, _t = _filters(request)
    now = timezone.now()
    deals = board.changed_deals(user=request.user, since=_since(request.GET.get("since"), now))
    shown = board.board_cards(
        user=request.user, pipeline=pipeline, filters=filters, ids=[d.pk for d in deals]
    )
    states = [_state(request, deal, shown.get(deal.pk)) for deal in deals]
    return JsonResponse(
        {
            "now": now.isoformat(),
            "changes": states,
            "totals": _totals_html(request, pipeline, filters) if states else None,
        }
    )
