"""Fee collection rate pages (物业费收缴率): the list and entry."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.rules import can, require
from communities.models import Estate

from .. import services
from ..errors import Refused
from ..filters import FeeRateFilter
from ..forms import FeeRateForm
from ..models import FeeRate
from .common import _page


# --- fee rates ---------------------------------------------------------------------------------
@login_required
def fee_rate_list(request):
    qs = FeeRate.objects.visible_to(request.user).select_related("estate", "street", "updated_by")
    f = FeeRateFilter(request.GET or None, queryset=qs, request=request)
    page, query = _page(request, f.qs)
    return render(
        request,
        "assessments/fee_rate_list.html",
        {
            "filter": f,
            "page_obj": page,
            "query_string": query,
            "can_write": can(request.user, "fee_rate"),
            "breadcrumbs": [("考核", reverse("assessments:index")), ("物业费收缴率", "")],
        },
    )


@login_required
def fee_rate_new(request):
    require(request.user, "fee_rate")
    form = FeeRateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        estate = Estate.objects.writable_by(request.user).filter(code=form.cleaned_data["estate_code"].strip()).first()
        if estate is None:
            form.add_error("estate_code", "小区编码不存在。")
        else:
            try:
                fr = services.set_fee_rate(
                    by=request.user, estate=estate, year=form.cleaned_data["year"], rate=form.cleaned_data["rate"]
                )
            except Refused as exc:
                for key, message in exc.errors.items():
                    form.add_error(key if key in form.fields else None, message)
                if not exc.errors:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, f"{estate.code} {estate.name} {fr.year}年度收缴率已保存：{fr.rate}%。")
                return redirect("assessments:fee_rate_new")
    codes = Estate.objects.writable_by(request.user).order_by("code").values_list("code", "name")[:3000]
    return render(
        request,
        "assessments/fee_rate_form.html",
        {
            "form": form,
            "codes": codes,
            "breadcrumbs": [
                ("考核", reverse("assessments:index")),
                ("物业费收缴率", reverse("assessments:fee_rate_list")),
                ("填报", ""),
            ],
        },
        status=400 if request.method == "POST" else 200,
    )
