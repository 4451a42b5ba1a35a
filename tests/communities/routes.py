from tests.permission_matrix import SIGNED_IN, Route, everyone, statuses

ESTATE_WRITERS = {"city_admin", "city_admin2", "xuanwu_staff", "xuanwu_staff2", "gulou_staff",
                  "meiyuan_clerk", "xinjiekou_clerk", "ninghai_clerk"}
NOT_WRITERS = SIGNED_IN - ESTATE_WRITERS

ROUTES = [
    Route("communities:estate_list", get=everyone()),
    # The upload page: writers get the form (an empty POST: the form again, 400); others 403.
    Route("communities:estate_import", get=statuses(ESTATE_WRITERS, forbidden=NOT_WRITERS),
          post=statuses(ESTATE_WRITERS, ok_status=400, forbidden=NOT_WRITERS)),
    Route("communities:estate_import_template", get=everyone()),
]
