"""公示 (issue 7): per year, the estates and grades of a district or a street, with the
publication date and the appeal deadline in Chinese, printable on A4."""

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from tests.core.helpers import assessed_year

pytestmark = pytest.mark.django_db


def test_publication_per_street_and_district_with_its_dates(client, world):
    assessed_year(world)
    row = services.publish_year(2019, by=world.city_admin)
    url = reverse("assessments:publication", args=[2019])
    published = timezone.localdate(row.published_at)
    dates = f"公示日期：{published.year}年{published.month}月{published.day}日"
    deadline = f"{row.appeal_deadline.year}年{row.appeal_deadline.month}月{row.appeal_deadline.day}日24时"

    client.force_login(world.meiyuan_clerk)
    html = client.get(url).content.decode()
    assert "梅园新村街道2019年度老旧小区考核结果公示" in html
    assert dates in html and f"申诉截止：{deadline}" in html
    assert "MY101" in html and "XJK101" not in html and "NH101" not in html
    assert "共 4 个小区" in html and "data-print" in html

    client.force_login(world.xuanwu_staff)
    html = client.get(url).content.decode()
    assert "玄武区2019年度" in html and "MY101" in html and "XJK101" in html and "NH101" not in html
    street = world.estates["XJK101"].street
    html = client.get(url, {"street": street.pk}).content.decode()
    assert "新街口街道2019年度" in html and "MY101" not in html and "XJK101" in html

    client.force_login(world.city_admin)
    html = client.get(url).content.decode()
    assert "请选择要打印的区" in html and "MY101" not in html
    html = client.get(url, {"district": world.estates["NH101"].district_id}).content.decode()
    assert "鼓楼区2019年度" in html and "NH101" in html and "MY101" not in html


def test_publication_of_a_year_without_results_says_what_to_do(client, world):
    client.force_login(world.meiyuan_clerk)
    html = client.get(reverse("assessments:publication", args=[2020])).content.decode()
    assert "还没有考核结果" in html and "市房产局完成年度计分后" in html
