"""How group levels are named and ordered for a reader (multilevel.levels)."""

from multilevel.levels import contrast_label, display_order, level_name, natural_order


def test_a_numeric_level_carries_its_variables_name():
    assert level_name("Diet", "1") == "Diet 1"
    assert level_name("Diet", 2) == "Diet 2"
    assert level_name("Sector", "Catholic") == "Catholic"
    assert level_name(None, "1") == "1"
    assert contrast_label("Diet", "3", "1") == "Diet 3 − Diet 1"


def test_numbers_sort_by_value_and_the_configured_order_wins():
    assert natural_order(["10", "2", "1", "b", "a"]) == ["1", "2", "10", "a", "b"]
    assert display_order(["Catholic", "Public"], ["Public", "Catholic"]) == ["Public", "Catholic"]
    assert display_order(["1", "2", "3", "4"], ["1", "4"]) == ["1", "4", "2", "3"]
    assert display_order([1, 2, 10]) == ["1", "2", "10"]
