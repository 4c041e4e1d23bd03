"""
What the pages show from the workspace, as the readers' own objects (a Ledger, an Infra).

One saved version, a dataset's current state, or the current state of every dataset of a
kind.

A reference names it the way a permalink does: ``xinxiang@3`` is version 3; ``xinxiang`` is
that dataset's current state; ``""`` (or None) is the current state of every dataset of the
kind, as the acting ``user`` may read it (``None``: the local user, in local mode). The
current state of a district is the latest version of each dataset covering it
(:meth:`store.workspace.Workspace.current_projects`); its quarantine holds, of the versions
the rows come from, the rows of the districts each is still current for and those whose
district could not be told (:meth:`store.workspace.Workspace.current_quarantine`), each with
its ``dataset`` and ``version``, since the row numbers of two files differ. Its
infrastructure extent is each version's extent within the districts it speaks for, so "no
data" stays "no data" where no version covers a district. A version of another kind than
the one asked for is refused with a :class:`~store.errors.DatasetError` naming both.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
from typing import Generic, TypeVar

import geopandas as gpd
import pandas as pd
import shapely

from geo import boundaries, dates, figures, selection
from geo.infra import Infra
from geo.plans import Plan
from geo.progress import Report
from geo.records import Ledger
from geo.report import DataSource, SavedSource, looks_synthetic
from store import _engine
from store.admin import User
from store.errors import DatasetError
from store.names import parse_ref
from store.workspace import SavedFigures, VersionInfo, Workspace, open_workspace

__all__ = [
    "Opened",
    "data_source",
    "existing_workspace",
    "figures_in_view",
    "ledger_reports",
    "open_figures",
    "open_infra",
    "open_ledger",
    "open_plan",
    "readable_places",
    "saved_source",
]


#: What a saved version holds, by the class the readers return.
_Content = TypeVar("_Content", Ledger, Infra, SavedFigures, Plan)

#: Each kind of content: how a message names it, and the fix it offers.
_KINDS: dict[type, tuple[str, str, str]] = {
    Ledger: ("ledger", "a ledger", "Name one (`atlas datasets` lists them)."),
    Infra: ("infra", "an infrastructure", "Name one (`atlas datasets` lists them)."),
    SavedFigures: ("figures", "a figures", "Name one (`atlas datasets` lists them)."),
    Plan: (
        "plan",
        "a plan",
        "Save a plan with `atlas plan save`, or name one (`atlas datasets` lists them).",
    ),
}


@dataclasses.dataclass
class Opened(Generic[_Content]):
    """
    A ledger or infrastructure opened from the workspace.

    ``ref`` is what was asked for (``name@3``, ``name`` or ``""``); ``sources`` are the
    versions the rows come from, oldest dataset first; ``content`` is a
    :class:`~geo.records.Ledger` or an :class:`~geo.infra.Infra` whose rows carry ``dataset``
    and ``version`` columns.
    """

    ref: str
    content: _Content
    sources: list[VersionInfo]

    @property
    def refs(self) -> list[str]:
        """``name@version`` of every contributing version."""
        return [info.ref for info in self.sources]


def _versions_of(rows: pd.DataFrame) -> list[tuple[str, int]]:
    pairs = rows[["dataset", "version"]].drop_duplicates().sort_values(["dataset", "version"])
    return [(str(d), int(v)) for d, v in pairs.itertuples(index=False)]


def _tagged(frame: pd.DataFrame, info: VersionInfo) -> pd.DataFrame:
    return frame.assign(dataset=info.dataset, version=info.version)


def _load_as(
    workspace: Workspace, ref: str, kind: type[_Content], *, user: User
) -> tuple[_Content, VersionInfo]:
    """
    What the version ``ref`` names holds (``name``: its latest), and its record.

    Raises :class:`~store.errors.DatasetError` when it holds another kind than ``kind``.
    """
    name, version = parse_ref(ref)
    saved = workspace.load(name, version, user=user)
    if not isinstance(saved.content, kind):
        code, words, fix = _KINDS[kind]
        raise DatasetError(
            f"Expected {words} dataset, got {ref!r}, which holds a {saved.info.kind}. {fix}",
            code="dataset_kind",
            details={"ref": ref, "kind_wanted": code, "kind_held": saved.info.kind},
        )
    return saved.content, saved.info


def open_ledger(
    workspace: Workspace, ref: str | None, *, user: User = None
) -> Opened[Ledger] | None:
    """
    The ledger ``ref`` names (see the module), or ``None`` when nothing is saved there.

    Raises :class:`~store.errors.UnknownDatasetError` for a name or version that does not
    exist, and :class:`~store.errors.DatasetError` for a malformed reference.
    """
    name, version = parse_ref(ref) if ref else (None, None)
    if ref and version is not None:
        ledger, info = _load_as(workspace, ref, Ledger, user=user)
        projects = _tagged(ledger.projects, info)
        quarantine = _tagged(ledger.quarantine, info)
        opened = dataclasses.replace(ledger, projects=projects, quarantine=quarantine)
        return Opened(ref, opened, [info])
    projects = workspace.current_projects(dataset=name, user=user)
    if projects.empty:
        return None
    sources = [workspace.info(d, v, user=user) for d, v in _versions_of(projects)]
    quarantine = workspace.current_quarantine("ledger", dataset=name, user=user)
    projects = gpd.GeoDataFrame(projects, geometry="geometry", crs="EPSG:4326")
    ledger = Ledger(projects, quarantine, len(projects) + len(quarantine), {}, [])
    return Opened(ref or "", ledger, sources)


def _covered(workspace: Workspace, sources: list[VersionInfo], user: User) -> dict[str, list[str]]:
    """For each contributing version, the districts it is the latest to cover."""
    latest: dict[tuple[str, str], int] = {}
    for name in {info.dataset for info in sources}:
        for info in workspace.history(name, user=user):
            for adcode in info.covers:
                latest[(name, adcode)] = max(latest.get((name, adcode), 0), info.version)
    return {
        info.ref: [a for (n, a), v in latest.items() if n == info.dataset and v == info.version]
        for info in sources
    }


def open_infra(workspace: Workspace, ref: str | None, *, user: User = None) -> Opened[Infra] | None:
    """
    The infrastructure ``ref`` names (see the module), or ``None`` when nothing is saved.

    For a current state, each version's extent is cut to the districts it speaks for, so a
    district no version covers stays outside the extent ("no data", never 0).
    """
    name, version = parse_ref(ref) if ref else (None, None)
    if ref and version is not None:
        found, info = _load_as(workspace, ref, Infra, user=user)
        opened = dataclasses.replace(found, features=_tagged(found.features, info))
        return Opened(ref, opened, [info])
    features = workspace.current_features(dataset=name, user=user)
    if features.empty:
        return None
    sources = [workspace.info(d, v, user=user) for d, v in _versions_of(features)]
    covered = _covered(workspace, sources, user)
    # Only the districts the versions cover: the whole district level is 150 MB of outlines
    # (2.9 s of the 新乡 atlas's 7 s under load), of which a city's versions need a dozen.
    needed = {code for codes in covered.values() for code in codes}
    outlines = boundaries.load_boundaries("district", adcodes=needed).set_index("adcode").geometry
    extents, kinds = [], set()
    for info in sources:
        found = _load_as(workspace, info.ref, Infra, user=user)[0]
        kinds.add(found.kind)
        mine = outlines.reindex(covered[info.ref]).dropna().to_numpy()
        if found.extent is not None and len(mine):
            extents.append(shapely.intersection(found.extent, shapely.union_all(mine)))
    extent = shapely.union_all(extents) if extents else None
    features = gpd.GeoDataFrame(features, geometry="geometry", crs="EPSG:4326")
    quarantine = workspace.current_quarantine("infra", dataset=name, user=user)
    names = "、".join(dict.fromkeys(info.dataset for info in sources))
    opened = Infra(
        features, extent, quarantine, names, kinds.pop() if len(kinds) == 1 else "survey"
    )
    return Opened(ref or "", opened, sources)


def open_figures(
    workspace: Workspace, ref: str | None, *, user: User = None
) -> Opened[SavedFigures] | None:
    """
    The saved figures ``ref`` names (see the module), or ``None`` when none are saved.

    The rows carry ``dataset`` and ``version``; the documents' texts come with them, so each
    figure still traces to its line.
    """
    name, version = parse_ref(ref) if ref else (None, None)
    if ref and version is not None:
        table, info = _load_as(workspace, ref, SavedFigures, user=user)
        return Opened(ref, SavedFigures(_tagged(table.figures, info), table.documents), [info])
    rows = workspace.current_figures(dataset=name, user=user)
    if rows.empty:
        return None
    sources = [workspace.info(d, v, user=user) for d, v in _versions_of(rows)]
    texts: dict[str, str] = {}
    for info in sources:
        texts |= _load_as(workspace, info.ref, SavedFigures, user=user)[0].documents
    return Opened(ref or "", SavedFigures(rows, texts), sources)


def figures_in_view(workspace: Workspace | None, *, user: User = None) -> pd.DataFrame:
    """
    The figures every page and export shows: the seed figures and the saved ones.

    The saved ones are the current state of every figures dataset in ``workspace`` (none
    without one), put together by :func:`geo.figures.combine_figures`.
    """
    seed = figures.load_figures()
    opened = open_figures(workspace, "", user=user) if workspace is not None else None
    return figures.combine_figures(seed, *([opened.content.figures] if opened else []))


def existing_workspace() -> Workspace | None:
    """
    The workspace if there is one, without creating it; ``None`` otherwise.

    That is the team server of ``$ATLAS_DATABASE_URL``, or the embedded file if it exists.
    """
    if os.environ.get(_engine.ENV_URL) or _engine.default_path().exists():
        return open_workspace()
    return None


def readable_places(workspace: Workspace | None, *, user: User = None) -> frozenset[str] | None:
    """
    The districts and zones (adcodes) ``user`` may report on; ``None`` for every place.

    The local user and an admin may read everything. Another account reads the districts
    and zones of its own city (a district account reads its whole city, as the store's reads
    do) and those covered by the versions published to it. A report leaves the others out.
    """
    if workspace is None:
        return None
    account = workspace.acting(user)
    if account.is_admin:
        return None
    codes: set[str] = set()
    if account.city is not None:
        codes |= selection.city_places([account.city]).get(account.city, (frozenset(), 0))[0]
    for dataset in workspace.list_datasets(user=account):
        for info in workspace.history(str(dataset["name"]), user=account):
            codes |= set(info.covers)
    return frozenset(codes)


def data_source(opened: Opened | None) -> DataSource | None:
    """What a report cites for a ledger or infrastructure opened from the workspace."""
    if opened is None:
        return None
    content = opened.content
    rows = content.projects if isinstance(content, Ledger) else getattr(content, "features", None)
    names = [i.file_name or "" for i in opened.sources] + opened.refs
    return saved_source(
        "、".join(opened.refs), opened.sources, synthetic=looks_synthetic(names, rows)
    )


def saved_source(name: str, infos: list[VersionInfo], *, synthetic: bool) -> DataSource:
    """A report's :class:`~geo.report.DataSource` of ``name`` from its saved versions' records."""
    versions = tuple(
        SavedSource(i.dataset, i.version, i.saved_by, i.saved_at, i.file_name) for i in infos
    )
    return DataSource(name, versions, synthetic=synthetic)


def open_plan(workspace: Workspace, ref: str, *, user: User = None) -> tuple[Plan, VersionInfo]:
    """
    The plan ``ref`` names (``name@3``, or ``name``: its latest version) and its record.

    Raises :class:`~store.errors.DatasetError` when ``ref`` names another kind of dataset.
    """
    return _load_as(workspace, ref, Plan, user=user)


def ledger_reports(workspace: Workspace, ref: str | None, *, user: User = None) -> list[Report]:
    """
    The saved versions a ledger reference reads from, as monthly reports, in saving order.

    ``name@3``: versions 1–3 of ``name``; ``name``: all of its versions; ``""``: those of
    every ledger dataset. A version's month is its ledger's report date (the 填报日期
    column or ``atlas ingest --report-date``: ``basis`` ``report_date``), else the day it was
    saved, in Beijing (``basis`` ``saved_at``, the only one that can make it late).
    """
    name, version = parse_ref(ref) if ref else (None, None)
    names = (
        [name]
        if name
        else [str(d["name"]) for d in workspace.list_datasets(user=user) if d["kind"] == "ledger"]
    )
    reports = []
    for dataset in names:
        for info in workspace.history(dataset, user=user):
            if info.kind != "ledger" or (version is not None and info.version > version):
                continue
            ledger = _load_as(workspace, info.ref, Ledger, user=user)[0]
            saved = info.saved_at.replace(tzinfo=datetime.UTC).astimezone(dates.BEIJING)
            # A report day the ledger was only read on (``read``) is no day it speaks for.
            given = ledger.report_date if ledger.report_date_source != "read" else None
            day = dates.parse_day(given) if given else saved.date()
            basis = "report_date" if given else "saved_at"
            projects = _tagged(ledger.projects, info)
            report = Report(info.ref, day, saved.date(), info.covers, projects, basis)
            reports.append((info.saved_at, dataset, info.version, report))
    return [found[-1] for found in sorted(reports, key=lambda r: r[:3])]
