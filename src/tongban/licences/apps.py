from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "tongban.licences"
    label = "licences"
    verbose_name = "电子证照"

    def ready(self) -> None:
        from tongban.cases import sources
        from tongban.cases.signals import case_approved

        from . import receivers, tasks  # noqa: F401 — tasks registers the nightly job

        case_approved.connect(receivers.on_case_approved, dispatch_uid="licences.issue_on_approval")
        # R12: the cases' reuse offers come from the material vault, fetches share the library's record
        sources.register_default("tongban.licences.sources.VaultMaterialSource")
