"""Password rules (等保 2.0): besides Django's length, common-password and numeric checks, at
least three of four character classes."""

import re

from django.core.exceptions import ValidationError


class CharacterClassValidator:
    CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^a-zA-Z0-9]"))

    def validate(self, password, user=None):
        if sum(1 for c in self.CLASSES if c.search(password)) < 3:
            raise ValidationError("密码须包含大写字母、小写字母、数字、符号中的至少三类。", code="password_classes")

    def get_help_text(self):
        return "密码至少8位，包含大写字母、小写字母、数字、符号中的至少三类。"
