"""Placeholder for the estate import page, which the spreadsheet import framework provides
(being written on main); until it lands, the route shows the estate list."""

from django.contrib.auth.decorators import login_required

from .estates import estate_list


@login_required
def estate_import(request):
    return estate_list(request)
