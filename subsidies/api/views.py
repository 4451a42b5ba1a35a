"""API of the subsidies: sheets and rows within the caller's scope (a finance role sees approved
sheets only). The one write is a row's 收款单位 while its sheet is not approved: a frozen sheet
answers 409 with the reason, and nothing changes."""

from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.rules import can

from .. import services
from ..choices import SheetStatus
from ..models import Allocation, AllocationSheet
from . import serializers as s


class SheetViewSet(viewsets.ReadOnlyModelViewSet):
    """补贴分配表."""

    serializer_class = s.SheetSerializer
    filterset_fields = ["year", "district", "status", "kind"]

    def get_queryset(self):
        return (
            AllocationSheet.objects.visible_to(self.request.user)
            .select_related("district")
            .order_by("-year", "district__code", "version")
        )


class AllocationViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """分配明细; PATCH changes only the payee, and only on a sheet not yet approved."""

    serializer_class = s.AllocationSerializer
    filterset_fields = ["sheet", "kind", "estate"]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        qs = Allocation.objects.visible_to(self.request.user)
        if self.request.method == "PATCH":
            qs = Allocation.objects.writable_by(self.request.user)
        return qs.select_related("estate", "sheet").order_by("sheet_id", "kind", "id")

    def partial_update(self, request, *args, **kwargs):
        if not can(request.user, "payee"):
            raise PermissionDenied("您没有修改收款单位的权限。")
        row = self.get_object()
        if row.sheet.status == SheetStatus.APPROVED:
            return Response({"detail": "该分配表已经市级审核，已冻结，不能修改。"}, status=status.HTTP_409_CONFLICT)
        payee = str(request.data.get("payee", "")).strip()
        if not payee or len(payee) > 200:
            return Response(
                {"detail": "提交的数据有误。", "errors": {"payee": ["请填写收款单位（不超过200字）。"]}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if not services.set_payee(row, payee, by=request.user):
            return Response({"detail": "该分配表已经市级审核，已冻结，不能修改。"}, status=status.HTTP_409_CONFLICT)
        row.refresh_from_db()
        return Response(self.get_serializer(row).data)

    def update(self, request, *args, **kwargs):
        if kwargs.get("partial"):
            return self.partial_update(request, *args, **kwargs)
        return Response({"detail": "不支持该请求方法。"}, status=status.HTTP_405_METHOD_NOT_ALLOWED)
