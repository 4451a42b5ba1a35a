from tests.permission_matrix import Route, everyone

ROUTES = [
    Route("dashboards:home", get=everyone()),
]
