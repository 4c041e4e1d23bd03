"""
What pages keep: one walking network and its facilities per extract, a page's newest result.

Streamlit's caches hold what every session may share (:func:`walking_network`,
:func:`osm_facilities`);
:func:`kept_newest` holds what one session computed for its own inputs, in its session state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import TypeVar

import streamlit as st

from geo import facilities, network


def walking_network(data: bytes, name: str) -> network.Network:
    """
    The pedestrian graph of an OSM extract, built once per server for every page that walks.

    Kept per extract (its SHA-256) for the reach, siting and life-circle pages alike, and
    built in a child process bounded in time and memory
    (:func:`geo.network.build_network_bounded`): the server keeps the graph, not what building
    it took, and other planners' pages go on meanwhile.
    """
    return _walking_network(hashlib.sha256(data).hexdigest(), name, data)


@st.cache_resource(max_entries=4, show_spinner=False)
def _walking_network(sha: str, name: str, _data: bytes) -> network.Network:
    return network.build_network_bounded(_data, name=name)


def osm_facilities(data: bytes, name: str) -> facilities.Facilities:
    """
    The services an OSM extract maps within its network's extent, read once per server.

    Kept per extract (its SHA-256) for the life-circle and priorities pages alike, with the
    shipped registry's categories (:func:`geo.facilities.load_registry`).
    """
    return _osm_facilities(hashlib.sha256(data).hexdigest(), name, data)


@st.cache_resource(max_entries=4, show_spinner=False)
def _osm_facilities(sha: str, name: str, _data: bytes) -> facilities.Facilities:
    registry, extent = facilities.load_registry(), walking_network(_data, name).extent()
    return facilities.read_osm_facilities(_data, registry=registry, extent=extent, name=name)


T = TypeVar("T")


def kept_newest(slot: str, key: Hashable, compute: Callable[[], T]) -> T:
    """
    What ``compute`` returns for ``key``, kept in this session's ``slot``: the newest only.

    A page's result for its inputs (a measure, a plan, a report) survives the reruns a widget
    makes, and a session holds one per slot, not one per setting it tried. Computed before the
    older result is let go, so a failed computation leaves the last one in place.
    """
    memo = st.session_state.setdefault(slot, {})
    if key not in memo:
        computed = compute()
        memo.clear()
        memo[key] = computed
    return memo[key]
