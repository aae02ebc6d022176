"""The top of every page: the document's language and tab title, our style, and a compact
header (the brand, the pages, and one control for language and city).

On a phone the header is one row: the brand, a menu of the pages and the language-and-city
control, so the page's heading and first action are on the first screen. From tablet width
the pages are links in a row of their own. Every link keeps ?lang= and ?city=.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import streamlit as st

from sparcs_engage.i18n import LANGUAGE_NAMES, language_label
from sparcs_engage.navigation import PageSpec
from sparcs_engage.ui.context import Visitor
from sparcs_engage.ui.layout import page_link

BRAND = "SPARCS Engage"
STYLE = "<style>" + (Path(__file__).parent / "style.css").read_text(encoding="utf-8") + "</style>"

# Streamlit's own English texts that reach a visitor: the skip link, the labels its number
# fields give their step buttons, and "Press Enter to apply" under a field being typed in (not
# needed: a value applies when the field is left, and a form has its button). The script puts
# ours in their place or hides them (a field's character count stays), and sets the page's
# language on <html>, again whenever Streamlit draws them anew.
_CHROME_SCRIPT = """
<script>
(() => {
  const chrome = window.__sparcsChrome = window.__sparcsChrome || {};
  Object.assign(chrome, %s);
  const apply = () => {
    const c = window.__sparcsChrome;
    const root = document.documentElement;
    if (root.lang !== c.lang) root.lang = c.lang;
    if (c.title && document.title !== c.title) document.title = c.title;
    for (const link of document.querySelectorAll('[data-testid="stSkipToContent"]')) {
      if (link.textContent !== c.skip) link.textContent = c.skip;
    }
    const steps = [["stNumberInputStepUp", c.up], ["stNumberInputStepDown", c.down]];
    for (const [testid, label] of steps) {
      for (const button of document.querySelectorAll(`[data-testid="${testid}"]`)) {
        if (button.getAttribute("aria-label") !== label) button.setAttribute("aria-label", label);
        if (button.getAttribute("title") !== label) button.setAttribute("title", label);
      }
    }
    for (const span of document.querySelectorAll('[data-testid="InputInstructions"] > span')) {
      const shown = /^\\s*\\d+\\s*\\/\\s*\\d+\\s*$/.test(span.textContent) ? "" : "none";
      if (span.style.display !== shown) span.style.display = shown;
    }
  };
  apply();
  if (!chrome.observer) {
    chrome.observer = new MutationObserver(() => apply());
    chrome.observer.observe(document.documentElement, {
      subtree: true, childList: true, characterData: true,
      attributes: true, attributeFilter: ["lang", "aria-label"],
    });
    new MutationObserver(() => apply()).observe(document.head, {subtree: true, childList: true});
  }
})();
</script>
"""


def tab_title(visitor: Visitor, page_title: str) -> str:
    """The browser tab's title: the page, then the service ("Karta · SPARCS Engage")."""
    return f"{page_title} · {BRAND}"


def document_chrome(visitor: Visitor, page_title: str) -> None:
    """The document's language and title, and our texts for Streamlit's own English ones."""
    title = tab_title(visitor, page_title)
    st.set_page_config(page_title=title)
    t = visitor.t
    texts = {
        "lang": visitor.lang,
        "title": title,
        "skip": t("Skip to the page content"),
        "up": t("Increase the value"),
        "down": t("Decrease the value"),
    }
    script = _CHROME_SCRIPT % json.dumps(texts, ensure_ascii=False).replace("</", "<\\/")
    st.html(STYLE + script, unsafe_allow_javascript=True)


def _choose(key: str, value: str) -> None:
    """Called when the visitor picks a language or city: the URL takes the new value, and the
    control closes."""
    st.query_params[key] = st.session_state[f"{key}_choice"] or value
    st.session_state["place_menu"] = False


def place_label(visitor: Visitor) -> str:
    """What the language-and-city control shows closed: "Svenska · Esbo"."""
    name = LANGUAGE_NAMES[visitor.lang]
    return f"{name} · {visitor.city.name(visitor.lang)}" if visitor.city else name


def _place_control(visitor: Visitor) -> None:
    """One control for language and city: the city's languages, each in its own name, under
    a label that says "Language" in each of them; then the cities."""
    t, city, registry = visitor.t, visitor.city, visitor.registry
    with st.popover(
        place_label(visitor),
        icon=":material/language:",
        key="place_menu",
        on_change="rerun",  # tracked, so that choosing closes it
    ):
        languages = city.languages if city else tuple(LANGUAGE_NAMES)
        st.session_state["lang_choice"] = visitor.lang
        st.segmented_control(
            language_label(languages),
            languages,
            format_func=lambda code: LANGUAGE_NAMES[code],
            key="lang_choice",
            required=True,
            on_change=_choose,
            args=("lang", visitor.lang),
        )
        if city is not None:
            st.session_state["city_choice"] = city.id
            st.segmented_control(
                t("City"),
                registry.ids(),
                format_func=lambda cid: registry[cid].name(visitor.lang),
                key="city_choice",
                required=True,
                on_change=_choose,
                args=("city", city.id),
            )


def draw_header(
    visitor: Visitor, pages: Sequence[tuple[PageSpec, object, str]], current: str
) -> None:
    """The header: the brand, the pages (a menu on phones, a row of links from tablet
    width) and the language-and-city control. ``pages`` are (spec, st.Page, title);
    ``current`` is the key of the page shown."""
    t = visitor.t
    if st.session_state.get("_header_page") != current:
        # A new page: the menu that led here closes (it stays open across pages otherwise).
        st.session_state["site_menu"] = False
        st.session_state["place_menu"] = False
        st.session_state["_header_page"] = current
    with st.container(
        horizontal=True,
        key="site_header",
        vertical_alignment="center",
        horizontal_alignment="distribute",
        gap="small",
    ):
        st.html(f'<p class="sparcs-brand">{BRAND}</p>', width="content")
        with st.container(
            horizontal=True, key="site_controls", gap="small", width="content", wrap=False
        ):
            with st.popover(t("Menu"), icon=":material/menu:", key="site_menu", on_change="rerun"):
                for spec, page, title in pages:
                    page_link(visitor, page, title, spec.icon)
            _place_control(visitor)
    with st.container(horizontal=True, key="site_nav", gap="medium"):
        for spec, page, title in pages:
            page_link(visitor, page, title, spec.icon)
