"""The organisation routes (组织与人员) in the permission matrix (tests/permission_matrix.py).

Objects belong to 梅园新村街道 (玄武区): its staff, a meeting it held and that meeting's task."""

from datetime import date

from staffing.models import JointMeeting, MeetingTask, StaffMember
from tests.permission_matrix import SEES_MEIYUAN_STREET, SIGNED_IN, Route, everyone, statuses

# who may write a staff row or a meeting at all (accounts.rules "staff", "meeting")
WRITES_MEIYUAN_STAFF = frozenset({"city_admin", "city_admin2", "xuanwu_staff", "xuanwu_staff2", "meiyuan_clerk"})
MEETING_WRITERS = frozenset(
    {
        "city_admin",
        "city_admin2",
        "xuanwu_staff",
        "xuanwu_staff2",
        "gulou_staff",
        "meiyuan_clerk",
        "xinjiekou_clerk",
        "ninghai_clerk",
        "meiyuan_advisor",
        "xinjiekou_advisor",
    }
)
# a meeting is written by the unit that held it (and city_admin)
WRITES_MEIYUAN_MEETING = frozenset({"city_admin", "city_admin2", "meiyuan_clerk"})
CITY_ADMINS = frozenset({"city_admin", "city_admin2"})


def meiyuan_street(world):
    return {"level": "street", "pk": world.estates["MY101"].street_id}


def meiyuan_staff(world):
    street = world.estates["MY101"].street
    member = StaffMember.objects.create(
        level="street",
        district=street.district,
        street=street,
        name="王小梅",
        post="staff",
        full_time=True,
        since=date(2020, 1, 1),
    )
    return {"pk": member.pk}


def _meeting(world):
    street = world.estates["MY101"].street
    return JointMeeting.objects.create(
        level="street",
        district=street.district,
        street=street,
        date=date(2024, 3, 1),
        title="街道物业联席会议",
        chair="李主任",
        attendees="街道物业服务中心\n社区居委会",
        topics="物业费收缴",
        created_by=world.users["meiyuan_clerk"],
    )


def meiyuan_meeting(world):
    return {"pk": _meeting(world).pk}


def meiyuan_task(world):
    task = MeetingTask.objects.create(
        meeting=_meeting(world), description="催缴物业费", owner="梅园新村社区", due_date=date(2024, 4, 1)
    )
    return {"pk": task.pk}


ROUTES = [
    Route("staffing:index", get=everyone(302)),
    Route("staffing:compliance", get=everyone()),
    Route("staffing:compliance", get=everyone(), query="district=320102&communities=1"),
    Route(
        "staffing:export",
        get=statuses(set(), others=405),
        post=everyone(302),
        kwargs=lambda w: {"name": "staffing_compliance"},
    ),
    Route("staffing:staff_list", get=everyone()),
    Route(
        "staffing:staff_edit",
        kwargs=meiyuan_staff,
        get=statuses(WRITES_MEIYUAN_STAFF, forbidden=SEES_MEIYUAN_STREET - WRITES_MEIYUAN_STAFF),
        post=statuses(WRITES_MEIYUAN_STAFF, forbidden=SEES_MEIYUAN_STREET - WRITES_MEIYUAN_STAFF),
    ),
    Route(
        "staffing:unit_staff",
        kwargs=meiyuan_street,
        get=statuses(SEES_MEIYUAN_STREET),
        post=statuses(WRITES_MEIYUAN_STAFF, forbidden=SEES_MEIYUAN_STREET - WRITES_MEIYUAN_STAFF),
    ),
    Route("staffing:coverage", get=everyone()),
    Route("staffing:meeting_list", get=everyone()),
    Route(
        "staffing:meeting_create",
        get=statuses(MEETING_WRITERS, forbidden=SIGNED_IN - MEETING_WRITERS),
        post=statuses(MEETING_WRITERS, forbidden=SIGNED_IN - MEETING_WRITERS),
    ),
    Route(
        "staffing:meeting_detail",
        kwargs=meiyuan_meeting,
        get=statuses(SEES_MEIYUAN_STREET),
        post=statuses(WRITES_MEIYUAN_MEETING, forbidden=SEES_MEIYUAN_STREET - WRITES_MEIYUAN_MEETING),
    ),
    Route(
        "staffing:task_status",
        kwargs=meiyuan_task,
        get=statuses(set(), others=405),
        post=statuses(WRITES_MEIYUAN_MEETING, ok_status=302, forbidden=SEES_MEIYUAN_STREET - WRITES_MEIYUAN_MEETING),
    ),
    Route("staffing:overdue_tasks", get=everyone()),
    Route("staffing:targets", get=everyone(), post=statuses(CITY_ADMINS, forbidden=SIGNED_IN - CITY_ADMINS)),
]
