"""The seal register: one key pair per department and algorithm at a time (电子印章)."""

from __future__ import annotations

from django.db import models

from ..constants import Algorithm, KeyStatus


class SealKey(models.Model):
    """A department's seal key. The private key is stored only encrypted (AES-256-GCM under the
    key-encryption key of the settings, the key id as associated data); the public key is
    public and stays in the register after the key retires, so old signatures keep verifying."""

    key_id = models.CharField("密钥标识", max_length=80, unique=True)
    algorithm = models.CharField("算法", max_length=12, choices=Algorithm.choices)
    department = models.ForeignKey("identity.Department", on_delete=models.PROTECT, related_name="seal_keys",
                                   verbose_name="用章部门")
    public_key = models.CharField("公钥（十六进制）", max_length=200)
    encrypted_private_key = models.BinaryField("加密的私钥（nonce‖密文）")
    kek_fingerprint = models.CharField("密钥加密密钥指纹", max_length=16)
    status = models.CharField("状态", max_length=12, choices=KeyStatus.choices, default=KeyStatus.ACTIVE)
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期止")
    created_at = models.DateTimeField("生成时间")
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)
    compromised_at = models.DateTimeField("泄露标记时间", null=True, blank=True)
    status_reason = models.CharField("状态说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "印章密钥"
        verbose_name_plural = "印章密钥"
        ordering = ["department", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["department", "algorithm"], condition=models.Q(status="active"),
                                    name="one_active_seal_key_per_department_algorithm"),
        ]

    def __str__(self) -> str:
        return self.key_id
