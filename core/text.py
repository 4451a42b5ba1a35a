"""Text hygiene shared by forms, serializers and importers."""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile("[\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def has_control_or_invisible(text: str) -> bool:
    return bool(_INVISIBLE.search(text)) or any(unicodedata.category(c) in ("Cc", "Cf") for c in text)


def clean_name(value: str) -> str:
    """Names have control and zero-width characters stripped, and spaces trimmed."""
    text = _INVISIBLE.sub("", value or "")
    return "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf")).strip()


def normalise_header(value) -> str:
    """Headers match by text after NFKC and with every space removed: （）and (), ㎡ and m2,
    full-width and trailing spaces all match."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", "", text).lower()
