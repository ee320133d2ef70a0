"""Tongban as an OpenID Connect provider (django-oauth-toolkit): the claims other government
systems receive when they sign a citizen or staff member in through us."""

from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator

from tongban.core.masking import mask_id_number


class TongbanOIDCValidator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "name": "profile",
        "preferred_username": "profile",
        "real_name_level": "profile",
        "id_number_masked": "profile",
        "user_kind": "profile",
        "phone_number": "phone",
    }

    def get_additional_claims(self, request) -> dict:
        user = request.user
        return {
            "name": user.name or user.username,
            "preferred_username": user.username,
            "real_name_level": user.real_name_level,
            "id_number_masked": mask_id_number(user.id_number),
            "user_kind": user.kind,
            "phone_number": user.phone,
        }
