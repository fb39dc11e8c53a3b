"""The import pages: history, upload, and one import's mapping, preview, apply and revert."""

from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.errors import DomainError
from imports.forms import MappingForm, OptionsForm, UploadForm
from imports.models import Import, ImportStatus, SavedMapping
from imports.parsing import max_bytes
from imports.services import (
    can_import,
    import_apply,
    import_cancel,
    import_configure,
    import_create,
    import_rerun,
    import_revert,
)


def importer_required(view):
    """Admins and the users they allow; to anybody else the pages do not exist."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_import(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@importer_required
def import_list(request):
    page = Paginator(
        Import.objects.select_related("created_by").defer("content", "preview"), 50
    ).get_page(request.GET.get("page"))
    return render(request, "imports/list.html", {"page": page, "nav": "imports"})


@importer_required
def import_new(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        saved = form.cleaned_data.get("saved_mapping")
        if upload.size > max_bytes():
            form.add_error(
                "file",
                _("The file is larger than %(mb)d MB; split it into smaller files.")
                % {"mb": max_bytes() // (1024 * 1024)},
            )
        else:
            try:
                imp = import_create(
                    actor=request.user,
                    file_name=upload.name,
                    content=upload.read(),
                    kind=form.cleaned_data["kind"],
                    options=form.options(),
                    mapping=saved.mapping
                    if saved and saved.kind == form.cleaned_data["kind"]
                    else None,
                    defer=True,
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return redirect("imports:detail", pk=imp.pk)
    return render(request, "imports/new.html", {"form": form, "nav": "imports"})


def _detail_context(imp: Import, mapping_form=None, options_form=None) -> dict:
    preview = imp.preview or {}
    if mapping_form is None:
        mapping_form = MappingForm(
            kind=imp.kind, headers=preview.get("headers", []), mapping=imp.mapping
        )
    if options_form is None:
        initial = {k: v for k, v in imp.options.items() if v not in (None, "")}
        options_form = OptionsForm(initial=initial)
    return {
        "imp": imp,
        "preview": preview,
        "mapping_form": mapping_form,
        "options_form": options_form,
        "nav": "imports",
        "editable": imp.status
        in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED, ImportStatus.FAILED)
        and not preview.get("bad_file"),
        "appliable": imp.status in (ImportStatus.PREVIEWED, ImportStatus.FAILED)
        and not preview.get("bad_file"),
        "rows": imp.rows.exclude(action="created").order_by("number")[:200]
        if imp.status in (ImportStatus.APPLIED, ImportStatus.REVERTED)
        else [],
    }


@importer_required
def import_detail(request, pk):
    imp = get_object_or_404(Import, pk=pk)
    return render(request, "imports/detail.html", _detail_context(imp))


@importer_required
@require_POST
def import_configure_view(request, pk):
    imp = get_object_or_404(Import, pk=pk)
    mapping_form = MappingForm(
        request.POST, kind=imp.kind, headers=imp.preview.get("headers", []), mapping=imp.mapping
    )
    options_form = OptionsForm(request.POST)
    if not (mapping_form.is_valid() and options_form.is_valid()):
        return render(
            request,
            "imports/detail.html",
            _detail_context(imp, mapping_form, options_form),
            status=400,
        )
    try:
        imp = import_configure(
            actor=request.user,
            import_run=imp,
            mapping=mapping_form.mapping(),
            options=options_form.options(),
            defer=True,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("imports:detail", pk=pk)
    if name := mapping_form.cleaned_data.get("save_as"):
        SavedMapping.objects.update_or_create(
            kind=imp.kind, name=name, defaults={"mapping": imp.mapping, "created_by": request.user}
        )
        messages.success(request, _("Mapping saved as “%(name)s”.") % {"name": name})
    if imp.status != ImportStatus.PREVIEWING:
        messages.success(request, _("Preview updated."))
    return redirect("imports:detail", pk=pk)


@importer_required
@require_POST
def import_apply_view(request, pk):
    imp = get_object_or_404(Import, pk=pk)
    try:
        imp = import_apply(actor=request.user, import_run=imp, defer=True)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("imports:detail", pk=pk)
    if imp.is_busy:
        messages.info(request, _("The import runs in the background."))
    elif imp.status == ImportStatus.APPLIED:
        messages.success(request, _("Import applied."))
    else:
        messages.error(request, imp.error)
    return redirect("imports:detail", pk=pk)


@importer_required
@require_POST
def import_revert_view(request, pk):
    imp = get_object_or_404(Import, pk=pk)
    try:
        imp = import_revert(actor=request.user, import_run=imp, defer=True)
        if imp.is_busy:
            messages.info(request, _("The revert runs in the background."))
        else:
            messages.success(request, _("Import reverted."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("imports:detail", pk=pk)


@importer_required
@require_POST
def import_rerun_view(request, pk):
    imp = get_object_or_404(Import, pk=pk)
    try:
        import_rerun(actor=request.user, import_run=imp)
        messages.info(request, _("Handed to the worker again."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("imports:detail", pk=pk)


@importer_required
@require_POST
def import_cancel_view(request, pk):
    imp = get_object_or_404(Import, pk=pk)
    try:
        import_cancel(actor=request.user, import_run=imp)
        messages.info(request, _("Cancelled; nothing was written."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("imports:detail", pk=pk)


@importer_required
def import_progress(request, pk):
    imp = get_object_or_404(Import.objects.defer("content", "preview"), pk=pk)
    last_sign = imp.last_sign
    return JsonResponse(
        {
            "status": imp.status,
            "busy": imp.is_busy,
            "progress": imp.progress,
            "counts": imp.counts,
            "error": imp.error,
            "waiting": imp.is_waiting,
            "stale": imp.is_stale,
            "last_sign": last_sign.isoformat() if last_sign else None,
        }
    )
