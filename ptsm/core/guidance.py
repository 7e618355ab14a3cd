"""ANAP's guidance about a document (the seed's « Présentation du document »): shown to the chef
de projet on the document's editing page, never printed in the document itself."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


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


def guidance_panel(sections: list[GuidanceSection], project) -> list[dict]:
    """The guidance with each item's link resolved for the project."""

    def url(name: str) -> str:
        if not name:
            return ""
        try:
            return reverse(name, kwargs={"slug": project.slug})
        except NoReverseMatch:
            return ""

    return [
        {
            "heading": section.heading,
            "paragraphs": section.paragraphs,
            "items": [LinkedItem(item.label, url(item.url_name)) for item in section.items],
            "closing": section.closing,
        }
        for section in sections
    ]
