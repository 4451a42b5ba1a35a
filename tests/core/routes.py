from core.models import Job
from tests.permission_matrix import SIGNED_IN, Route, everyone, statuses


def clerk_job(world):
    job = Job.objects.create(kind="import_estates", title="导入", created_by=world.meiyuan_clerk)
    return {"pk": job.pk}


# A job is seen by whoever started it, and by city_admin and the auditor.
JOB_SEERS = {"meiyuan_clerk", "city_admin", "city_admin2", "auditor"}
# The central change log (变更记录) is the city housing bureau's and the auditor's (roles.md).
HISTORY_READERS = frozenset({"city_admin", "city_admin2", "auditor"})

ROUTES = [
    Route("core:job_list", get=everyone()),
    Route("core:job_detail", get=statuses(JOB_SEERS), kwargs=clerk_job),
    Route("core:job_progress", get=statuses(JOB_SEERS), kwargs=clerk_job),
    # Not finished, so there is nothing to download yet: 404 for everyone.
    Route("core:job_download", get=statuses(set()), kwargs=clerk_job),
    Route("core:history_log", get=statuses(HISTORY_READERS, forbidden=SIGNED_IN - HISTORY_READERS)),
    Route(
        "core:history_export",
        get=statuses(set(), others=405),
        post=statuses(HISTORY_READERS, ok_status=302, forbidden=SIGNED_IN - HISTORY_READERS),
    ),
    Route("core:healthz", get=statuses(set(), anonymous=200, others=200)),
    # The API's own pages: schema and docs for signed-in users; the token endpoint is POST.
    Route("api:schema", get=everyone(anonymous=401)),
    Route("api:docs", get=everyone(anonymous=401)),
    Route("api:token", get=statuses(set(), anonymous=405, others=405), post=statuses(set(), anonymous=400, others=400)),
]
