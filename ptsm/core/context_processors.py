from django.conf import settings


def site(request):
    # django-dsfr's own processor reads a DsfrConfig row on every page; ours is static.
    return {
        "SITE_CONFIG": {
            "site_title": settings.PTSM_SITE_TITLE,
            "site_tagline": settings.PTSM_SITE_TAGLINE,
            "footer_brand": "république française",
            "footer_brand_html": "République<br>Française",
            "header_brand_html": "République<br>Française",
            "footer_description": (
                "ptsm ne contient aucune donnée permettant d'identifier un patient ou un usager."
            ),
            "mourning": False,
            "beta_tag": True,
            "notice_title": "",
            "notice_description": "",
        },
        "PTSM_PUBLISHER": settings.PTSM_PUBLISHER,
        "PTSM_STATE_SERVICE": settings.PTSM_STATE_SERVICE,
        "PTSM_ACCESSIBILITY_STATUS": settings.PTSM_ACCESSIBILITY_STATUS,
    }
