"""The workbench's routes in the permission matrix (tests/permission_matrix.py)."""

from tests.permission_matrix import SIGNED_IN, Route, everyone, statuses
from workbench.models import Reminder


def clerk_reminder(world):
    reminder = Reminder.objects.create(
        user=world.meiyuan_clerk, kind="test", key="matrix:1", title="测试提醒", url="/cases/repairs/"
    )
    return {"pk": reminder.pk}


POST_ONLY = statuses(set(), others=405)

ROUTES = [
    Route("workbench:index", get=everyone()),
    Route("workbench:reminders", get=everyone()),
    Route("workbench:bell", get=everyone()),
    # POST only; an empty choice of home page is a 400 that changes nothing.
    Route("workbench:set_home", get=POST_ONLY, post=statuses(SIGNED_IN, ok_status=400)),
    # A reminder is its addressee's alone: anyone else gets 404.
    Route(
        "workbench:reminder_read", get=POST_ONLY, kwargs=clerk_reminder, post=statuses({"meiyuan_clerk"}, ok_status=302)
    ),
    Route("workbench:reminders_read_all", get=POST_ONLY, post=statuses(SIGNED_IN, ok_status=302)),
]
