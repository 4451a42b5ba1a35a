"""The refusal of a domain operation is core's one type (core/errors.py); kept importable here."""

from core.errors import Refused

__all__ = ["Refused"]
