"""The one set of case pages (receive, detail, step) serving every kind of disputes.workflow.

Every queryset goes through visible_to (out of scope → 404); every write goes through the
kind's service (which checks the rule → 403, and validates → the form again with Chinese
messages, every error in one round with nothing written). Personal data is shown through
disputes.privacy.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters

from accounts.rules import can, require
from core.forms import apply_errors, dry_run
from core.locking import VersionedModel, mark_seen

from . import privacy
from .workflow import KINDS, CaseKind, offered_steps

HOME = ("两站一中心", "/cases/")
LIST_PAGE = 50
# Every kind's personal fields: the create and step posts never show them in an error report.
PERSONAL_POST_FIELDS = tuple(dict.fromkeys(f for kind in KINDS.values() for f in kind.personal_fields))


def _crumbs(kind: CaseKind, last: str):
    return [HOME, (kind.label, reverse(kind.url("list"))), (last, "")]


def writable_or_403(model, obj, user, rule):
    require(user, rule)
    if not model.objects.writable_by(user).filter(pk=obj.pk).exists():
        raise PermissionDenied("该记录不在您的辖区内，不能修改。")


def _checked(form, call) -> bool:
    """The form and the service's rules in one round (core.forms): on a refused form the
    service runs once more, on what did parse, inside a rolled-back transaction."""
    return form.is_valid_with_rules(lambda: dry_run(lambda: call(form.parsed_values())))


@sensitive_post_parameters(*PERSONAL_POST_FIELDS)
@login_required
def case_create(request, kind):
    kind = KINDS[kind]
    creation = kind.creation
    require(request.user, kind.rule)
    form = creation.form(request.user, request.POST or None)

    def create(data):
        return creation.call(request.user, data)

    if request.method == "POST" and _checked(form, create):
        try:
            case = create(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, creation.done(case))
            return redirect(kind.url("detail"), pk=case.pk)
    return render(
        request,
        creation.template,
        {
            "form": form,
            "title": creation.title,
            "submit": creation.submit,
            "intro": creation.intro,
            "breadcrumbs": _crumbs(kind, creation.title),
        },
    )


def _context(request, kind: CaseKind, case, bound=None, place=None):
    user = request.user
    if kind.personal_fields:  # only the resident cases carry personal data to mask
        privacy.apply(user, [case])
    may_write = can(user, kind.rule) and kind.model.objects.writable_by(user).filter(pk=case.pk).exists()
    forms = kind.forms_for(case)
    if bound is not None:
        forms[place] = bound
    steps = offered_steps(kind, case, user, may_write)
    context = {
        "kind": kind,
        "case": case,
        kind.name: case,
        "now": timezone.now(),
        "may_write": may_write,
        "forms": forms,
        "failed_step": place if bound is not None else None,
        "attachments": case.attachments.all(),
        "steps": steps,
        # The generic page (case_detail.html) offers each step's form under its label; the
        # attachments have their own card.
        "step_forms": [
            {"name": s.name, "label": s.label or s.name, "form": forms[s.place]}
            for s in kind.steps
            if s.name != "attach" and s.name in steps
        ],
        "step_url": reverse(kind.url("step"), args=[case.pk]),
        "breadcrumbs": _crumbs(kind, case.number),
    }
    if hasattr(case, "events"):
        context["events"] = case.events.select_related("actor")
    context.update(kind.context(case, user))
    return context


def _case(request, kind: CaseKind, pk):
    return get_object_or_404(kind.model.objects.visible_to(request.user).select_related(*kind.related), pk=pk)


@login_required
def case_detail(request, kind, pk):
    kind = KINDS[kind]
    return render(request, kind.detail_templates, _context(request, kind, _case(request, kind, pk)))


@sensitive_post_parameters(*PERSONAL_POST_FIELDS)
@login_required
def case_step(request, kind, pk):
    kind = KINDS[kind]
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    case = _case(request, kind, pk)
    user = request.user
    writable_or_403(kind.model, case, user, kind.rule)
    if isinstance(case, VersionedModel):
        # The case as the page showed it: the services refuse the step (core.locking) if the
        # case changed since that version.
        mark_seen(case, request.POST.get("version"))
    step = kind.step(request.POST.get("step", "")) or kind.step(kind.default_step)
    if step is None:
        fallback = kind.step(kind.unknown_step)
        form = fallback.form(case, request.POST)
        form.is_valid()
        form.add_error(None, "请选择办理步骤。")
        return render(request, kind.detail_templates, _context(request, kind, case, form, fallback.place))
    if step.rule:
        require(user, step.rule)
    form = step.form(case, request.POST, request.FILES)

    def take(data):
        return step.call(case, user, data)

    if _checked(form, take):
        try:
            take(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect(kind.url("detail"), pk=case.pk)
    case.refresh_from_db()
    return render(request, kind.detail_templates, _context(request, kind, case, form, step.place))


@login_required
def case_list(request, kind):
    """The plain list of a kind without a list page of its own (CaseKind.own_list): its cases
    the user sees, newest first, a page at a time."""
    kind = KINDS[kind]
    cases = kind.model.objects.visible_to(request.user).select_related(*kind.related).order_by("-pk")
    page = Paginator(cases, LIST_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    if kind.personal_fields:
        privacy.apply(request.user, page.object_list)
    return render(
        request,
        "disputes/case_list.html",
        {
            "kind": kind,
            "page_obj": page,
            "may_create": can(request.user, kind.rule),
            "breadcrumbs": [HOME, (kind.label, "")],
        },
    )


def urls():
    """<slug>/new/, <slug>/<pk>/ and <slug>/<pk>/step/ of every kind, named <name>_create,
    <name>_detail and <name>_step (the names the templates and tests use), and <slug>/
    (<name>_list) for a kind without a list page of its own."""
    from django.urls import path

    patterns = []
    for kind in KINDS.values():
        extra = {"kind": kind.name}
        if not kind.own_list:
            patterns.append(path(f"{kind.slug}/", case_list, extra, name=f"{kind.name}_list"))
        patterns += [
            path(f"{kind.slug}/new/", case_create, extra, name=f"{kind.name}_create"),
            path(f"{kind.slug}/<int:pk>/", case_detail, extra, name=f"{kind.name}_detail"),
            path(f"{kind.slug}/<int:pk>/step/", case_step, extra, name=f"{kind.name}_step"),
        ]
    return patterns
