"""组织与人员: the one place the rules of staff, meetings, tasks and district targets live.

Each write takes the acting user (`by=`), checks accounts.rules and the user's writable scope,
validates (ValidationError({field: [Chinese messages]}), nothing written) and records who acted
in the change history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.choices import ROLE_LEVEL
from accounts.rules import require
from communities.models import Community, District, Street
from communities.services import phone_error
from communities.validators import clean_name
from core.history import acting_as
from core.scoping import Level
from core.validation import TEXT_TOO_LONG, FieldErrors, happened, plausible_date, text_errors, text_limit
from core.years import closed_among
from core.years import message as closed_year_message

from .choices import Post, TargetIndicator, TaskStatus, UnitLevel
from .models import DistrictTarget, JointMeeting, MeetingTask, StaffMember


class Msg:
    REQUIRED = "此项为必填项。"
    INVALID_DATE = "请输入有效日期，例如 2019-03-05。"
    TOO_LONG = "不能超过{max}个字符。"
    UNIT_INVALID = "单位不存在或不在您的管辖范围内。"
    LEVEL = "单位层级须为区、街道或社区。"
    POST = "岗位须为物业管理工作人员、分管副主任或专职物业管理辅导员。"
    POST_LEVEL = {
        "district": "区物业主管部门的人员岗位须为物业管理工作人员。",
        "street": "街道的人员岗位须为物业管理工作人员或分管副主任。",
        "community": "社区的人员岗位须为专职物业管理辅导员。",
    }
    UNTIL_BEFORE_SINCE = "离岗日期不能早于到岗日期。"
    PHONE = "联系电话格式不正确（7至20位数字，可含“-”）。"
    NOT_IN_SCOPE = "该记录不在您的管辖范围内。"
    MEETING_UNIT = "您的账号没有所属单位，不能登记联席会议。"
    ATTENDEES = "请至少填写一个参会部门或单位。"
    TASK_OWNER = "督办事项须填写责任单位或部门。"
    TASK_DUE = "督办事项须填写办结期限。"
    TASK_DUE_BEFORE_MEETING = "办结期限不能早于会议日期。"
    TASK_STATUS = "状态须为督办中、已办结或已撤销。"
    DONE_ON_REQUIRED = "办结的事项须填写办结日期。"
    DONE_BEFORE_MEETING = "办结日期不能早于会议日期。"
    TARGET_VALUE = "目标值须为0至100之间的数，最多两位小数。"
    TARGET_INDICATOR = "请选择有效的指标。"
    TARGET_YEAR = "年度应在2017年至{year}年之间。"
    TARGET_TAKEN = "该区该年度已设定此项目标。"


def _date(values, key, errors, required=True, validator=plausible_date):
    """A date from a form or a row; `validator` is the plausibility rule of core.validation
    (happened for a fact, plausible_date for a date that may lie ahead)."""
    value = values.get(key)
    if value in (None, ""):
        if required:
            errors.add(key, Msg.REQUIRED)
        return None
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            errors.add(key, Msg.INVALID_DATE)
            return None
    try:
        validator(value)
    except ValidationError as exc:
        errors.add(key, exc.messages[0])
        return None
    return value


def _text(values, key, errors, max_length, required=True, multiline=False):
    raw = values.get(key)
    value = ("" if raw is None else str(raw)).strip()
    if not multiline:
        value = clean_name(value)
    if required and not value:
        errors.add(key, Msg.REQUIRED)
    elif len(value) > max_length:
        errors.add(
            key,
            (TEXT_TOO_LONG.format(max=max_length, n=len(value)) if multiline else Msg.TOO_LONG.format(max=max_length)),
        )
    return value


def _bool(value) -> bool:
    return value in (True, "1", "true", "on", "True", "yes")


# --- units the user may write staff for ---------------------------------------------------------
UNIT_MODELS = {UnitLevel.DISTRICT: District, UnitLevel.STREET: Street, UnitLevel.COMMUNITY: Community}


def user_level(user):
    return ROLE_LEVEL.get(getattr(user, "role", None))


def writable_unit(user, level: str, pk):
    """The unit of `level` with `pk` if the user may write its staff, else None.

    A district's own staff are written by the city and the district; a street's by its district
    and itself; a community's by its district and street (spec/roles.md)."""
    if level not in UNIT_MODELS or pk in (None, "") or not str(pk).isdigit():
        return None
    if level == UnitLevel.DISTRICT and user_level(user) not in (Level.CITY, Level.DISTRICT):
        return None
    if level == UnitLevel.STREET and user_level(user) == Level.COMMUNITY:
        return None
    return UNIT_MODELS[level].objects.writable_by(user).filter(pk=pk).first()


def visible_unit(user, level: str, pk):
    if level not in UNIT_MODELS:
        return None
    if level == UnitLevel.DISTRICT and user_level(user) not in (Level.CITY, Level.DISTRICT):
        return None
    if level == UnitLevel.STREET and user_level(user) in (Level.COMMUNITY, Level.ASSIGNED):
        return None
    return UNIT_MODELS[level].objects.visible_to(user).filter(pk=pk).first()


# --- staff ----------------------------------------------------------------------------------------
STAFF_FIELDS = ("name", "post", "full_time", "since", "until", "phone")
POSTS_BY_LEVEL = {
    UnitLevel.DISTRICT: {Post.STAFF},
    UnitLevel.STREET: {Post.STAFF, Post.DEPUTY_DIRECTOR},
    UnitLevel.COMMUNITY: {Post.ADVISOR},
}


def _roster_fact(values: dict | None, year: int):
    """How a member stands on 31 December of `year` (the day staffing is judged): None when not in
    post then, else (post, full time)."""
    if not values or values.get("since") is None:
        return None
    day = dt.date(year, 12, 31)
    if values["since"] > day or (values.get("until") is not None and values["until"] < day):
        return None
    return values["post"], values["full_time"]


def roster_year_errors(errors: FieldErrors, new: dict, old: dict | None = None) -> None:
    """A closed assessment year's roster is read-only (core.years): refuse a 到岗/离岗 date inside
    a closed year, and any change of how someone stands on 31 December of a closed year (added,
    removed, another post, part time). A departure dated in an open year, a name or a phone
    number change the closed years do not see."""
    dates = [d for v in (new, old or {}) for d in (v.get("since"), v.get("until")) if d is not None]
    if not dates:
        return
    today = timezone.localdate()
    last = max(dates + ([today] if any(v.get("until") is None for v in (new, old) if v) else []))
    closed = closed_among(range(min(dates).year, last.year + 1))
    if not closed:
        return
    for key in ("since", "until"):
        if old is not None and old.get(key) == new.get(key):
            continue
        year = next((d.year for d in (new.get(key), (old or {}).get(key)) if d is not None and d.year in closed), None)
        if year is not None:
            errors.add(key, closed_year_message(year))
    if errors:
        return
    for year in sorted(closed):
        if _roster_fact(new, year) != _roster_fact(old, year):
            errors.add("since", closed_year_message(year) + f"（该人员{year}年12月31日的在岗情况会因此改变）")
            return


def validate_staff(values: dict, *, level: str, previous: StaffMember | None = None) -> dict:
    errors = FieldErrors()
    cleaned = {"name": _text(values, "name", errors, 50)}
    post = str(values.get("post") or "")
    if not post:
        errors.add("post", Msg.REQUIRED)
    elif post not in Post.values:
        errors.add("post", Msg.POST)
    elif post not in POSTS_BY_LEVEL[level]:
        errors.add("post", Msg.POST_LEVEL[level])
    cleaned["post"] = post
    cleaned["full_time"] = _bool(values.get("full_time", True))
    cleaned["since"] = _date(values, "since", errors, validator=happened)
    cleaned["until"] = _date(values, "until", errors, required=False)
    if cleaned["since"] and cleaned["until"] and cleaned["until"] < cleaned["since"]:
        errors.add("until", Msg.UNTIL_BEFORE_SINCE)
    phone = str(values.get("phone") or "").strip()
    if phone_error(phone):
        errors.add("phone", Msg.PHONE)
    cleaned["phone"] = phone
    if not errors:
        old = {k: getattr(previous, k) for k in STAFF_FIELDS} if previous is not None else None
        roster_year_errors(errors, cleaned, old)
    errors.raise_if_any()
    return cleaned


def _unit_fields(level: str, unit) -> dict:
    if level == UnitLevel.DISTRICT:
        return {"level": level, "district_id": unit.pk, "street_id": None, "community_id": None}
    if level == UnitLevel.STREET:
        return {"level": level, "district_id": unit.district_id, "street_id": unit.pk, "community_id": None}
    return {"level": level, "district_id": unit.district_id, "street_id": unit.street_id, "community_id": unit.pk}


def create_staff(values: dict, *, by, level: str, unit_pk) -> StaffMember:
    require(by, "staff")
    unit = writable_unit(by, level, unit_pk)
    if unit is None:
        raise ValidationError({"unit": [Msg.UNIT_INVALID]})
    cleaned = validate_staff(values, level=level)
    with transaction.atomic(), acting_as(by):
        return StaffMember.objects.create(**_unit_fields(level, unit), **cleaned)


def staff_writable(user, member: StaffMember) -> bool:
    return writable_unit(user, member.level, member.unit.pk) is not None


def update_staff(member: StaffMember, values: dict, *, by) -> StaffMember:
    require(by, "staff")
    if not staff_writable(by, member):
        raise PermissionDenied(Msg.NOT_IN_SCOPE)
    with transaction.atomic(), acting_as(by):
        member = StaffMember.objects.select_for_update().get(pk=member.pk)
        cleaned = validate_staff(values, level=member.level, previous=member)
        for key in STAFF_FIELDS:
            setattr(member, key, cleaned[key])
        member.save()
    return member


# --- joint meetings ---------------------------------------------------------------------------------
def meeting_unit(user) -> dict | None:
    """The unit holding a meeting the user records: the city, or the user's own unit."""
    level = user_level(user)
    if level == Level.CITY:
        return {"level": UnitLevel.CITY, "district_id": None, "street_id": None, "community_id": None}
    if level == Level.DISTRICT and user.district_id:
        return {"level": UnitLevel.DISTRICT, "district_id": user.district_id, "street_id": None, "community_id": None}
    if level == Level.STREET and user.street_id:
        street = user.street
        return {
            "level": UnitLevel.STREET,
            "district_id": street.district_id,
            "street_id": street.pk,
            "community_id": None,
        }
    if level == Level.COMMUNITY and user.community_id:
        c = user.community
        return {
            "level": UnitLevel.COMMUNITY,
            "district_id": c.district_id,
            "street_id": c.street_id,
            "community_id": c.pk,
        }
    return None


def meeting_writable(user, meeting: JointMeeting) -> bool:
    """The unit holding the meeting writes it and its tasks (city_admin any)."""
    from accounts.rules import can

    if not can(user, "meeting"):
        return False
    if user_level(user) == Level.CITY:
        return True
    unit = meeting_unit(user)
    return (
        bool(unit)
        and unit["level"] == meeting.level
        and all(unit[f"{k}_id"] == getattr(meeting, f"{k}_id") for k in ("district", "street", "community"))
    )


def validate_task(values: dict, *, meeting_date: dt.date | None) -> dict:
    errors = FieldErrors()
    cleaned = {"description": _text(values, "description", errors, 300)}
    owner = _text(values, "owner", errors, 100, required=False)
    if not owner:
        errors.add("owner", Msg.TASK_OWNER)
    cleaned["owner"] = owner
    due = _date(values, "due_date", errors, required=False)
    if due is None and "due_date" not in errors:
        errors.add("due_date", Msg.TASK_DUE)
    if due and meeting_date and due < meeting_date:
        errors.add("due_date", Msg.TASK_DUE_BEFORE_MEETING)
    cleaned["due_date"] = due
    errors.raise_if_any()
    return cleaned


def validate_meeting(values: dict) -> dict:
    errors = FieldErrors()
    cleaned = {
        "title": _text(values, "title", errors, 100),
        "chair": _text(values, "chair", errors, 50),
        "date": _date(values, "date", errors, validator=happened),
        "topics": _text(values, "topics", errors, text_limit("minutes"), multiline=True),
        "resolutions": _text(values, "resolutions", errors, text_limit("minutes"), required=False, multiline=True),
    }
    text_errors(errors, attendees=(values.get("attendees"), "list"))
    attendees = [clean_name(line) for line in str(values.get("attendees") or "").splitlines()]
    attendees = [a for a in attendees if a]
    if not attendees:
        errors.add("attendees", Msg.ATTENDEES)
    cleaned["attendees"] = "\n".join(attendees)
    if cleaned["date"] and cleaned["date"].year in closed_among({cleaned["date"].year}):
        errors.add("date", closed_year_message(cleaned["date"].year))
    errors.raise_if_any()
    return cleaned


def create_meeting(values: dict, *, by, tasks: list[dict] | None = None) -> JointMeeting:
    """A meeting and its follow-up tasks, all or nothing: a task without an owner refuses the lot."""
    require(by, "meeting")
    unit = meeting_unit(by)
    if unit is None:
        raise ValidationError({"__all__": [Msg.MEETING_UNIT]})
    errors = FieldErrors()
    cleaned = None
    try:
        cleaned = validate_meeting(values)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            for m in messages:
                errors.add(key, m)
    task_rows = []
    for index, task in enumerate(tasks or [], start=1):
        try:
            task_rows.append(validate_task(task, meeting_date=cleaned["date"] if cleaned else None))
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                for m in messages:
                    errors.add("tasks", f"第{index}项督办事项：{m}")
    errors.raise_if_any()
    with transaction.atomic(), acting_as(by):
        meeting = JointMeeting.objects.create(**unit, **cleaned, created_by=by)
        for row in task_rows:
            MeetingTask.objects.create(meeting=meeting, **row)
    return meeting


def add_task(meeting: JointMeeting, values: dict, *, by) -> MeetingTask:
    require(by, "meeting")
    if not meeting_writable(by, meeting):
        raise PermissionDenied(Msg.NOT_IN_SCOPE)
    if closed_among({meeting.date.year}):
        # the meeting's record (and its tasks) belong to its year
        raise ValidationError({"description": [closed_year_message(meeting.date.year)]})
    cleaned = validate_task(values, meeting_date=meeting.date)
    with transaction.atomic(), acting_as(by):
        return MeetingTask.objects.create(meeting=meeting, **cleaned)


def update_task_status(task: MeetingTask, values: dict, *, by) -> MeetingTask:
    require(by, "meeting")
    if not meeting_writable(by, task.meeting):
        raise PermissionDenied(Msg.NOT_IN_SCOPE)
    errors = FieldErrors()
    status = str(values.get("status") or "")
    if status not in TaskStatus.values:
        errors.add("status", Msg.TASK_STATUS)
    done_on = _date(values, "done_on", errors, required=False, validator=happened)
    if status == TaskStatus.DONE and done_on is None and "done_on" not in errors:
        errors.add("done_on", Msg.DONE_ON_REQUIRED)
    if done_on and done_on < task.meeting.date:
        errors.add("done_on", Msg.DONE_BEFORE_MEETING)
    elif done_on and closed_among({done_on.year}):
        errors.add("done_on", closed_year_message(done_on.year))
    feedback = _text(values, "feedback", errors, text_limit("description"), required=False, multiline=True)
    errors.raise_if_any()
    with transaction.atomic(), acting_as(by):
        task = MeetingTask.objects.select_for_update().get(pk=task.pk)
        task.status = status
        task.done_on = done_on if status == TaskStatus.DONE else None
        task.feedback = feedback
        task.save()
    return task


def overdue_tasks(user, today: dt.date | None = None):
    today = today or timezone.localdate()
    return (
        MeetingTask.objects.visible_to(user)
        .filter(status=TaskStatus.OPEN, due_date__lt=today)
        .select_related("meeting", "meeting__district", "meeting__street", "meeting__community")
        .order_by("due_date", "id")
    )


# --- district targets -----------------------------------------------------------------------------
def set_target(values: dict, *, by) -> DistrictTarget:
    require(by, "district_target")
    errors = FieldErrors()
    district = (
        District.objects.writable_by(by).filter(pk=values.get("district") or 0).first()
        if str(values.get("district") or "").isdigit()
        else None
    )
    if district is None:
        errors.add("district", Msg.UNIT_INVALID if values.get("district") else Msg.REQUIRED)
    year = values.get("year")
    try:
        year = int(str(year).strip())
        if not 2017 <= year <= timezone.localdate().year + 1:
            raise ValueError
    except (TypeError, ValueError):
        errors.add("year", Msg.TARGET_YEAR.format(year=timezone.localdate().year + 1))
        year = None
    if year is not None and closed_among({year}):
        errors.add("year", closed_year_message(year))
    indicator = str(values.get("indicator") or "")
    if indicator not in TargetIndicator.values:
        errors.add("indicator", Msg.TARGET_INDICATOR)
    try:
        target = Decimal(str(values.get("target") or "").strip())
        if not target.is_finite() or target < 0 or target > 100 or target != target.quantize(Decimal("0.01")):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.add("target", Msg.TARGET_VALUE)
        target = None
    note = _text(values, "note", errors, 200, required=False)
    errors.raise_if_any()
    with transaction.atomic(), acting_as(by):
        try:
            obj, _ = DistrictTarget.objects.update_or_create(
                district=district, year=year, indicator=indicator, defaults={"target": target, "note": note}
            )
        except IntegrityError:
            raise ValidationError({"indicator": [Msg.TARGET_TAKEN]}) from None
    return obj
