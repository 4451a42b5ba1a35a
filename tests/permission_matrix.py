"""The permission matrix: every URL pattern × every persona (spec/roles.md).

Each app lists its routes in tests/<app>/routes.py as ROUTES = [Route(...)]. The test in
tests/test_permission_matrix.py walks the URL resolver and fails when a pattern is not listed
(so a new page cannot ship unclassified), then requests every route as every persona and
checks the status: 200 where the persona may see it, 403 where it is in scope but not for the
role, 404 where it is out of scope (an object that does not exist for that user).

Most routes point at objects of estate MY101 (梅园新村街道, 玄武区): meiyuan_clerk is its own
street, xinjiekou_clerk a sibling street, ninghai_clerk (鼓楼区) another district.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

PERSONAS = (
    "anonymous",
    "city_admin",
    "city_admin2",
    "city_finance",
    "auditor",
    "xuanwu_staff",
    "xuanwu_staff2",
    "gulou_staff",
    "xuanwu_finance",
    "gulou_finance",
    "meiyuan_clerk",
    "xinjiekou_clerk",
    "ninghai_clerk",
    "meiyuan_advisor",
    "xinjiekou_advisor",
    "evaluator",
)
SIGNED_IN = frozenset(PERSONAS) - {"anonymous"}
CITY = frozenset({"city_admin", "city_admin2", "city_finance", "auditor"})
XUANWU = frozenset({"xuanwu_staff", "xuanwu_staff2", "xuanwu_finance"})
GULOU = frozenset({"gulou_staff", "gulou_finance"})
# Who can see an object of estate MY101 (梅园新村街道, community MY1, assigned to the evaluator).
SEES_MY101 = CITY | XUANWU | {"meiyuan_clerk", "meiyuan_advisor", "evaluator"}
# ... of estate MY201? there is none; MY2 community estates (MY201, MY202) are not the advisor's.
SEES_MEIYUAN_STREET = CITY | XUANWU | {"meiyuan_clerk"}


def statuses(
    ok: frozenset | set,
    *,
    ok_status: int = 200,
    forbidden: frozenset | set = frozenset(),
    anonymous: int = 302,
    others: int = 404,
    **exact: int,
) -> dict[str, int]:
    """Expected status per persona: `ok` get ok_status, `forbidden` 403, the anonymous user a
    redirect to the login page (302; an API route says 401 with `WWW-Authenticate: Token`), everyone else `others`
    (404: out of scope). `exact` sets single personas."""
    result = {}
    for persona in PERSONAS:
        if persona == "anonymous":
            result[persona] = anonymous
        elif persona in ok:
            result[persona] = ok_status
        elif persona in forbidden:
            result[persona] = 403
        else:
            result[persona] = others
    result.update(exact)
    return result


def everyone(status: int = 200, anonymous: int = 302) -> dict[str, int]:
    return statuses(SIGNED_IN, ok_status=status, anonymous=anonymous)


@dataclass
class Route:
    """One URL pattern and what each persona gets.

    name: the URL name ("communities:estate_detail"); kwargs(world) builds its arguments.
    get: persona → status for GET (None: the route takes no GET, e.g. POST-only).
    post: persona → status for a POST with an empty body (None: not checked). A write route
    answers an empty POST with 200 (the form again, with errors) or 400 (API) when allowed.
    """

    name: str
    get: dict[str, int] | None
    kwargs: Callable = field(default=lambda world: {})
    post: dict[str, int] | None = None
    query: str = ""
    # A page reached by an unguessable token rather than by a login (the residents' estate entry
    # and tracking pages) names its own estate to whoever holds the token; the leak test allows
    # that estate (and only it) whatever the persona's scope.
    token_estate: str = ""
