"""
Filter state in the address bar, so a copied link reopens the same view.

Each shareable widget has a ``key``. Before the widget is drawn, :func:`seed` copies the
value named in the address (``?city=新乡市,焦作市&figure=households``) into the widget's
session state, once, when the session does not hold one yet; after the page's widgets are
drawn, :func:`publish` writes their values back into ``st.query_params``. Values are kept
readable: lists are comma-joined, numbers are plain. A value in the address that is not a
choice of the widget (a city renamed, a typo) is dropped and reported, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from geo import gazetteer
from layers._html import esc_md
from layers.wording import label, listed_text

__all__ = [
    "flag",
    "keep",
    "multiselect",
    "number",
    "picked",
    "publish",
    "seed",
    "seed_range",
    "url_list",
    "warn_dropped",
]

_SEP = ","


def url_list(key: str) -> list[str]:
    """The comma-separated values of ``?key=`` in the address, stripped; empty if absent."""
    raw = st.query_params.get(key)
    if not raw:
        return []
    return [part.strip() for part in raw.split(_SEP) if part.strip()]


def seed(
    key: str,
    *,
    options: Sequence | None = None,
    default=None,
    multi: bool = False,
    cast: Callable = str,
) -> list[str]:
    """
    Give the widget ``key`` its value from the address, else ``default``, if it has none yet.

    ``options`` are the widget's choices; address values outside them are dropped and
    returned, so the page can say which were ignored. ``cast`` turns the text into the
    widget's type (``int`` for a year). Call before drawing the widget, and draw it without
    ``default``/``value``/``index`` (Streamlit refuses both at once).
    """
    if key in st.session_state:
        if options is not None and multi:
            # Options can shrink when another filter changes; keep only what is still offered.
            kept = [v for v in st.session_state[key] if v in options]
            if len(kept) != len(st.session_state[key]):
                st.session_state[key] = kept
        elif options is not None and st.session_state[key] not in options:
            st.session_state[key] = default
        return []
    dropped: list[str] = []
    values = []
    for text in url_list(key):
        try:
            value = cast(text)
        except ValueError:
            dropped.append(text)
            continue
        if options is not None and value not in options:
            dropped.append(text)
        else:
            values.append(value)
    if multi:
        chosen = values if (values or key in st.query_params) else default
    else:
        chosen = values[0] if values else default
    if chosen is not None:
        st.session_state[key] = list(chosen) if multi else chosen
    return dropped


def keep(keys: Sequence[str]) -> None:
    """
    Carry the widgets ``keys`` over to their next drawing, whatever changes around them.

    A widget whose label or option names change (the language switch) is a new widget to
    Streamlit, which drew it with nothing chosen; a value written back through session state
    is one it honours. Call before any page draws its widgets.
    """
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def seed_range(key: str, bounds: Sequence[int]) -> list[str]:
    """
    Give the range slider ``key`` its (low, high) from the address, clamped to ``bounds``.

    A value that is not two numbers is dropped (and returned) in favour of ``bounds``. Call
    before drawing the slider, without ``value``.
    """
    first, last = int(bounds[0]), int(bounds[1])
    dropped = seed(key, default=[first, last], multi=True, cast=int)
    span = st.session_state.get(key)
    if not isinstance(span, list | tuple) or len(span) != 2:
        dropped += [str(v) for v in span or []]
        span = [first, last]
    low, high = sorted(min(max(int(y), first), last) for y in span)
    st.session_state[key] = (low, high)
    return dropped


def publish(keys: Sequence[str], *, defaults: dict | None = None) -> None:
    """
    Write the widgets' current values into the address bar.

    A value equal to its entry in ``defaults`` is left out, so a plain link stays short;
    an empty list is written as ``?key=`` so that "none chosen" survives the link.
    """
    defaults = defaults or {}
    for key in keys:
        if key not in st.session_state:
            continue
        value = st.session_state[key]
        if key in defaults and _same(value, defaults[key]):
            if key in st.query_params:
                del st.query_params[key]
            continue
        if isinstance(value, list | tuple):
            text = _SEP.join(str(v) for v in value)
        else:
            text = "" if value is None else str(value)
        if st.query_params.get(key) != text:
            st.query_params[key] = text


def _same(value, default) -> bool:
    if isinstance(value, list | tuple) and isinstance(default, list | tuple):
        return list(value) == list(default)
    return value == default


def warn_dropped(key: str, dropped: list[str], lang: str, options: Sequence = ()) -> None:
    """Say in the sidebar which values of the address were not choices, with close matches."""
    for value in dropped:
        kind = "city" if key == "city" else "name"
        matches = gazetteer.suggest(value, options, kind=kind) if options else []
        names = listed_text(matches, lang)
        hint = label("did_you_mean", lang).format(names=names) if matches else ""
        st.sidebar.warning(esc_md(label("url_dropped", lang).format(key=key, values=value) + hint))


def multiselect(key: str, title: str, options: list, lang: str, *, cast: Callable = str, **kw):
    """A sidebar multiselect seeded from the address; values that are no choice are named."""
    warn_dropped(key, seed(key, options=options, default=[], multi=True, cast=cast), lang, options)
    return st.sidebar.multiselect(title, options, key=key, placeholder=label("choose", lang), **kw)


def picked(
    key: str, title: str, options: list, lang: str, *, default: list, where=None, **kw
) -> tuple[list, list[str]]:
    """
    A multiselect seeded from the address, else ``default``; what is chosen, values dropped.

    The values of the address that are no choice are returned, not said: the page says them
    once with the rest. ``where`` is ``st.sidebar`` or the page (default); ``kw`` goes to the
    widget (``format_func``).
    """
    dropped = seed(key, options=options, default=default, multi=True)
    placeholder = label("pick_placeholder", lang)
    chosen = (where or st).multiselect(title, options, key=key, placeholder=placeholder, **kw)
    return chosen, dropped


def number(key: str, title: str, bounds: tuple[int, int], default: int, lang: str, **kw) -> int:
    """
    A sidebar number input seeded from the address (``?near=200``).

    A value that is not a whole number within ``bounds`` is named and dropped. ``kw`` goes to
    the widget (``step``).
    """
    low, high = bounds

    def within(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise ValueError(f"expected {low}–{high}, got {value}")
        return value

    warn_dropped(key, seed(key, default=default, cast=within), lang)
    return int(st.sidebar.number_input(title, low, high, key=key, **kw))


def flag(text: str) -> bool:
    """An address's ``true``/``false`` (as :func:`publish` writes a bool) as a bool."""
    words = {"true": True, "false": False}
    if text.lower() not in words:
        raise ValueError(f"expected true or false, got {text!r}")
    return words[text.lower()]
