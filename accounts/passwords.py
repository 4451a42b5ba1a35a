"""Password rules (等保 2.0): length, common-password and numeric checks, at least three of four
character classes, and no reuse of the current or the last five passwords; every message in
Chinese."""

import re

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError


class CharacterClassValidator:
    CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^a-zA-Z0-9]"))

    def validate(self, password, user=None):
        if sum(1 for c in self.CLASSES if c.search(password)) < 3:
            raise ValidationError("密码须包含大写字母、小写字母、数字、符号中的至少三类。", code="password_classes")

    def get_help_text(self):
        return "密码至少8位，包含大写字母、小写字母、数字、符号中的至少三类。"


# Django's own validators speak through its translation catalogue, which has no Chinese for the
# plural "too short" message (and none at all when no language is active, as in a management
# command): each message is written here in Chinese instead.
class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少 {self.min_length} 个字符。"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    ATTRIBUTES = {"username": "用户名", "full_name": "姓名", "first_name": "名", "last_name": "姓", "email": "电子邮箱"}

    def __init__(self, user_attributes=tuple(ATTRIBUTES), max_similarity=0.7):
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)

    def validate(self, password, user=None):
        # Django names the attribute by its verbose name, English when no language is active.
        for attribute in self.user_attributes:
            try:
                password_validation.UserAttributeSimilarityValidator(
                    user_attributes=(attribute,), max_similarity=self.max_similarity
                ).validate(password, user)
            except ValidationError:
                raise ValidationError(
                    self.get_error_message(),
                    code="password_too_similar",
                    params={"verbose_name": self.ATTRIBUTES.get(attribute, attribute)},
                ) from None

    def get_error_message(self):
        return "密码与%(verbose_name)s过于相似。"

    def get_help_text(self):
        return "密码不能与您的用户名、姓名等个人信息过于相似。"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self):
        return "这个密码太常见了。"

    def get_help_text(self):
        return "密码不能是常用密码。"


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self):
        return "密码不能全是数字。"

    def get_help_text(self):
        return "密码不能全是数字。"


class PasswordHistoryValidator:
    """密码不得重复使用: the new password is none of the current one and the last `remember`
    before it. The hashes are kept in PasswordHistory, written by `password_changed`, which
    Django calls whenever a password is set and saved."""

    def __init__(self, remember: int = 5):
        self.remember = remember

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        from .models import PasswordHistory

        used = [user.password] if user.password else []
        used += list(
            PasswordHistory.objects.filter(user=user)
            .order_by("-created_at", "-id")
            .values_list("password", flat=True)[: self.remember + 1]
        )
        # check_password without a setter: checking must never re-hash and save the user.
        if any(check_password(password, encoded) for encoded in used):
            raise ValidationError(
                f"新密码不能与当前密码或最近 {self.remember} 次使用过的密码相同。", code="password_reused"
            )

    def password_changed(self, password, user=None):
        if user is None or user.pk is None or not user.password:
            return
        from .models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        stale = (
            PasswordHistory.objects.filter(user=user)
            .order_by("-created_at", "-id")
            .values_list("pk", flat=True)[self.remember + 1 :]
        )
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self):
        return f"不能重复使用当前密码或最近 {self.remember} 次使用过的密码。"
