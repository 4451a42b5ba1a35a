"""物业服务企业: a public register (every signed-in user reads it); the registering district,
the entrusting street and city_admin edit it. The estates a firm serves are shown only within
the reader's scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.rules import can, require

from .. import services
from ..filters import FirmFilter
from ..forms import FirmForm
from ..models import District, Estate, ServiceFirm
from .common import paginate, query_string
from .common import posted as _posted
from .history import change_log

ESTATES_SHOWN = 50


@login_required
def firm_list(request):
    user = request.user
    firms = ServiceFirm.objects.visible_to(user).select_related("district", "street")
    filterset = FirmFilter(request.GET or None, queryset=firms, request=request)
    queryset = filterset.qs
    if not request.GET.get("ordering"):
        queryset = queryset.order_by("name")
    page = paginate(request, queryset)
    ids = [firm.pk for firm in page.object_list]
    served = dict(
        Estate.objects.visible_to(user)
        .filter(service_firm_id__in=ids)
        .order_by()
        .values_list("service_firm_id")
        .annotate(n=Count("id"))
    )
    rows = [{"firm": firm, "estates": served.get(firm.pk, 0)} for firm in page.object_list]
    return render(
        request,
        "communities/firm_list.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "page_obj": page,
            "rows": rows,
            "districts": District.objects.all().only("code", "name"),
            "query_string": query_string(request),
            "can_create": can(user, "firm"),
            "filtered": any(request.GET.get(k) for k in ("q", "district", "is_public_welfare", "founding")),
            "breadcrumbs": [("物业服务企业", "")],
        },
    )


def _firm(request, pk) -> ServiceFirm:
    return get_object_or_404(ServiceFirm.objects.visible_to(request.user).select_related("district", "street"), pk=pk)


@login_required
def firm_detail(request, pk):
    user = request.user
    firm = _firm(request, pk)
    estates = Estate.objects.visible_to(user).filter(service_firm=firm)
    totals = services.estate_totals(estates)
    shown = list(estates.select_related("district", "street", "community").order_by("code")[:ESTATES_SHOWN])
    return render(
        request,
        "communities/firm_detail.html",
        {
            "firm": firm,
            "estates": shown,
            "totals": totals,
            "more": totals["count"] > len(shown),
            "can_edit": services.can_write(user, "firm", firm),
            "history": change_log(firm) if services.can_see_history(user) else None,
            "breadcrumbs": [("物业服务企业", reverse("communities:firm_list")), (firm.name, "")],
        },
    )


@login_required
def firm_create(request):
    user = request.user
    require(user, "firm")
    form = FirmForm(_posted(request), user=user)
    if request.method == "POST" and form.is_valid():
        try:
            firm = services.create_firm(form.values(), by=user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"已登记物业服务企业“{firm.name}”。")
            return redirect("communities:firm_detail", pk=firm.pk)
    return render(
        request,
        "communities/firm_form.html",
        {
            "form": form,
            "title": "登记物业服务企业",
            "breadcrumbs": [("物业服务企业", reverse("communities:firm_list")), ("登记企业", "")],
        },
    )


@login_required
def firm_edit(request, pk):
    user = request.user
    firm = _firm(request, pk)
    require(user, "firm")
    if not services.can_write(user, "firm", firm):
        raise PermissionDenied("该企业由其他区或街道登记，您只能查看。")
    form = FirmForm(_posted(request), user=user, instance=firm)
    if request.method == "POST" and form.is_valid():
        try:
            firm = services.update_firm(firm, form.values(), by=user)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"已保存“{firm.name}”的修改。")
            return redirect("communities:firm_detail", pk=firm.pk)
    return render(
        request,
        "communities/firm_form.html",
        {
            "form": form,
            "firm": firm,
            "title": f"编辑物业服务企业：{firm.name}",
            "breadcrumbs": [
                ("物业服务企业", reverse("communities:firm_list")),
                (firm.name, reverse("communities:firm_detail", args=[firm.pk])),
                ("编辑", ""),
            ],
        },
    )
