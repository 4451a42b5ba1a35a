"""Consistency across pages (issue 7): walking every page reachable from the menu and the
pages' own links, for a city, a district and a street user: no server error, a breadcrumb on
every page but the home page, a label on every field, dates in Chinese."""

import re

import lxml.html
import pytest

from tests.core.helpers import assessed_year, overdue_repair

pytestmark = pytest.mark.django_db

SKIP = ("/static", "/media", "/admin", "/api", "/accounts/logout", "/jobs/")
NO_BREADCRUMB = re.compile(r"^/$|/print/$|/poster/$")  # the home page; pages made for paper
ISO_DATE_ALLOWED = re.compile(r"/import/$")  # import help describes the spreadsheet's cells
ISO_DATE = re.compile(r"\b(?:19|20)\d\d-\d\d-\d\d\b")


def crawl(client, limit=150):
    """GET pages breadth-first from the home page, one per URL shape (ids → N)."""
    seen, queue, pages = set(), ["/"], []
    while queue and len(pages) < limit:
        url = queue.pop(0)
        shape = re.sub(r"\d+", "N", url.split("?")[0].split("#")[0])
        if shape in seen:
            continue
        seen.add(shape)
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        doc = lxml.html.fromstring(response.content)
        pages.append((shape, doc))
        for href in doc.xpath("//main//a/@href|//nav//a/@href"):
            if href.startswith("/") and not href.startswith(SKIP) and not re.search(r"export|download|template", href):
                queue.append(href)
    return pages


def problems(pages) -> list[str]:
    found = []
    for shape, doc in pages:
        if not NO_BREADCRUMB.search(shape) and not doc.xpath("//nav[@aria-label='当前位置']"):
            found.append(f"{shape}: no breadcrumb")
        labelled = set(doc.xpath("//label/@for"))
        for field in doc.xpath("//main//input|//main//select|//main//textarea"):
            if field.get("type") in ("hidden", "submit", "button", "reset"):
                continue
            if not (
                field.get("aria-label")
                or field.get("aria-labelledby")
                or field.get("id") in labelled
                or field.xpath("ancestor::label")
            ):
                found.append(f"{shape}: field {field.get('name')} has no label")
        main = doc.xpath("//main")
        if main and not ISO_DATE_ALLOWED.search(shape) and ISO_DATE.search(main[0].text_content()):
            found.append(f"{shape}: date not in Chinese: {ISO_DATE.search(main[0].text_content()).group()}")
    return found


@pytest.mark.parametrize("persona", ["city_admin", "xuanwu_staff", "meiyuan_clerk"])
def test_every_page_has_breadcrumbs_labels_and_chinese_dates(client, world, persona):
    assessed_year(world)
    overdue_repair(world, "MY101")
    client.force_login(world.users[persona])
    pages = crawl(client)
    assert len(pages) > 30  # the walk really went through the application
    assert problems(pages) == []
