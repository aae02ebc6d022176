"""The pages of the app, their stable URL paths and who may see them.

The URL paths are printed on posters and QR codes: never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sparcs_engage.i18n import N_

# ?view=present on /facilitate: the workshop on the projector, full screen.
VIEW_PARAM = "view"
PRESENT_VIEW = "present"


@dataclass(frozen=True)
class PageSpec:
    """A page: its script, URL path, title msgid, icon, and the roles allowed (None: all)."""

    key: str
    script: str
    url_path: str
    title: str
    icon: str
    roles: tuple[str, ...] | None = None
    activity: str | None = None  # a one-line description msgid when the home page lists it
    # False: reachable by its URL (a QR code, a link) but not a link in the top navigation.
    in_nav: bool = True
    # Values of ?view= that the page draws full screen, without the site's header and footer
    # (the projector's presenter view), for a visitor allowed to see the page.
    bare_views: tuple[str, ...] = ()


PAGES: tuple[PageSpec, ...] = (
    PageSpec("home", "views/public/home.py", "", N_("Home"), ":material/home:"),
    PageSpec(
        "map",
        "views/public/map.py",
        "map",
        N_("District map"),
        ":material/map:",
        activity=N_("See how much energy your district uses and how much greenhouse gas it emits."),
    ),
    PageSpec(
        "footprint",
        "views/public/footprint.py",
        "footprint",
        N_("Carbon footprint"),
        ":material/footprint:",
        activity=N_("Work out your own carbon footprint and find the steps that help most."),
    ),
    PageSpec(
        "method",
        "views/public/method.py",
        "method",
        N_("How the footprint is calculated"),
        ":material/menu_book:",
        in_nav=False,  # linked from the footprint result
    ),
    PageSpec(
        "vision",
        "views/public/vision.py",
        "vision",
        N_("City Vision 2050"),
        ":material/lightbulb:",
        activity=N_("Tell us what your city should be like in 2050, and where change matters."),
    ),
    PageSpec(
        "results",
        "views/public/results.py",
        "results",
        N_("Results"),
        ":material/bar_chart:",
    ),
    PageSpec(
        "workshop",
        "views/public/workshop.py",
        "workshop",
        N_("Workshop"),
        ":material/groups:",
        in_nav=False,  # residents arrive by the QR code or the link the facilitator shows
    ),
    PageSpec(
        "facilitate",
        "views/facilitator/facilitate.py",
        "facilitate",
        N_("Run a workshop"),
        ":material/co_present:",
        roles=("facilitator",),
        bare_views=(PRESENT_VIEW,),
    ),
    PageSpec(
        "staff",
        "views/staff/staff.py",
        "staff",
        N_("Indicators"),
        ":material/monitoring:",
        roles=("staff",),
    ),
    PageSpec("privacy", "views/public/privacy.py", "privacy", N_("Privacy"), ":material/shield:"),
    PageSpec(
        "accessibility",
        "views/public/accessibility.py",
        "accessibility",
        N_("Accessibility"),
        ":material/accessibility_new:",
        in_nav=False,  # linked from every page's footer
    ),
    PageSpec("login", "views/account/login.py", "login", N_("Sign in"), ":material/login:"),
)


def allowed(page: PageSpec, role: str | None) -> bool:
    """Whether a visitor with this role (None: a resident) may see the page's content."""
    return page.roles is None or role in page.roles


def bare(page: PageSpec, view: str | None, role: str | None) -> bool:
    """Whether this run draws the page alone, without the site's header and footer: one of its
    full-screen views, for a visitor allowed to see it (anyone else gets the way in, framed)."""
    return view in page.bare_views and allowed(page, role)


def visible_pages(role: str | None) -> list[PageSpec]:
    """The pages a visitor with this role (None: a resident) sees in the navigation."""
    return [page for page in PAGES if page.in_nav and allowed(page, role)]


def routable_pages() -> list[PageSpec]:
    """Every page, so that every deep link opens: a page whose role the visitor lacks shows the
    sign-in prompt instead of its content (app.py decides, before the page script runs)."""
    return list(PAGES)


def activities(role: str | None) -> list[PageSpec]:
    """The activities the home page leads to, in navigation order."""
    return [page for page in visible_pages(role) if page.activity]
