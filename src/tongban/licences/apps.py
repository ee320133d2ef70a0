from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "tongban.licences"
    label = "licences"
    verbose_name = "电子证照"

    def ready(self) -> None:
        from tongban.cases.signals import case_approved

        from . import receivers, tasks  # noqa: F401 — tasks registers the nightly job

        case_approved.connect(receivers.on_case_approved, dispatch_uid="licences.issue_on_approval")
