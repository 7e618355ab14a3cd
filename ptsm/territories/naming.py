"""French names of territories with their article: "le PTSM du Finistère", "de l'Ain".

INSEE gives each département a "type de nom en clair" (TNCC) that says which article and
preposition its name takes; a territory that is not exactly one département gets "de"/"d'".
"""

# TNCC -> the preposition "de" combined with the name's article.
OF_BY_NAME_TYPE = {
    0: "de ",
    1: "d'",
    2: "du ",
    3: "de la ",
    4: "des ",
    5: "de l'",
    6: "des ",
    7: "de las ",
    8: "de los ",
}
VOWELS = tuple("AEIOUYÂÉÈÊÎÏÔÛaeiouyâéèêîïôûH")
# Common territory names that take "du": "du Pays de Brest", "du Territoire de Belfort".
MASCULINE_WORDS = ("Pays ", "Territoire ", "Grand ", "Val ", "Sud ", "Nord ", "Centre ")


def of_name(name: str, name_type: int | None = None) -> str:
    """'du Finistère', 'des Deux-Sèvres', "d'Ille-et-Vilaine", 'du Pays de Brest'."""
    if name_type is not None:
        return OF_BY_NAME_TYPE.get(name_type, "de ") + name
    if name.startswith(MASCULINE_WORDS):
        return "du " + name
    return ("d'" if name.startswith(VOWELS) else "de ") + name
