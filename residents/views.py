"""The residents' pages. Public, no login: the estate's entry (报修 / 矛盾纠纷求助), the
captcha image, the tracking page with its rating. Staff: the estate's entry link and its A4
poster with the QR code.

Public pages show nothing of other estates and no personal data: the tracking page names the
estate, the category, the steps with their times, the notes staff marked 对居民公开, and the
station — never a staff name or a phone number. An unknown or revoked token is a 404 with a
Chinese explanation."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from core.forms import apply_errors
from disputes import services as case_services
from disputes.models import DisputeCase, Station

from . import captcha, services, throttle
from .forms import RatingForm, ReportForm


def _gone(request, what="入口"):
    return render(request, "residents/gone.html", {"what": what}, status=404)


def _apply(form, exc: ValidationError, kind: str):
    """The service names the category and the phone for the case; the report form has its own."""
    apply_errors(
        form, exc, fields={"service_code": f"{kind}_category", "reporter_phone": "phone", "party_phone": "phone"}
    )


@never_cache
@sensitive_post_parameters("phone", "name")
def entry(request, token):
    """The estate's public page: report a repair or ask for help with a dispute."""
    entry_row = services.active_entry(token)
    if entry_row is None:
        return _gone(request)
    ip = throttle.client_ip(request)
    need_captcha = throttle.reports_from_ip(ip) >= settings.RESIDENTS_CAPTCHA_AFTER
    form = ReportForm(request.POST or None, need_captcha=need_captcha)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        photos = request.FILES.getlist("photos")
        if need_captcha and not captcha.check(request, data.get("captcha", "")):
            form.add_error("captcha", "验证码不正确，请重新输入。")
        elif not throttle.take(ip, data["phone"]):
            return render(request, "residents/too_many.html", {"message": throttle.TOO_MANY}, status=429)
        else:
            try:
                case = services.submit_report(
                    entry=entry_row,
                    kind=data["kind"],
                    service_code=data["service_code"],
                    urgency=data["urgency"],
                    description=data["description"],
                    building=data["building"],
                    unit=data["unit"],
                    room=data["room"],
                    name=data["name"],
                    phone=data["phone"],
                    photos=photos,
                    tracking_url=lambda t: request.build_absolute_uri(reverse("residents:track", args=[t])),
                )
            except ValidationError as exc:
                throttle.give_back(ip, data["phone"])
                _apply(form, exc, data["kind"])
            else:
                return redirect(reverse("residents:track", args=[case.tracking_token]) + "?new=1")
    return render(
        request,
        "residents/entry.html",
        {
            "estate": entry_row.estate,
            "form": form,
            "need_captcha": need_captcha,
            "max_photos": settings.RESIDENTS_MAX_PHOTOS,
            "max_mb": settings.RESIDENTS_PHOTO_MAX_BYTES // (1024 * 1024),
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
def captcha_image(request):
    return HttpResponse(captcha.image(captcha.new_code(request)), content_type="image/png")


# What the resident reads for each step of the timeline (the internal action names stay inside).
DISPUTE_STEPS = {
    "received": "已受理",
    "imported": "已受理",
    "start": "处理中（调解中）",
    "resolve": "已调解",
    "refer": "已转联合执法部门处理",
    "terminate": "调解终止",
    "invalid": "无效",
    "rating": "已评价",
    "reopen": "重新办理",
    "note": "处理进展",
    "satisfaction": "已登记满意度",
}
REPAIR_STEPS = {
    "received": "已受理",
    "imported": "已受理",
    "dispatch": "已派单",
    "arrive": "处理中（维修人员已到场）",
    "complete": "已完成",
    "invalid": "无效",
    "rating": "已评价",
    "reopen": "重新办理",
    "note": "处理进展",
    "satisfaction": "已登记满意度",
}


def _station_name(case) -> str:
    kind = "mediation" if isinstance(case, DisputeCase) else "repair"
    station = Station.objects.filter(street_id=case.street_id, kind=kind).values_list("name", flat=True).first()
    return station or f"{case.street.name}{'物业管理矛盾调解站' if kind == 'mediation' else '应急维修服务站'}"


def public_steps(case) -> list[dict]:
    """The timeline as the resident sees it: step, time, public note. Internal notes, staff
    names and call-backs are left out; a progress note appears only when it has a public part."""
    labels = DISPUTE_STEPS if isinstance(case, DisputeCase) else REPAIR_STEPS
    station = _station_name(case)
    steps = []
    for event in case.events.order_by("at", "id"):
        label = labels.get(event.action)
        if label is None or (event.action == "note" and not event.public_note):
            continue
        if event.action in ("dispatch", "received"):
            label = f"{label}（{station}）"
        steps.append({"label": label, "at": event.at, "note": event.public_note})
    return steps


@never_cache
def track(request, token):
    """The resident's tracking page (查询进度), and the rating once the case is closed."""
    case = services.find_by_tracking(token)
    if case is None:
        return _gone(request, "查询链接")
    form = RatingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.rate(
                    case, satisfaction=form.cleaned_data["satisfaction"], comment=form.cleaned_data["comment"]
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                return redirect(reverse("residents:track", args=[token]) + "?rated=1")
        status = 400
        case.refresh_from_db()
    return render(
        request,
        "residents/track.html",
        {
            "case": case,
            "steps": public_steps(case),
            "form": form,
            "may_rate": case_services.may_rate(case),
            "rating_deadline": case_services.rating_deadline(case),
            "is_new": request.GET.get("new") == "1",
            "rated": request.GET.get("rated") == "1",
            "station": _station_name(case),
            "kind_label": "矛盾纠纷求助" if isinstance(case, DisputeCase) else "报修",
        },
        status=status,
    )


# --- staff ------------------------------------------------------------------------------------
def _entry_url(request, entry_row) -> str:
    return request.build_absolute_uri(reverse("residents:entry", args=[entry_row.token]))


def _qr_data_uri(url: str) -> str:
    import segno

    # Drawn here, as an inline SVG data URI: no outside service, nothing to host.
    return segno.make(url, error="m").svg_data_uri(scale=8, border=2)


@login_required
def manage(request, pk):
    """The estate's residents' entry: its link and QR code, the poster, regenerate (作废重新生成)."""
    estate = services.managed_estate(request.user, pk)
    if request.method == "POST":
        entry_row = services.regenerate_entry(estate, by=request.user)
        from django.contrib import messages

        messages.success(request, "已重新生成居民入口：旧的二维码和海报已失效，请打印新的海报张贴。")
        return redirect("residents:manage", pk=estate.pk)
    entry_row = services.entry_for(estate, by=request.user)
    url = _entry_url(request, entry_row)
    return render(
        request,
        "residents/manage.html",
        {
            "estate": estate,
            "entry": entry_row,
            "url": url,
            "qr": _qr_data_uri(url),
            "breadcrumbs": [
                ("小区", reverse("communities:estate_list")),
                (estate.name, reverse("communities:estate_detail", args=[estate.pk])),
                ("居民报修入口", ""),
            ],
        },
    )


@login_required
def poster(request, pk):
    """A printable A4 poster for the estate's notice board, with the QR code."""
    estate = services.managed_estate(request.user, pk)
    entry_row = services.entry_for(estate, by=request.user)
    url = _entry_url(request, entry_row)
    return render(
        request,
        "residents/poster.html",
        {
            "estate": estate,
            "url": url,
            "qr": _qr_data_uri(url),
            "repair_station": Station.objects.filter(street_id=estate.street_id, kind="repair").first(),
            "printed": timezone.localdate(),
        },
    )
