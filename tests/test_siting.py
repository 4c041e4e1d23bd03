"""Tests of geo/siting.py and geo.reach.within: brute force, greedy, existing sites, candidates."""

from __future__ import annotations

import itertools

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from _osm import lonlat, osm_xml, wall_scene
from scipy import sparse

from geo import infra, network, reach, siting
from geo.errors import InputError
from layers.wording import error_text


def _brute_force(weights, cover, existing, k):
    """The most weight any k candidates cover with the existing sites, over every subset."""
    before = existing.toarray().any(axis=1)
    dense = cover.toarray()
    k = min(k, dense.shape[1])
    return max(
        weights[before | dense[:, list(chosen)].any(axis=1)].sum()
        for chosen in itertools.combinations(range(dense.shape[1]), k)
    )


@pytest.mark.parametrize("seed", range(12))
def test_optimum_equals_brute_force_and_greedy_is_never_better(seed):
    rng = np.random.default_rng(seed)
    demand, candidates, existing_n = 30, 9, int(rng.integers(0, 3))
    cover = sparse.csr_matrix(rng.random((demand, candidates)) < 0.2)
    existing = sparse.csr_matrix(rng.random((demand, existing_n)) < 0.2)
    weights = rng.integers(0, 400, demand).astype(float)
    count = int(rng.integers(1, 5))
    found = siting.maximal_covering(weights, cover, existing, count=count)
    best = _brute_force(weights, cover, existing, count)
    assert found.summary["status"] in ("optimal", "no_gain")
    assert found.summary["covered_optimum"] == pytest.approx(best)
    assert found.summary["covered_greedy"] <= best + 1e-9
    # The curve's optimum for every number of sites is the brute force's, greedy below it.
    for row in found.curve.itertuples():
        assert row.optimum_households == pytest.approx(
            _brute_force(weights, cover, existing, row.sites)
        )
        assert row.greedy_households <= row.optimum_households + 1e-9
    chosen = found.candidates[found.candidates["chosen"]]
    assert chosen["adds_households"].sum() == pytest.approx(found.summary["gained_optimum"])
    assert (chosen["adds_households"] > 0).all()
    assert sorted(chosen["order"]) == list(range(1, len(chosen) + 1))


@pytest.mark.parametrize("seed", range(6))
def test_the_sparse_highs_model_gives_the_same_optimum(seed, monkeypatch):
    monkeypatch.setattr(siting, "SPOPT_MAX_CELLS", 0)
    rng = np.random.default_rng(100 + seed)
    cover = sparse.csr_matrix(rng.random((30, 9)) < 0.2)
    existing = sparse.csr_matrix(rng.random((30, 2)) < 0.2)
    weights = rng.integers(0, 400, 30).astype(float)
    found = siting.maximal_covering(weights, cover, existing, count=3)
    assert found.summary["model"] in ("highs_sparse", "spopt")  # spopt only when no gain
    for row in found.curve.itertuples():
        assert row.optimum_households == pytest.approx(
            _brute_force(weights, cover, existing, row.sites)
        )
    if found.summary["status"] != "no_gain":
        assert found.summary["model"] == "highs_sparse"
        assert found.summary["chosen"] <= 3


def test_existing_sites_are_never_chosen_again():
    # Candidate 0 is where the existing site is (same reach); candidate 1 reaches 10 more.
    existing = sparse.csr_matrix(np.array([[1], [1], [0], [0]], dtype=bool))
    cover = sparse.csr_matrix(np.array([[1, 0], [1, 0], [0, 1], [0, 0]], dtype=bool))
    weights = np.array([500.0, 400.0, 10.0, 7.0])
    found = siting.maximal_covering(weights, cover, existing, count=2)
    assert found.candidates["chosen"].tolist() == [False, True]
    assert found.summary["status"] == "optimal"
    assert found.summary["covered_before"] == 900.0
    assert found.summary["covered_optimum"] == 910.0
    assert found.summary["chosen"] == 1
    assert found.candidates["covers_households"].tolist() == [0.0, 10.0]


def test_no_candidate_adds_anything():
    existing = sparse.csr_matrix(np.array([[1], [0]], dtype=bool))
    cover = sparse.csr_matrix(np.array([[1], [0]], dtype=bool))
    found = siting.maximal_covering(np.array([5.0, 3.0]), cover, existing, count=3)
    assert found.summary["status"] == "no_gain"
    assert found.summary["chosen"] == 0
    assert found.curve["greedy_gain"].tolist() == [0.0, 0.0, 0.0]


def test_cbc_gives_the_same_optimum():
    rng = np.random.default_rng(5)
    cover = sparse.csr_matrix(rng.random((25, 8)) < 0.25)
    existing = sparse.csr_matrix(rng.random((25, 1)) < 0.2)
    weights = rng.integers(1, 300, 25).astype(float)
    highs = siting.maximal_covering(weights, cover, existing, count=3, exact_curve=False)
    cbc = siting.maximal_covering(weights, cover, existing, count=3, solver="cbc")
    assert cbc.summary["covered_optimum"] == highs.summary["covered_optimum"]
    assert cbc.summary["covered_optimum"] == _brute_force(weights, cover, existing, 3)


@pytest.mark.parametrize(("solver", "cells"), [("highs", None), ("cbc", None), ("highs", 0)])
@pytest.mark.parametrize("seed", range(4))
def test_a_time_limit_gives_the_best_known_sites_and_the_gap_to_a_true_bound(
    seed, solver, cells, monkeypatch
):
    # A limit of 0 s stops every solver before it proves anything (no timing is measured).
    if cells is not None:
        monkeypatch.setattr(siting, "SPOPT_MAX_CELLS", cells)
    rng = np.random.default_rng(200 + seed)
    cover = sparse.csr_matrix(rng.random((30, 9)) < 0.2)
    existing = sparse.csr_matrix(rng.random((30, 2)) < 0.2)
    weights = rng.integers(1, 400, 30).astype(float)
    found = siting.maximal_covering(
        weights, cover, existing, count=3, solver=solver, time_limit_s=0, exact_curve=False
    )
    summary = found.summary
    best = _brute_force(weights, cover, existing, 3)
    assert summary["status"] == "time_limit"
    # Never worse than greedy; the bound is one no choice beats; the gap is measured from it.
    assert summary["covered_greedy"] <= summary["covered_optimum"] <= best
    assert summary["bound"] >= best
    assert summary["gap"] == pytest.approx(
        (summary["bound"] - summary["covered_optimum"]) / summary["bound"]
    )
    assert 0 <= summary["gap"] < 1


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("zh", "达到时间上限：为目前最好的解，与最优解差距不超过 12.5%"),
        ("en", "Time limit reached: the best found, within 12.5% of the optimum"),
    ],
)
def test_the_gap_is_said_in_both_languages(lang, text):
    from layers.siting import status_text

    assert status_text({"status": "time_limit", "gap": 0.125}, lang) == text


def test_refuses_an_unknown_solver_and_no_sites():
    cover = sparse.csr_matrix(np.ones((1, 1), dtype=bool))
    none = sparse.csr_matrix((1, 0), dtype=bool)
    with pytest.raises(ValueError, match="Expected a solver among highs, cbc; got 'glpk'"):
        siting.maximal_covering(np.ones(1), cover, none, count=1, solver="glpk")
    with pytest.raises(ValueError, match="at least one site"):
        siting.maximal_covering(np.ones(1), cover, none, count=0)


# --- on a network ------------------------------------------------------------------------------


def _grid(tmp_path, size=5, step=100.0):
    """A size × size footway grid, 100 m apart; crossings (kerb raised or lowered) and stops."""
    nodes, ways = {}, {}
    for i in range(size):
        for j in range(size):
            nodes[1 + i * size + j] = (i * step, j * step, {})
    for i in range(size):
        ways[1000 + i] = ([1 + i * size + j for j in range(size)], {"highway": "footway"})
        ways[2000 + i] = ([1 + j * size + i for j in range(size)], {"highway": "footway"})
    nodes[1] = (0, 0, {"highway": "crossing", "kerb": "lowered"})
    nodes[7] = (100, 100, {"highway": "crossing", "kerb": "raised"})
    nodes[19] = (300, 300, {"highway": "crossing"})
    nodes[500] = (0, 400, {"highway": "bus_stop", "wheelchair": "yes", "name": "甲站"})
    nodes[501] = (400, 0, {"highway": "bus_stop", "name": "乙站"})
    return osm_xml(nodes, ways, tmp_path / "grid.osm")


def test_within_matches_networkx_on_the_wall_scene(tmp_path):
    built = network.build_network(osm_xml(*wall_scene(), tmp_path / "wall.osm"), use_cache=False)
    origins = np.array([lonlat(0, 0), lonlat(400, 60), lonlat(5000, 0)])
    sites = np.array([lonlat(0, 100), lonlat(0, 0)])
    found = reach.within(built, origins, sites, limit_m=950, profile="walk")
    triples = zip(found.origin, found.destination, found.metres, strict=True)
    pairs = {(int(o), int(d)): m for o, d, m in triples}
    # A→D is 900 m round the wall, never the 100 m straight line; the far point is off.
    assert set(pairs) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert pairs[(0, 0)] == pytest.approx(900, abs=0.05)
    assert pairs[(0, 1)] == pytest.approx(0, abs=0.05)
    assert pairs[(1, 0)] == pytest.approx(440, abs=0.05)
    assert pairs[(1, 1)] == pytest.approx(540, abs=0.05)
    assert found.origin_node[2] == -1
    graph = nx.Graph()
    edges = built.edges
    graph.add_weighted_edges_from(zip(edges["u"], edges["v"], edges["length_m"], strict=True))
    between = nx.dijkstra_path_length(graph, found.origin_node[1], found.destination_node[1])
    assert between + 40 == pytest.approx(pairs[(1, 1)], abs=0.05)
    assert len(reach.within(built, origins, sites, limit_m=850).origin) == 3
    with pytest.raises(ValueError, match="profile measured in metres"):
        reach.within(built, origins, sites, limit_m=300, profile="blind")


def test_candidate_sites_from_an_extract(tmp_path):
    osm = _grid(tmp_path)
    built = network.build_network(osm, use_cache=False)
    features = infra.read_infra(osm)
    ramps, existing_ramps = siting.candidate_sites(built, features, "curb_ramp")
    assert sorted(ramps["source_id"]) == ["node/19", "node/7"]
    assert existing_ramps["source_id"].tolist() == ["node/1"]
    stops, accessible = siting.candidate_sites(built, features, "accessible_bus_stop")
    assert stops["source_id"].tolist() == ["node/501"] and stops["name"].tolist() == ["乙站"]
    assert accessible["name"].tolist() == ["甲站"]


def test_site_on_a_network_keeps_the_existing_fixed(tmp_path):
    built = network.build_network(_grid(tmp_path), use_cache=False)
    communities = gpd.GeoDataFrame(
        {"households": [100, 200, 300, None]},
        geometry=[shapely.Point(lonlat(x, y)) for x, y in [(0, 0), (400, 400), (200, 200), (0, 0)]],
        crs="EPSG:4326",
    )
    existing = gpd.GeoDataFrame(geometry=[shapely.Point(lonlat(0, 0))], crs="EPSG:4326")
    candidates = gpd.GeoDataFrame(
        {"name": ["同址", "东北", "中心"]},
        geometry=[shapely.Point(lonlat(x, y)) for x, y in [(0, 0), (400, 400), (200, 200)]],
        crs="EPSG:4326",
    )
    out, found = siting.site(
        communities, candidates, existing, built, count=2, radius_m=150, profile="wheelchair"
    )
    assert out["chosen"].tolist() == [False, True, True]
    assert out["adds_households"].tolist() == [0.0, 200.0, 300.0]
    assert out.loc[out["chosen"], "order"].tolist() == [2, 1]
    assert found.summary["covered_before"] == 100.0
    assert found.summary["covered_optimum"] == 600.0
    assert found.summary["communities_without_weight"] == 1
    assert found.summary["profile"] == "wheelchair" and found.summary["radius_m"] == 150.0


def test_what_a_site_reaches_households_renovated_or_elderly():
    communities = pd.DataFrame(
        {
            "households": [100, 200, 300, 50],
            "status": pd.array(["completed", "plan", None, "completed"], dtype="string"),
            "老年人数": ["40", "约30", "", "7"],
        }
    )
    assert siting.demand(communities).tolist() == [100.0, 200.0, 300.0, 50.0]
    renovated = siting.demand(communities, "renovated_households")
    # Not completed counts for nothing; without a status, renovated or not is unknown.
    assert renovated.tolist()[:2] == [100.0, 0.0] and np.isnan(renovated[2])
    assert renovated[3] == 50.0
    elderly = siting.demand(communities, "elderly")
    # An estimate (约30) or an empty cell is no number, never a guess.
    assert elderly[0] == 40.0 and np.isnan(elderly[1]) and np.isnan(elderly[2])
    with pytest.raises(
        InputError, match=r"Expected a column of elderly residents \(老年人数"
    ) as no:
        siting.demand(communities.drop(columns="老年人数"), "elderly")
    assert no.value.code == "siting_no_elderly"
    assert error_text(no.value, "zh").startswith("台账中没有老年人数的列（老年人数、老年人口、")
    assert error_text(no.value, "zh").endswith(
        "）。请在“覆盖对象”中改选住户，或在台账中加上这一列后重新读入。"
    )
    assert error_text(no.value, "en").startswith(
        "The ledger has no column of elderly residents (老年人数, 老年人口, "
    )
    with pytest.raises(ValueError, match="Expected a weigh among households"):
        siting.demand(communities, "people")


def test_what_a_site_reaches_chooses_the_sites(tmp_path):
    built = network.build_network(_grid(tmp_path), use_cache=False)
    communities = gpd.GeoDataFrame(
        {"households": [500, 600], "老年人数": ["90", "20"], "status": ["completed", "plan"]},
        geometry=[shapely.Point(lonlat(x, y)) for x, y in [(0, 0), (400, 400)]],
        crs="EPSG:4326",
    )
    candidates = gpd.GeoDataFrame(
        {"source_id": ["row 1", "row 2"], "name": ["西南", "东北"]},
        geometry=[shapely.Point(lonlat(x, y)) for x, y in [(0, 0), (400, 400)]],
        crs="EPSG:4326",
    )
    none = gpd.GeoDataFrame({"source_id": [], "name": []}, geometry=[], crs="EPSG:4326")
    chosen = {}
    for weigh in siting.WEIGHS:
        out, _, found = siting.plan(
            communities, built, kind="curb_ramp", count=1, radius_m=100,
            candidates=candidates, existing=none, weigh=weigh,
        )  # fmt: skip
        chosen[weigh] = (out.loc[out["chosen"], "name"].tolist(), found.summary["covered_optimum"])
        assert found.summary["weigh"] == weigh
    assert chosen == {
        "households": (["东北"], 600.0),
        "renovated_households": (["西南"], 500.0),
        "elderly": (["西南"], 90.0),
    }
    # Without an OSM extract, both files are needed: said in the page's language.
    with pytest.raises(InputError) as refused:
        siting.plan(communities, built, kind="curb_ramp", count=1, radius_m=100, existing=none)
    assert refused.value.code == "siting_no_candidates"
    assert error_text(refused.value, "en").startswith(
        "No candidate or existing sites: read an OSM extract on the Accessibility page"
    )
    assert error_text(refused.value, "zh").startswith("没有候选点和已有设施：")


def test_no_candidate_at_all_is_said_apart_from_candidates_that_add_nothing():
    existing = sparse.csr_matrix(np.array([[1], [0]], dtype=bool))
    cover = sparse.csr_matrix(np.zeros((2, 0), dtype=bool))
    found = siting.maximal_covering(np.array([5.0, 3.0]), cover, existing, count=2)
    assert found.summary["status"] == "no_candidates"
    assert found.summary["chosen"] == 0 and found.summary["covered_before"] == 5.0


def test_a_candidate_as_good_as_a_chosen_site_is_named_beside_it():
    # Candidates 0 and 1 reach the same two communities (500 households). 2 and 3 share a
    # community of 2000 and reach as many households as shown (whole ones) beside it, though
    # not at full precision; 4 reaches 1 fewer. Two sites: one of 0/1, one of 2/3.
    reach = {0: [0, 1], 1: [0, 1], 2: [2, 3], 3: [2, 4], 4: [2, 5]}
    cover = np.zeros((6, 5), dtype=bool)
    for site, rows in reach.items():
        cover[rows, site] = True
    weights = np.array([300.0, 200.0, 2000.0, 200.4, 200.3, 199.3])
    existing = sparse.csr_matrix((6, 0), dtype=bool)
    found = siting.maximal_covering(weights, sparse.csr_matrix(cover), existing, count=2)
    table = found.candidates
    chosen = table[table["chosen"]].sort_values("order").index.tolist()
    assert chosen[0] in (2, 3) and chosen[1] in (0, 1)
    equal = table["equal_to"]
    assert equal[{2: 3, 3: 2}[chosen[0]]] == 1 and equal[{0: 1, 1: 0}[chosen[1]]] == 2
    assert equal[table["chosen"]].isna().all() and pd.isna(equal[4])
    assert table.loc[chosen, "alternatives"].tolist() == [1, 1]
    assert table.loc[~table["chosen"], "alternatives"].tolist() == [0, 0, 0]
    assert found.summary["sites_with_alternatives"] == 2


@pytest.mark.parametrize("seed", range(8))
def test_equal_alternatives_are_every_single_swap_that_covers_as_many(seed):
    rng = np.random.default_rng(300 + seed)
    cover = sparse.csr_matrix(rng.random((20, 8)) < 0.2)
    existing = sparse.csr_matrix(rng.random((20, 1)) < 0.2)
    weights = rng.integers(0, 5, 20).astype(float)  # few values: many ties
    found = siting.maximal_covering(weights, cover, existing, count=3)
    table = found.candidates
    chosen = table[table["chosen"]].sort_values("order").index.tolist()
    dense, before = cover.toarray(), existing.toarray().any(axis=1)

    def total(sites):
        return weights[before | dense[:, sites].any(axis=1)].sum()

    best = total(chosen)
    for candidate in table.index[~table["chosen"]]:
        swaps = [
            order
            for order, site in enumerate(chosen, start=1)
            if total([c for c in chosen if c != site] + [candidate]) == best
            and total(chosen) > total([c for c in chosen if c != site])
        ]
        got = table.at[candidate, "equal_to"]
        assert (None if pd.isna(got) else int(got)) == (swaps[0] if swaps else None), candidate
    listed = table.loc[chosen, "alternatives"].tolist()
    assert listed == [
        int((table["equal_to"] == order).sum()) for order in range(1, len(chosen) + 1)
    ]
