"""Chinese formats as the finance bureaus write numbers: Django's zh_Hans has no thousands
separator (and groups by four); government tables use 1,234,567.89."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
