from tests.permission_matrix import Route, everyone

ROUTES = [
    Route("communities:estate_list", get=everyone()),
    Route("communities:estate_import", get=everyone()),
]
