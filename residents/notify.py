"""Notifications of the residents' channel (通知): a new resident report → its street; a
不满意 → its street and its district.

The sender is a class named by the setting RESIDENTS_NOTIFIER with
`send(recipients: list[str], message: str)` (staff) and `send_to_resident(mobile, message)` (the
resident's receipt). The default, LogNotifier, writes to the log —
without any phone number: messages name the case number and the estate only. To plug an SMS
gateway, write a class with the same method that looks the recipients' duty numbers up and
calls the gateway, and name it in RESIDENTS_NOTIFIER (docs/residents.md). Notifications are
sent after the transaction commits, so a refused report notifies no one.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger("residents.notify")


class LogNotifier:
    """The default sender: one log line per notification (no outside call)."""

    def send(self, recipients: list[str], message: str) -> None:
        logger.info("通知 %s：%s", "、".join(recipients), message)

    def send_to_resident(self, mobile: str, message: str) -> None:
        # The number is the gateway's business only: the log says that a message went, not where.
        logger.info("通知报告人（号码不记录）：%s", message)


def sender():
    return import_string(settings.RESIDENTS_NOTIFIER)()


def _kind(case) -> str:
    return "报修" if case.number.startswith("WX") else "矛盾纠纷求助"


def _send_later(recipients, message):
    transaction.on_commit(lambda: sender().send(recipients, message))


def new_report(case) -> None:
    """新居民自报 → the street (its clerks)."""
    _send_later([case.street.name], f"新的居民自报{_kind(case)} {case.number}（{case.estate.name}），请及时处理。")


def receipt(case, mobile: str, tracking_url: str) -> None:
    """受理回执 → the resident who gave a number: the receipt number and the tracking link.
    A sender without send_to_resident (an older gateway class) simply sends nothing."""
    message = f"您的{_kind(case)}已受理，受理编号 {case.number}。查询进度、办结后评价：{tracking_url}"

    def deliver():
        target = sender()
        if hasattr(target, "send_to_resident"):
            target.send_to_resident(mobile, message)

    transaction.on_commit(deliver)


def dissatisfied(case) -> None:
    """不满意 → the street and the district."""
    _send_later(
        [case.street.name, case.district.name],
        f"居民对{_kind(case)} {case.number}（{case.estate.name}）评价不满意，已列入回访名单。",
    )
