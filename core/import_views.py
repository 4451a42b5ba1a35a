"""The upload page and the empty template of any importer (core.imports)."""

from __future__ import annotations

import io
from urllib.parse import quote

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from .jobs import enqueue
from .models import Job
from .permissions import require
from .spreadsheets.reader import ACCEPTED_TEXT, FileRefused, check_filename


class UploadForm(forms.Form):
    file = forms.FileField(
        label="选择文件",
        help_text=f"{ACCEPTED_TEXT}；第一个工作表；表头须与模板一致。",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.xls"}),
        error_messages={"required": "请选择要上传的文件。", "empty": "文件是空的。"},
    )

    def clean_file(self):
        from django.conf import settings

        upload = self.cleaned_data["file"]
        try:
            check_filename(upload.name)
        except FileRefused as exc:
            raise forms.ValidationError(str(exc)) from exc
        if upload.size > settings.IMPORT_MAX_FILE_BYTES:
            raise forms.ValidationError(f"文件过大，上限为 {settings.IMPORT_MAX_FILE_BYTES // (1024 * 1024)} MB。")
        return upload


def upload_view(importer_cls, template_url_name: str | None = None, back: tuple[str, str] | None = None):
    """A view: GET the upload page, POST a file → a Job → its progress page."""

    @login_required
    def view(request):
        require(request.user, importer_cls.write_action)
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            job = Job(
                kind=f"import_{importer_cls.kind}",
                title=f"导入{importer_cls.title}：{upload.name}",
                created_by=request.user,
                input_name=upload.name,
            )
            job.input_file.save(
                f"upload_{request.user.pk}.{upload.name.rsplit('.', 1)[-1].lower()}", upload, save=False
            )
            job.save()
            enqueue(job)
            return redirect("core:job_detail", pk=job.pk)
        recent = Job.objects.filter(created_by=request.user, kind=f"import_{importer_cls.kind}")[:10]
        crumbs = ([back] if back else []) + [(f"导入{importer_cls.title}", "")]
        return render(
            request,
            "core/import_upload.html",
            {
                "form": form,
                "importer": importer_cls,
                "recent": recent,
                "breadcrumbs": crumbs,
                "template_url_name": template_url_name,
                "columns": importer_cls.columns,
            },
            status=400 if request.method == "POST" else 200,
        )

    return view


def template_view(importer_cls):
    """A view: the empty template (headers and a line of instructions) as .xlsx."""
    from .imports.marking import write_template

    @login_required
    def view(request):
        buffer = io.BytesIO()
        write_template(importer_cls, buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        filename = f"{importer_cls.title}模板.xlsx"
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return response

    return view
