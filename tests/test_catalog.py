"""Finding units by name (geo/catalog.py): accents, case and ligatures ignored, as porteurs type
names and as spreadsheets write them."""


def test_a_name_with_oe_ligature_is_found_as_typed_without_it(catalog):
    """109 communes carry « œ » (Mercœur, Œuilly…): typed « oe », as everyone types it, they are
    found by the search and by a table of names."""
    assert "19133" in catalog.search("Mercoeur")["code"].tolist()
    assert "02565" in catalog.search("oeuilly")["code"].tolist()
    resolved = catalog.codes_named(["Mercoeur", "COEUVRES-ET-VALSERY", "Mercœur"], deps=["19", "02"])
    assert resolved.codes == ("19133", "02201", "19133") and resolved.unknown == ()
