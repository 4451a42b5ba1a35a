"""Pages of 组织与人员: staffing compliance, the staff registry, the coverage report, joint
meetings and their tasks, district targets.

Every queryset goes through visible_to (out of scope → 404); every write goes through a service
(the rule → 403; bad input → the form again with the Chinese messages, nothing written)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.rules import can
from communities.coverage import RULES, estates_in_order, findings_for, flagged_ids, summary, summary_of_scope
from communities.models import District, Street
from core.forms import apply_errors, dry_run
from core.ordering import Ordering
from core.scoping import Level

from . import services
from .choices import UnitLevel
from .compliance import compliance_report
from .exports import EXPORTS, coverage_estates, start_export
from .forms import MeetingForm, StaffForm, TargetForm, TaskForm, TaskStatusForm
from .models import DistrictTarget, JointMeeting, MeetingTask, StaffMember
from .services import POSTS_BY_LEVEL
from .targets import progress_rows
from .views_common import report_scope

HOME = ("组织与人员", "/staffing/")
TASK_ROWS = 3


def _scope_choices(user, district, street):
    districts = District.objects.visible_to(user).order_by("code")
    streets = Street.objects.visible_to(user).order_by("code")
    if district is not None:
        streets = streets.filter(district=district)
    elif street is not None:
        streets = streets.filter(district_id=street.district_id)
    return districts, streets


# A level's table is paged past this many units: the city's street table has 101 rows in Nanjing
# but a thousand at national scale, and the page must stay quick and readable.
UNITS_PER_PAGE = 200


def _level_pages(report, params):
    """(label, rows, page, page parameter) per level with rows; each level pages on its own."""
    out = []
    for level, label in UnitLevel.choices:
        rows = report.by_level(level)
        if not rows:
            continue
        param = f"page_{level}"
        page = Paginator(rows, UNITS_PER_PAGE).get_page(params.get(param))
        out.append((label, page, param))
    return out


@login_required
def compliance(request):
    district, street = report_scope(request.user, request.GET)
    with_communities = request.GET.get("communities") == "1" or None
    report = compliance_report(request.user, district, street, with_communities=with_communities)
    districts, streets = _scope_choices(request.user, district, street)
    return render(
        request,
        "staffing/compliance.html",
        {
            "report": report,
            "district": district,
            "street": street,
            "districts": districts,
            "streets": streets,
            "levels": _level_pages(report, request.GET),
            "query_string": request.GET.urlencode(),
            "export_name": "staffing_compliance",
            "breadcrumbs": [HOME, ("人员配备达标情况", "")],
        },
    )


@login_required
@require_POST
def export(request, name):
    if name not in EXPORTS:
        raise Http404
    job = start_export(request.user, name, request.POST.get("query", ""))
    return redirect("core:job_detail", pk=job.pk)


# Sortable columns of the staff list (core.ordering); by default unit by unit.
STAFF_ORDER = Ordering(
    {
        "unit": ("district__code", "street__code", "community__name"),
        "name": "name",
        "post": "post",
        "full_time": "full_time",
        "since": "since",
        "until": "until",
    },
    default=("district__code", "street__code", "community__name", "post", "name", "pk"),
)


# --- staff registry ---------------------------------------------------------------------------------
@login_required
def staff_list(request):
    qs = StaffMember.objects.visible_to(request.user).select_related("district", "street", "community")
    show_left = request.GET.get("left") == "1"
    if not show_left:
        qs = qs.active_on(timezone.localdate())
    page = Paginator(STAFF_ORDER.apply(request, qs), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "staffing/staff_list.html",
        {
            "page_obj": page,
            "show_left": show_left,
            "breadcrumbs": [HOME, ("物业管理人员", "")],
        },
    )


@login_required
def unit_staff(request, level, pk):
    unit = services.visible_unit(request.user, level, pk)
    if unit is None:
        raise Http404
    members = StaffMember.objects.visible_to(request.user).filter(level=level, **{f"{level}_id": unit.pk})
    writable = can(request.user, "staff") and services.writable_unit(request.user, level, pk) is not None
    form = StaffForm(posts=POSTS_BY_LEVEL[level], initial={"full_time": True})
    if request.method == "POST":
        if not writable:
            raise PermissionDenied
        form = StaffForm(request.POST, posts=POSTS_BY_LEVEL[level])
        if form.is_valid_with_rules(
            lambda: dry_run(
                lambda: services.create_staff(
                    form.parsed_values(raw=form.fields), by=request.user, level=level, unit_pk=pk
                )
            )
        ):
            try:
                services.create_staff(form.cleaned_data, by=request.user, level=level, unit_pk=pk)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已登记。")
                return redirect("staffing:unit_staff", level=level, pk=pk)
    return render(
        request,
        "staffing/unit_staff.html",
        {
            "unit": unit,
            "level": level,
            "level_label": UnitLevel(level).label,
            "members": members.order_by("-until", "post", "name"),
            "form": form,
            "writable": writable,
            "breadcrumbs": [HOME, ("人员配备达标情况", "/staffing/"), (unit.name, "")],
        },
    )


@login_required
def staff_edit(request, pk):
    member = get_object_or_404(StaffMember.objects.visible_to(request.user), pk=pk)
    if not (can(request.user, "staff") and services.staff_writable(request.user, member)):
        raise PermissionDenied
    initial = {k: getattr(member, k) for k in services.STAFF_FIELDS}
    initial["since"] = member.since.isoformat() if member.since else ""
    initial["until"] = member.until.isoformat() if member.until else ""
    form = StaffForm(initial=initial, posts=POSTS_BY_LEVEL[member.level])
    if request.method == "POST":
        form = StaffForm(request.POST, posts=POSTS_BY_LEVEL[member.level])
        if form.is_valid_with_rules(
            lambda: dry_run(lambda: services.update_staff(member, form.parsed_values(raw=form.fields), by=request.user))
        ):
            try:
                services.update_staff(member, form.cleaned_data, by=request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已保存。")
                return redirect("staffing:unit_staff", level=member.level, pk=member.unit.pk)
    return render(
        request,
        "staffing/staff_form.html",
        {
            "member": member,
            "form": form,
            "breadcrumbs": [
                HOME,
                (member.unit.name, f"/staffing/units/{member.level}/{member.unit.pk}/"),
                ("编辑", ""),
            ],
        },
    )


# --- coverage ---------------------------------------------------------------------------------------
# Above this many estates in scope (a city-wide view at national scale) the page lists no
# findings until a district or street is chosen: a national registry's 100,000 findings are read by district, and filtering and sorting
# all of them for one page of 100 cost about half a second (docs/performance.md). The summary
# and the export (every finding) are there at any scale.
COVERAGE_LIST_MAX_ESTATES = 20_000


@login_required
def coverage(request):
    district, street = report_scope(request.user, request.GET)
    estates = coverage_estates(request.user, district, street)
    # the city compares districts; a district (its own or the one chosen) compares its streets
    key = "district" if district is None and street is None and request.user.scope_level == Level.CITY else "street"
    if district is None and street is None:
        unit = {"city": "all", "district": request.user.district_id, "street": request.user.street_id}
        scope = f"{request.user.scope_level}:{unit.get(request.user.scope_level, f'user{request.user.pk}')}"
        rows, as_of = summary_of_scope(estates, key, scope)
    else:
        rows, as_of = summary(estates, key), None
    chart = {
        "units": [r["unit"].name for r in rows],
        "series": [{"name": label, "data": [r[rule] for r in rows]} for rule, label in RULES.items()],
    }
    districts, streets = _scope_choices(request.user, district, street)
    # a few columns of every estate in scope are judged, only the page's 100 estates are read
    found_count = sum(r["estates_flagged"] for r in rows)
    in_scope = sum(r["estates"] for r in rows)
    listed = district is not None or street is not None or in_scope <= COVERAGE_LIST_MAX_ESTATES
    page = Paginator(flagged_ids(estates) if listed else [], 100).get_page(request.GET.get("page"))
    page.object_list = findings_for(estates_in_order(page.object_list))
    return render(
        request,
        "staffing/coverage.html",
        {
            "rows": rows,
            "as_of": as_of,
            "key_label": "街道" if key == "street" else "区",
            "rules": RULES,
            "page_obj": page,
            "found_count": found_count,
            "listed": listed,
            "in_scope": in_scope,
            "chart": chart,
            "district": district,
            "street": street,
            "districts": districts,
            "streets": streets,
            "query_string": request.GET.urlencode(),
            "export_name": "staffing_coverage",
            "breadcrumbs": [HOME, ("物业管理覆盖情况", "")],
        },
    )


# --- joint meetings -----------------------------------------------------------------------------------
@login_required
def meeting_list(request):
    qs = JointMeeting.objects.visible_to(request.user).select_related("district", "street", "community")
    level = request.GET.get("level")
    if level in UnitLevel.values:
        qs = qs.filter(level=level)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "staffing/meeting_list.html",
        {
            "page_obj": page,
            "levels": UnitLevel.choices,
            "level": level,
            "can_create": can(request.user, "meeting") and services.meeting_unit(request.user) is not None,
            "breadcrumbs": [HOME, ("联席会议", "")],
        },
    )


@login_required
def meeting_create(request):
    if not can(request.user, "meeting") or services.meeting_unit(request.user) is None:
        raise PermissionDenied
    form = MeetingForm()
    task_forms = [TaskForm(prefix=f"task{i}") for i in range(TASK_ROWS)]
    if request.method == "POST":
        form = MeetingForm(request.POST)
        task_forms = [TaskForm(request.POST, prefix=f"task{i}") for i in range(TASK_ROWS)]
        tasks = []
        for tf in task_forms:
            if tf.is_valid() and any(tf.cleaned_data.get(k) for k in ("description", "owner", "due_date")):
                tasks.append(tf.cleaned_data)
        if form.is_valid_with_rules(
            lambda: dry_run(
                lambda: services.create_meeting(form.parsed_values(raw=form.fields), by=request.user, tasks=tasks)
            )
        ):
            try:
                meeting = services.create_meeting(form.cleaned_data, by=request.user, tasks=tasks)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已登记联席会议。")
                return redirect("staffing:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "staffing/meeting_form.html",
        {
            "form": form,
            "task_forms": task_forms,
            "breadcrumbs": [HOME, ("联席会议", "/staffing/meetings/"), ("登记", "")],
        },
    )


@login_required
def meeting_detail(request, pk):
    meeting = get_object_or_404(JointMeeting.objects.visible_to(request.user), pk=pk)
    writable = services.meeting_writable(request.user, meeting)
    form = TaskForm()
    if request.method == "POST":
        if not writable:
            raise PermissionDenied
        form = TaskForm(request.POST)
        if form.is_valid_with_rules(
            lambda: dry_run(lambda: services.add_task(meeting, form.parsed_values(raw=form.fields), by=request.user))
        ):
            try:
                services.add_task(meeting, form.cleaned_data, by=request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已添加督办事项。")
                return redirect("staffing:meeting_detail", pk=meeting.pk)
    today = timezone.localdate()
    tasks = [
        (
            t,
            t.is_overdue(today),
            TaskStatusForm(
                prefix=f"t{t.pk}",
                initial={
                    "status": t.status,
                    "feedback": t.feedback,
                    "done_on": t.done_on.isoformat() if t.done_on else "",
                },
            ),
        )
        for t in meeting.tasks.all()
    ]
    return render(
        request,
        "staffing/meeting_detail.html",
        {
            "meeting": meeting,
            "tasks": tasks,
            "form": form,
            "writable": writable,
            "breadcrumbs": [HOME, ("联席会议", "/staffing/meetings/"), (meeting.title, "")],
        },
    )


@login_required
@require_POST
def task_status(request, pk):
    task = get_object_or_404(MeetingTask.objects.visible_to(request.user).select_related("meeting"), pk=pk)
    if not services.meeting_writable(request.user, task.meeting):
        raise PermissionDenied
    form = TaskStatusForm(request.POST, prefix=f"t{task.pk}")
    try:
        if not form.is_valid():
            raise ValidationError({"status": [services.Msg.TASK_STATUS]})
        services.update_task_status(task, form.cleaned_data, by=request.user)
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for m in msgs:
                messages.error(request, m)
    else:
        messages.success(request, "已更新督办状态。")
    return redirect("staffing:meeting_detail", pk=task.meeting_id)


@login_required
def overdue_tasks(request):
    today = timezone.localdate()
    tasks = services.overdue_tasks(request.user, today)
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "staffing/overdue_tasks.html",
        {
            "page_obj": page,
            "today": today,
            "rows": [(t, (today - t.due_date).days) for t in page],
            "breadcrumbs": [HOME, ("逾期督办事项", "")],
        },
    )


# --- district targets ------------------------------------------------------------------------------
@login_required
def targets(request):
    year = request.GET.get("year")
    year = int(year) if year and year.isdigit() else timezone.localdate().year
    writable = can(request.user, "district_target")
    districts = District.objects.writable_by(request.user).order_by("code")
    form = TargetForm(districts=districts, initial={"year": year})
    if request.method == "POST":
        if not writable:
            raise PermissionDenied
        form = TargetForm(request.POST, districts=districts)
        if form.is_valid():
            try:
                target = services.set_target(form.cleaned_data, by=request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已保存目标。")
                return redirect(f"/staffing/targets/?year={target.year}")
    rows = progress_rows(
        DistrictTarget.objects.visible_to(request.user).filter(year=year).select_related("district"), year
    )
    return render(
        request,
        "staffing/targets.html",
        {
            "rows": rows,
            "year": year,
            "form": form,
            "writable": writable,
            "years": range(timezone.localdate().year, 2016, -1),
            "breadcrumbs": [HOME, ("区级目标", "")],
        },
    )


@login_required
def index(request):
    return redirect("staffing:compliance")
