"""The rows of the 人员配备达标 tables, written in Python: a city-wide page holds hundreds of units,
and the template loop with its tags costs about a millisecond a row."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

_PK = 987654321  # a placeholder id: the link is reversed once per table, not once per row


def _status(row) -> str:
    if row.gap:
        return format_html('<span class="badge text-bg-danger">{}</span>', row.status)
    if row.excess:
        return format_html('<span class="badge text-bg-info">{}</span>', row.status)
    return mark_safe('<span class="badge text-bg-success">达标</span>')


@register.simple_tag
def compliance_rows(rows, label: str):
    """<tr>s of one level's table (label 区, 街道 or 社区), the columns of compliance.html's header."""
    links: dict[str, str] = {}

    def cells(r):
        level = r.level
        if level not in links:
            links[level] = reverse("staffing:unit_staff", args=[level, _PK])
        out = []
        if label != "区":
            out.append(format_html("<td>{}</td>", r.district.name))
        if label == "社区":
            out.append(format_html("<td>{}</td>", r.street.name))
        out.append(
            format_html(
                '<th scope="row"><a href="{}">{}</a></th>', links[level].replace(str(_PK), str(r.unit.pk)), r.unit.name
            )
        )
        if label == "街道":
            badge = (
                ""
                if r.estate_count_recorded
                else mark_safe(
                    ' <span class="badge text-bg-warning" title="辖区住宅小区总数未填报，按登记老旧小区数">未填报</span>'
                )
            )
            out.append(format_html('<td class="num">{}{}</td>', r.estate_count, badge))
        out.append(
            format_html(
                '<td>{}</td><td class="num">{}</td><td class="num">{}</td>', r.range_label, r.counted, r.part_time
            )
        )
        if label == "街道":
            out.append(mark_safe("<td>已配备</td>" if r.deputy else '<td><span class="text-danger">未配备</span></td>'))
        out.append(format_html("<td>{}</td>", _status(r)))
        return mark_safe("".join(out))

    return format_html_join("\n", "<tr>{}</tr>", ((cells(r),) for r in rows))
