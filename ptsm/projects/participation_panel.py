"""The participation figures as people read them (issue 19): the dashboard panel of the
project's home page, and the lines the reviews print — from every registered source
(`participation.participation_figures`), so that each app's figures appear without this module
naming the app."""

from .participation import ParticipationFigure, participation_figures
from .todo import DashboardPanel, register_panel

HEADING = "Participation des personnes concernées et des proches"


def figure_text(figure: ParticipationFigure) -> str:
    """« Membres … : 2 sur 8 membres, dans 1 instance sur 3 (personnes concernées : 1 ;
    proches et familles : 1) »."""
    text = f"{figure.label} : {figure.detail or figure.value}"
    if figure.breakdown:
        text += " (" + " ; ".join(f"{label.lower()} : {n}" for label, n in figure.breakdown) + ")"
    return text


def participation_sections(project) -> list[dict]:
    """Plain data, for pages and documents: [{heading, lines: [{text, url}]}]."""
    return [
        {
            "heading": source.label,
            "lines": [{"text": figure_text(f), "url": f.url} for f in figures],
        }
        for source, figures in participation_figures(project)
    ]


def participation_panel(project, today) -> dict | None:
    sections = participation_sections(project)
    return {"sections": sections} if sections else None


def register_participation_panel() -> None:
    register_panel(
        DashboardPanel(
            key="participation",
            template="projects/_participation_panel.html",
            context=participation_panel,
            order=50,
        )
    )
