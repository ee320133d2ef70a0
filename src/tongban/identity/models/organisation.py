from django.conf import settings
from django.db import models

from ..constants import DEPARTMENT_ROLES, Role
from ..scoping import Scope, ScopedQuerySet


class Region(models.Model):
    """行政区划 (RULES R3): city → district/pilot zone → street → community.

    `path` is the chain of codes from the city down ("210200/210202/210202001/"), so "this
    region and everything below it" is one indexed prefix match at any level."""

    class Level(models.TextChoices):
        CITY = "city", "市"
        DISTRICT = "district", "区市县（先导区）"
        STREET = "street", "街道（乡镇）"
        COMMUNITY = "community", "社区（村）"

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=60)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    kind = models.CharField("类别", max_length=20, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=80, unique=True, editable=False)
    synthetic = models.BooleanField("平台自编代码", default=False)
    located_in = models.JSONField("所在行政区", default=list, blank=True)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "") + f"{self.code}/"
        super().save(*args, **kwargs)

    def contains(self, other: "Region") -> bool:
        return other.path.startswith(self.path)


class Department(models.Model):
    """A government department with its unified social credit code (RULES R2)."""

    id = models.SlugField("标识", max_length=40, primary_key=True)
    abbr = models.CharField("事项编码前缀", max_length=10, blank=True)
    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments")
    kind = models.CharField("类别", max_length=40, blank=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="branches")

    objects = ScopedQuerySet.as_manager()
    scope = Scope(department="pk", region="region")

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["region__path", "name"]

    def __str__(self) -> str:
        return self.name


class StaffRole(models.Model):
    """One role of a staff member in one department and region. A person may hold several
    (a head of one office who is also a content editor)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField("角色", max_length=20, choices=Role.staff_choices())
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="staff_roles")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="staff_roles")
    granted_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(department="department", region="region")

    class Meta:
        verbose_name = "工作人员角色"
        verbose_name_plural = "工作人员角色"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "department", "region"], name="staff_role_unique"),
            models.CheckConstraint(
                condition=~models.Q(role__in=sorted(DEPARTMENT_ROLES)) | models.Q(department__isnull=False),
                name="department_role_needs_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.department or self.region}"
