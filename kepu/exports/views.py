"""Workbench pages of exports and the bulk import. Thin: check, call a service, answer."""

import io
import tempfile

from django.contrib import messages
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kepu.core.errors import DomainError, Forbidden, NotFound
from kepu.core.files import serve_stored
from kepu.core.views import forbidden, staff_required

from . import importing, selectors, services, writers
from .forms import ImportForm, TemplateForm
from .models import ExportJob

RESERVED = {"kind", "format"}
SPOOL_BYTES = 8 * 1024 * 1024


def _in_language(chunks, language: str):
    """Rows are produced while the response streams, after the view returned: keep the
    requester's language for their labels."""
    with translation.override(language):
        yield from chunks


def _attachment(response, name: str):
    """A streamed CSV downloads as ``name`` (FileResponse does this itself for files)."""
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@staff_required()
@never_cache
def export(request):
    kind_name = request.GET.get("kind", "")
    fmt = request.GET.get("format", "csv")
    params = {k: v for k, v in request.GET.items() if k not in RESERVED and k != "page"}
    try:
        how, what = services.plan_export(request.user, kind_name, params, fmt)
    except NotFound:
        raise Http404 from None
    except Forbidden as exc:
        return forbidden(request, exc.message)
    if how == "job":
        return redirect("exports:job-detail", pk=what.pk)
    kind = what
    name = services.file_name(kind, fmt)
    if fmt == "csv":
        header = kind.columns(params)
        response = StreamingHttpResponse(
            _in_language(
                writers.csv_chunks(header, kind.rows(request.user, params)), get_language()
            ),
            content_type=services.CONTENT_TYPES["csv"],
        )
        return _attachment(response, name)
    # XLSX is a ZIP: openpyxl writes it whole, then it is streamed. Inline exports are small
    # (KEPU_EXPORT_INLINE_ROWS): in memory up to 8 MB, on disk beyond.
    target = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    services.write_export(kind, request.user, params, fmt, target)
    target.seek(0)
    return FileResponse(
        target, content_type=services.CONTENT_TYPES["xlsx"], as_attachment=True, filename=name
    )


@staff_required()
@never_cache
def job_detail(request, pk):
    job = selectors.export_job_of(request.user, pk)
    return render(
        request,
        "exports/job_detail.html",
        {"job": job, "Status": ExportJob.Status, "keep_days": services.keep_days()},
    )


@staff_required()
def job_download(request, pk):
    job = selectors.export_job_of(request.user, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    return serve_stored(
        job.file.name,
        content_type=services.CONTENT_TYPES[job.format],
        filename=job.file_name or f"export.{job.format}",
    )


@staff_required()
def job_list(request):
    return render(
        request, "exports/job_list.html", {"jobs": selectors.recent_export_jobs(request.user)}
    )


@staff_required("activities.report")
def import_template(request):
    form = TemplateForm(request.user, request.GET or None, prefix="tpl")
    if form.is_bound and not form.is_valid():
        raise Http404  # a campaign or organisation outside the person's scope
    data = form.cleaned_data if form.is_bound else {}
    language = data.get("language") or get_language()
    target = io.BytesIO()  # a few kilobytes
    with translation.override(language):
        importing.build_template(
            target, campaign=data.get("campaign"), organisation=data.get("organisation")
        )
        name = f"{_('activity-import-template')}-{language}.xlsx"
    target.seek(0)
    return FileResponse(
        target, content_type=services.CONTENT_TYPES["xlsx"], as_attachment=True, filename=name
    )


@staff_required("activities.report")
def import_activities(request):
    form = ImportForm(
        request.user,
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    row_errors: list[tuple[int, str]] = []
    if form.is_bound and form.is_valid():
        try:
            created = services.import_activities(
                form.cleaned_data["file"],
                actor=request.user,
                campaign=form.cleaned_data["campaign"],
                organisation=form.cleaned_data["organisation"],
            )
        except services.ImportRejected as exc:
            form.add_error(None, exc.message)
            row_errors = exc.errors
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("%(count)s activities were imported as drafts.") % {"count": len(created)},
            )
            return redirect("activities:work-activity-list")
    return render(
        request,
        "exports/import.html",
        {
            "form": form,
            "row_errors": row_errors,
            "template_form": TemplateForm(request.user, prefix="tpl"),
            "max_rows": importing.MAX_ROWS,
        },
        status=400 if form.errors else 200,
    )
