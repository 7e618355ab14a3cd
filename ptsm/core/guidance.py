"""ANAP's guidance about a document (the seed's « Présentation du document »): shown to the chef
de projet on the document's editing page, never printed in the document itself."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, resolve, reverse


@dataclass(frozen=True)
class GuidanceItem:
    label: str
    url_name: str = ""  # the page of the app that does what the fiche describes


@dataclass(frozen=True)
class GuidanceSection:
    heading: str
    paragraphs: tuple[str, ...] = ()
    items: tuple[GuidanceItem, ...] = ()
    closing: str = ""


@dataclass(frozen=True)
class LinkedItem:
    label: str
    url: str = ""


def guidance_panel(sections: list[GuidanceSection], project, role=None) -> list[dict]:
    """The guidance with each item's link resolved for the project; with `role`, only the links
    to pages that role may open (a signataire reads the fiche's name, without a link to a page
    that would answer 403)."""
    from ptsm.accounts.permissions import role_allows

    def url(name: str) -> str:
        if not name:
            return ""
        try:
            address = reverse(name, kwargs={"slug": project.slug})
        except NoReverseMatch:
            return ""
        capability = getattr(resolve(address).func, "required_capability", None)
        if role is not None and capability is not None and not role_allows(role, capability):
            return ""
        return address

    return [
        {
            "heading": section.heading,
            "paragraphs": section.paragraphs,
            "items": [LinkedItem(item.label, url(item.url_name)) for item in section.items],
            "closing": section.closing,
        }
        for section in sections
    ]
