"""The cookie that remembers which cities' surveys a browser has sent."""

from sparcs_engage.ui.browser_memory import cookie_value, sent_cities


def test_the_cookie_holds_only_city_ids():
    assert sent_cities("espoo.leipzig") == {"espoo", "leipzig"}
    assert sent_cities(None) == set() and sent_cities("") == set()
    # Anything that is not a city id is ignored, so nothing else reaches the script.
    assert sent_cities("espoo.';alert(1)//.LEIPZIG") == {"espoo"}
    assert cookie_value({"leipzig", "espoo", "x'y"}) == "espoo.leipzig"
