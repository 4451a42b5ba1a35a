"""Export of the estate list as filtered on the page (导出小区列表), as a job: at national scale
a city-wide list is 220,000 rows, so the page queues a core.models.Job and shows its progress
bar; the worker (or, without one, the embedded worker of `make run`) writes the workbook with
core.spreadsheets.writer, streaming.

The rows are those the job's creator sees (visible_to), filtered by the same FilterSet as the
page (the query string is kept in the job's params), ordered as excel-templates.md "Exports"
asks: official district and street codes, then community name and estate code in plain
character order. The headers are those of the 小区登记 import, so an exported list can be
corrected and imported back.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.db import connections
from django.db.models import F
from django.db.models.functions import Collate
from django.http import QueryDict
from django.utils import timezone

from core.exports import save_workbook
from core.jobs import enqueue
from core.models import Job
from core.spreadsheets.writer import Col, XlsxWriter

from .choices import EstateCategory, ManagementMode
from .filters import EstateFilter
from .models import Estate

KIND = "export_estates"
FILTER_KEYS = ("q", "district", "street", "community", "category", "management_mode", "renovation_year", "service_firm")
COLUMNS = [
    Col("区", "text", 10),
    Col("街道", "text", 14),
    Col("社区", "text", 16),
    Col("小区编码", "text", 14),
    Col("小区名称", "text", 24),
    Col("地址", "text", 28),
    Col("网格编码", "text", 12),
    Col("建成年份", "int"),
    Col("建筑面积(㎡)", "area"),
    Col("户数", "int"),
    Col("楼栋数", "int"),
    Col("类别", "text", 16),
    Col("整治完成年份", "int", 12),
    Col("管理模式", "text", 14),
    Col("物业服务企业", "text", 28),
]
FIELDS = (
    "district__name",
    "street__name",
    "community__name",
    "code",
    "name",
    "address",
    "grid_code",
    "year_built",
    "building_area",
    "households",
    "buildings",
    "category",
    "renovation_year",
    "management_mode",
    "service_firm__name",
)
CATEGORY = dict(EstateCategory.choices)
MODE = dict(ManagementMode.choices)
CHUNK = 2000


def export_params(querydict) -> dict:
    """The filters of the page's query string that the export applies (sorting is the spec's)."""
    return {key: querydict.get(key) for key in FILTER_KEYS if querydict.get(key)}


def start_estate_export(user, params: dict) -> Job:
    """Queue the export of the estates `user` sees, filtered by `params` (the page's filters)."""
    job = Job.objects.create(kind=KIND, title="导出小区列表", created_by=user, params={"filters": params})
    enqueue(job)
    return job


def plain_order(queryset):
    """Community name and code in plain character (code point) order, whatever the database's
    collation (PostgreSQL may sort text by a locale)."""
    if connections[queryset.db].vendor == "postgresql":
        return queryset.order_by(
            "district__code", "street__code", Collate(F("community__name"), "C"), Collate(F("code"), "C")
        )
    return queryset.order_by("district__code", "street__code", "community__name", "code")


def filtered_estates(user, params: dict):
    data = QueryDict(mutable=True)
    for key, value in params.items():
        data[key] = value
    filterset = EstateFilter(data, queryset=Estate.objects.visible_to(user), request=SimpleNamespace(user=user))
    return filterset.qs, filterset


def export_estates_job(job, report) -> dict:
    user = job.created_by
    params = (job.params or {}).get("filters", {})
    estates, filterset = filtered_estates(user, params)
    total = estates.count()
    now = timezone.localtime()
    described = describe_filters(filterset)
    writer = XlsxWriter()
    sheet = writer.sheet(
        "小区列表",
        COLUMNS,
        title=f"小区列表（{user.unit_label}，共 {total} 个）",
        subtitle=f"导出：{user.display_name}，{now.year}年{now.month}月{now.day}日 {now:%H:%M}"
        + (f"；筛选条件：{described}" if described else ""),
    )
    done = 0
    for row in plain_order(estates).values_list(*FIELDS).iterator(chunk_size=CHUNK):
        values = list(row)
        values[11] = CATEGORY.get(values[11], values[11])
        values[13] = MODE.get(values[13], values[13])
        sheet.row(values)
        done += 1
        if done % CHUNK == 0:
            report(done, total, f"已写入 {done} / {total} 个小区")
    save_workbook(job, writer, f"小区列表_{now:%Y%m%d_%H%M}.xlsx", stored_as="estates")
    return {"rows": done, "summary": f"已导出 {done} 个小区。"}


def describe_filters(filterset) -> str:
    """The applied filters in words, for the sheet's subtitle."""
    if not filterset.is_bound or not filterset.form.is_valid():
        return ""
    parts = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "") or name == "ordering":
            continue
        field = filterset.form.fields[name]
        if name == "category":
            value = CATEGORY.get(value, value)
        elif name == "management_mode":
            value = MODE.get(value, value)
        elif hasattr(value, "name"):
            value = value.name
        elif isinstance(value, float | int) or hasattr(value, "as_tuple"):
            value = str(int(value)) if value == int(value) else str(value)
        parts.append(f"{field.label}：{value}")
    return "；".join(parts)
