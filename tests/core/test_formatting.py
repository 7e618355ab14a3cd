import datetime as dt

from ptsm.core.formatting import NARROW_NBSP, NBSP, french_date, french_number, french_typography


def test_high_punctuation_gets_a_narrow_no_break_space():
    assert french_typography("Pourquoi ? Parce que ! Voilà ; fin") == (
        f"Pourquoi{NARROW_NBSP}? Parce que{NARROW_NBSP}! Voilà{NARROW_NBSP}; fin"
    )
    assert french_typography("Vraiment?!") == f"Vraiment{NARROW_NBSP}?!"


def test_colon_and_guillemets_get_a_no_break_space():
    assert (
        french_typography("Objectifs : « parcours »") == f"Objectifs{NBSP}: «{NBSP}parcours{NBSP}»"
    )
    assert french_typography("Objectifs: «parcours»") == f"Objectifs{NBSP}: «{NBSP}parcours{NBSP}»"


def test_urls_and_times_are_left_alone():
    assert (
        french_typography("Voir https://ptsm.fr/a?b=1 à 12:30")
        == "Voir https://ptsm.fr/a?b=1 à 12:30"
    )


def test_french_numbers_and_dates():
    assert french_number(909028) == f"909{NARROW_NBSP}028"
    assert french_number(134.567, 1) == "134,6"
    assert french_date(dt.date(2026, 3, 1)) == "1er mars 2026"
    assert french_date(dt.date(2026, 12, 24)) == "24 décembre 2026"
