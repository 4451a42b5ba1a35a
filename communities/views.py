from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def estate_list(request):
    return render(request, "communities/estate_list.html", {})


@login_required
def estate_import(request):
    return render(request, "communities/estate_list.html", {})
