from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "老旧小区管理平台 · 后台管理"
admin.site.site_title = "老旧小区管理平台"
admin.site.index_title = "参考数据与运维支持"

urlpatterns = [
    path("", include("dashboards.urls")),
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("registry/", include("communities.urls")),
    path("assessments/", include("assessments.urls")),
    path("subsidies/", include("subsidies.urls")),
    path("staffing/", include("staffing.urls")),
    path("cases/", include("disputes.urls")),
    path("workbench/", include("workbench.urls")),
    path("residents/", include("residents.urls")),
    path("integrations/", include("integrations.urls")),
    path("api/", include("config.api_urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "core.views.not_found"
