"""The names of the roadmap's levels, per project (the Manche PTSM calls its orientations
« Enjeux »), and whether the « thématique » level is used (orientation → objectif →
fiche-action is allowed). Pages, numbering, documents and letters read them from here."""

from dataclasses import dataclass

DEFAULT_NAMES = {
    "orientation": ("Orientation stratégique", "Orientations stratégiques"),
    "theme": ("Thématique", "Thématiques"),
    "objective": ("Objectif stratégique", "Objectifs stratégiques"),
}
# The method's own wording, kept while a project keeps the default names.
DEFAULT_ADD = {
    "orientation": "Ajouter une orientation",
    "theme": "Ajouter une thématique",
    "objective": "Ajouter un objectif",
}
DEFAULT_EMPTY = {
    "theme": "Aucune thématique n'est encore définie pour cette orientation.",
    "objective": "Aucun objectif stratégique n'est encore défini pour cette thématique.",
    "orientation": "La feuille de route ne comporte encore aucune orientation stratégique.",
}


@dataclass(frozen=True)
class Levels:
    orientation: str = DEFAULT_NAMES["orientation"][0]
    orientations: str = DEFAULT_NAMES["orientation"][1]
    theme: str = DEFAULT_NAMES["theme"][0]
    themes: str = DEFAULT_NAMES["theme"][1]
    objective: str = DEFAULT_NAMES["objective"][0]
    objectives: str = DEFAULT_NAMES["objective"][1]
    uses_themes: bool = True

    def name(self, level: str) -> str:
        return getattr(self, level)

    def is_default(self, level: str) -> bool:
        return self.name(level) == DEFAULT_NAMES[level][0]

    def add_label(self, level: str) -> str:
        """« Ajouter une thématique », or with a project's own name « Ajouter : Enjeu »."""
        return DEFAULT_ADD[level] if self.is_default(level) else f"Ajouter : {self.name(level)}"

    def empty(self, level: str) -> str:
        if self.is_default(level) and (level != "objective" or self.uses_themes):
            return DEFAULT_EMPTY[level]
        return f"Aucun élément « {self.name(level)} » n'est encore défini."

    @property
    def empty_orientation(self) -> str:
        return self.empty("orientation")

    @property
    def child_of_orientation(self) -> str:
        """What is added under an orientation: a theme, or an objective without themes."""
        return "theme" if self.uses_themes else "objective"

    def as_context(self) -> dict:
        """For the documents."""
        return {
            # « Orientation 1 : … » in headings, as the method's documents say it.
            "orientation": "Orientation" if self.is_default("orientation") else self.orientation,
            "orientations": self.orientations,
            "theme": self.theme,
            "themes": self.themes,
            "objective": self.objective,
            "objectives": self.objectives,
            "uses_themes": self.uses_themes,
            "empty_theme": self.empty("theme"),
            "empty_objective": self.empty("objective"),
        }


def project_levels(project) -> Levels:
    """The project's level names (the method's defaults until the chef de projet sets them)."""
    from .models import RoadmapLevels

    return levels_of(RoadmapLevels.objects.filter(project=project).first())


def levels_of(row) -> Levels:
    """The levels a `RoadmapLevels` row names (the defaults without one)."""
    if row is None:
        return Levels()
    return Levels(
        orientation=row.orientation_name,
        orientations=row.orientation_plural,
        theme=row.theme_name,
        themes=row.theme_plural,
        objective=row.objective_name,
        objectives=row.objective_plural,
        uses_themes=row.uses_themes,
    )
