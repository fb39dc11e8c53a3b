"""Pipelines and their stages: create, rename, archive; add, edit, reorder, delete stages."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.errors import DomainError, StaleVersion
from deals import setup_services as services
from deals.models import Deal, Pipeline, Stage
from setup.forms import (
    PipelineCreateForm,
    PipelineRenameForm,
    ReorderForm,
    StageDeleteForm,
    StageForm,
    form_error,
)
from setup.views.common import admin_only, render_setup


@admin_only
def pipeline_index(request: HttpRequest) -> HttpResponse:
    form = PipelineCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pipeline = services.pipeline_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The pipeline %(name)s was created.") % {"name": pipeline})
            return redirect("setup:pipeline", pipeline.pk)
    pipelines = Pipeline.objects.order_by("-is_active", "order", "id").prefetch_related("stages")
    context = {"pipelines": pipelines, "form": form}
    return render_setup(request, "setup/pipelines.html", "pipelines", context)


def _pipeline_page(
    request: HttpRequest,
    pipeline: Pipeline,
    *,
    rename_form=None,
    stage_form=None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    stages = list(pipeline.stages.order_by("order", "id"))
    deal_counts: dict[int, int] = {}
    for stage_id in Deal.objects.filter(pipeline=pipeline).values_list("stage_id", flat=True):
        deal_counts[stage_id] = deal_counts.get(stage_id, 0) + 1
    ids = [s.pk for s in stages]
    rows = []
    for i, stage in enumerate(stages):
        up = ids[:]
        if i > 0:
            up[i - 1], up[i] = up[i], up[i - 1]
        down = ids[:]
        if i < len(ids) - 1:
            down[i + 1], down[i] = down[i], down[i + 1]
        rows.append(
            {
                "stage": stage,
                "deals": deal_counts.get(stage.pk, 0),
                "up": ",".join(map(str, up)) if i > 0 else "",
                "down": ",".join(map(str, down)) if i < len(ids) - 1 else "",
                "delete_form": StageDeleteForm(stage=stage),
            }
        )
    context = {
        "pipeline": pipeline,
        "rows": rows,
        "seen": ",".join(map(str, ids)),
        "rename_form": rename_form or PipelineRenameForm(initial={"name": pipeline.name}),
        "stage_form": stage_form or StageForm(),
        "error": error,
    }
    return render_setup(request, "setup/pipeline.html", "pipelines", context, status=status)


@admin_only
def pipeline_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    form = PipelineRenameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pipeline_update(actor=request.user, pipeline=pipeline, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The pipeline was renamed."))
            return redirect("setup:pipeline", pipeline.pk)
    return _pipeline_page(request, pipeline, rename_form=form if form.is_bound else None)


@admin_only
@require_POST
def pipeline_active(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    active = request.POST.get("is_active") == "1"
    try:
        services.pipeline_update(actor=request.user, pipeline=pipeline, is_active=active)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The pipeline is active again.")
            if active
            else _("The pipeline was archived: its deals stay, it is off the board and forms."),
        )
    return redirect("setup:pipeline", pipeline.pk)


@admin_only
@require_POST
def stage_new(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            stage = services.stage_create(
                actor=request.user, pipeline=pipeline, **form.cleaned_data
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The stage %(name)s was added.") % {"name": stage.name})
            return redirect("setup:pipeline", pipeline.pk)
    return _pipeline_page(request, pipeline, stage_form=form, status=400)


@admin_only
@require_POST
def stage_reorder(request: HttpRequest, pk: int) -> HttpResponse:
    pipeline = get_object_or_404(Pipeline, pk=pk)
    form = ReorderForm(request.POST)
    if not form.is_valid():
        return _pipeline_page(
            request, pipeline, error=_("Reload the page and try again."), status=400
        )
    try:
        services.stage_reorder(actor=request.user, pipeline=pipeline, **form.cleaned_data)
    except StaleVersion as error:
        # The page shows the stages as they are now, and says why nothing moved.
        return _pipeline_page(request, pipeline, error=error.message, status=409)
    except DomainError as error:
        return _pipeline_page(request, pipeline, error=error.message, status=400)
    messages.success(request, _("The stages were reordered."))
    return redirect("setup:pipeline", pipeline.pk)


@admin_only
def stage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=pk)
    initial = {
        "name": stage.name,
        "probability": stage.probability,
        "rotting_days": stage.rotting_days,
    }
    form = StageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_update(actor=request.user, stage=stage, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The stage was saved."))
            return redirect("setup:pipeline", stage.pipeline_id)
    context = {"stage": stage, "form": form}
    return render_setup(request, "setup/stage_form.html", "pipelines", context)


@admin_only
@require_POST
def stage_delete(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_object_or_404(Stage.objects.select_related("pipeline"), pk=pk)
    form = StageDeleteForm(request.POST, stage=stage)
    if not form.is_valid():
        messages.error(request, _("Choose a stage of this pipeline for its deals."))
        return redirect("setup:pipeline", stage.pipeline_id)
    try:
        moved = services.stage_delete(
            actor=request.user, stage=stage, move_to=form.cleaned_data["move_to"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The stage %(name)s was deleted; %(count)d deals moved.")
            % {"name": stage.name, "count": moved},
        )
    return redirect("setup:pipeline", stage.pipeline_id)
