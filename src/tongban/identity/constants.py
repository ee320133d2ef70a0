"""Named roles, permissions and real-name levels: no string literals scattered in views."""

from django.db import models


class Role(models.TextChoices):
    CITIZEN = "citizen", "自然人"
    ENTERPRISE = "enterprise", "企业经办人"
    WINDOW = "window", "窗口人员"
    OFFICER = "officer", "审批人员"
    HEAD = "head", "部门负责人"
    SUPERVISOR = "supervisor", "监督人员"
    EDITOR = "editor", "内容编辑"
    HOTLINE_OPERATOR = "hotline_operator", "12345话务员"
    ADMIN = "admin", "系统管理员"

    @classmethod
    def staff_choices(cls) -> list[tuple[str, str]]:
        return [(r.value, r.label) for r in cls if r not in (cls.CITIZEN, cls.ENTERPRISE)]


STAFF_ROLES = frozenset(value for value, _ in Role.staff_choices())
# Roles whose reach is one department, in its region and below.
DEPARTMENT_ROLES = frozenset({Role.WINDOW, Role.OFFICER, Role.HEAD})
# Roles whose reach is a whole region and below it, across departments.
REGION_ROLES = frozenset({Role.SUPERVISOR, Role.EDITOR, Role.HOTLINE_OPERATOR})


class RealNameLevel(models.IntegerChoices):
    """实名等级: 1 self-declared, 2 verified against the population register or by SMS to a
    registered phone, 3 verified in person at a window or by face recognition."""

    DECLARED = 1, "一级（自行注册）"
    VERIFIED = 2, "二级（核验通过）"
    IN_PERSON = 3, "三级（现场或人脸核验）"


class UserKind(models.TextChoices):
    PERSON = "person", "自然人"
    STAFF = "staff", "工作人员"
    SYSTEM = "system", "系统账号"
