"""Official administrative units (INSEE codes) and project territories."""

from django.db import models


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")
    chef_lieu = models.CharField("chef-lieu", max_length=200, blank=True)
    # INSEE's "type de nom en clair" (TNCC): which article the name takes — "du Finistère",
    # "de la Haute-Vienne", "des Deux-Sèvres", "de l'Ain". None until the referential is read.
    name_type = models.PositiveSmallIntegerField("type de nom (INSEE)", null=True, blank=True)
    # The outline of its communes (`geometry.dissolve`), as `Commune.svg_path` data: the maps of
    # a région or of France draw it instead of every commune. Empty until the referential is read.
    outline = models.TextField("contour", blank=True)
    min_x = models.FloatField(default=0)
    min_y = models.FloatField(default=0)
    max_x = models.FloatField(default=0)
    max_y = models.FloatField(default=0)

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    code = models.CharField("SIREN", max_length=9, primary_key=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("nature juridique", max_length=10, blank=True)

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """A current commune, with its boundary pre-projected to an SVG path.

    `svg_path` holds the boundary as SVG path data in (longitude, -latitude) degrees so that
    any set of communes can be drawn by concatenating paths; `area_km2` is computed from the
    boundary with an equal-area projection when loading.
    """

    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=200)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey(
        Epci, on_delete=models.SET_NULL, null=True, blank=True, related_name="communes"
    )
    population = models.PositiveIntegerField("population municipale", default=0)
    area_km2 = models.FloatField("superficie (km²)", default=0)
    svg_path = models.TextField(blank=True)
    min_x = models.FloatField(default=0)
    min_y = models.FloatField(default=0)
    max_x = models.FloatField(default=0)
    max_y = models.FloatField(default=0)

    class Meta:
        verbose_name = "commune"
        ordering = ["name"]
        indexes = [models.Index(fields=["departement", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Territory(models.Model):
    """The geographic perimeter of a project: départements, EPCI and/or a list of communes.

    The communes covered are the union of the three; see selectors.territory_communes.
    """

    name = models.CharField("nom du territoire", max_length=200)
    departements = models.ManyToManyField(Departement, blank=True, verbose_name="départements")
    epcis = models.ManyToManyField(Epci, blank=True, verbose_name="EPCI")
    communes = models.ManyToManyField(Commune, blank=True, verbose_name="communes")

    class Meta:
        verbose_name = "territoire"

    def __str__(self) -> str:
        return self.name


class ReferentialVersion(models.Model):
    """Which release of the official files the referential was last loaded from."""

    source = models.CharField(max_length=100, unique=True)
    version = models.CharField(max_length=50)
    loaded_at = models.DateTimeField(auto_now=True)
    communes = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.source} {self.version}"
