from tests.permission_matrix import Route, everyone, statuses

ROUTES = [
    # A signed-in user asking for the login page goes home (redirect_authenticated_user).
    Route("accounts:login", get=statuses(set(), anonymous=200, others=302)),
    Route("accounts:logout", get=statuses(set(), anonymous=405, others=405)),
    Route("accounts:password_change", get=everyone(), post=everyone()),
    Route("accounts:password_change_done", get=everyone()),
]
