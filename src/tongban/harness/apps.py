from django.apps import AppConfig


class HarnessConfig(AppConfig):
    """Registered only for its management command (`permissions_doc`); it has no models."""

    name = "tongban.harness"
    label = "harness"
    verbose_name = "可靠性与安全测试工具"
