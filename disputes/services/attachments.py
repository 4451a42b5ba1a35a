"""Attachments (附件) of any case kind: the allowed files and their size."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.rules import require

from ..models import (
    Attachment,
    DisputeCase,
    EnforcementReferral,
    Filing,
    RepairRequest,
)
from .common import _writable

# --- attachments ------------------------------------------------------------------------------
ALLOWED_SUFFIXES = {"pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "txt"}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_RULE = {DisputeCase: "case", RepairRequest: "case", EnforcementReferral: "referral", Filing: "filing"}
ATTACHMENT_FIELD = {DisputeCase: "dispute", RepairRequest: "repair", EnforcementReferral: "referral", Filing: "filing"}


@transaction.atomic
def add_attachment(parent, *, by, upload) -> Attachment:
    model = type(parent)
    require(by, ATTACHMENT_RULE[model])
    parent = _writable(model, parent, by)
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError({"file": "只能上传 PDF、图片（JPG/PNG）、Word、Excel 或文本文件。"})
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": "单个附件不能超过10MB。"})
    if upload.size == 0:
        raise ValidationError({"file": "文件是空的。"})
    attachment = Attachment(
        estate_id=parent.estate_id, name=name, size=upload.size, uploaded_by=by, **{ATTACHMENT_FIELD[model]: parent}
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment
