"""The floor of the API throughput figure: a minimal Django view returning what /api/estates/
returns — the count and the same 50 estates with the same fields, related names joined — as
JSON, with no authentication, no scope, no filters, no serializer. What is left is Django's
request handling, the two queries (COUNT(*) and the page) and the JSON encoding."""

from django.http import JsonResponse

from communities.models import Estate

FIELDS = (
    "id",
    "code",
    "name",
    "district__code",
    "district__name",
    "street__code",
    "street__name",
    "community_id",
    "community__name",
    "address",
    "grid_code",
    "year_built",
    "building_area",
    "households",
    "buildings",
    "category",
    "renovation_year",
    "management_mode",
    "service_firm_id",
    "service_firm__name",
    "latitude",
    "longitude",
    "version",
    "created_at",
    "updated_at",
)
PAGE = 50


def estates_floor(request):
    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    rows = list(Estate.objects.order_by("code").values(*FIELDS)[(page - 1) * PAGE : page * PAGE])
    return JsonResponse({"count": Estate.objects.count(), "results": rows}, json_dumps_params={"ensure_ascii": False})
