"""Which pages each visitor sees."""

from sparcs_engage.navigation import PAGES, PageSpec, visible_pages


def test_residents_see_only_public_pages():
    assert all(page.roles is None for page in visible_pages(None))


def test_role_pages_are_shown_only_to_that_role(monkeypatch):
    staff_page = PageSpec("staff", "views/staff/staff.py", "staff", "Staff", "x", roles=("staff",))
    monkeypatch.setattr("sparcs_engage.navigation.PAGES", (*PAGES, staff_page))
    assert staff_page not in visible_pages(None)
    assert staff_page not in visible_pages("facilitator")
    assert staff_page in visible_pages("staff")


def test_home_comes_first():
    assert visible_pages(None)[0].url_path == ""
