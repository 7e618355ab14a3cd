"""Territory names take their French article: a letter is addressed "aux partenaires du PTSM
du Finistère", never "de Finistère"."""

import pytest

from ptsm.territories.naming import of_name
from ptsm.territories.selectors import territory_of
from tests.factories import make_project

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "code, expected",
    [
        ("29", "du Finistère"),
        ("79", "des Deux-Sèvres"),
        ("87", "de la Haute-Vienne"),
        ("01", "de l'Ain"),
        ("35", "d'Ille-et-Vilaine"),
        ("75", "de Paris"),
    ],
)
def test_a_departement_takes_the_article_insee_gives_it(code, expected):
    assert territory_of(make_project(departement=code).territory) == expected


def test_other_territories_get_de_or_d_or_du():
    assert of_name("Pays de Brest") == "du Pays de Brest"
    assert of_name("Cornouaille") == "de Cornouaille"
    assert of_name("Ouest Cornouaille") == "d'Ouest Cornouaille"
