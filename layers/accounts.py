"""
The workspace's datasets, accounts and audit as screen tables, in the interface's language.

What :class:`store.Workspace` returns (``list_datasets``, ``list_accounts``, ``audit_log``,
the rows of a saved version) is keyed by codes: kinds, roles, actions, adcodes, UTC times and
a dict of details per audit row. The account and workspace pages show these tables instead,
headed in ``lang``, with codes as words, districts by name, times in Beijing time and each
audit detail as a sentence; what a table cannot say is left empty, never ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from layers.tables import district_names, figure_table, projects_table
from layers.wording import label, time_text

__all__ = ["accounts_table", "audit_table", "datasets_table", "rows_table"]


def _kind(kind: object, lang: str) -> str:
    return label(f"dataset_kind_{kind}", lang)


def datasets_table(found: list[dict], lang: str = "zh", *, kinds: bool = True) -> pd.DataFrame:
    """
    The datasets ``Workspace.list_datasets`` found: name, kind, versions, the latest, when, who.

    ``kinds=False`` leaves the kind out (a page that lists one kind only).
    """
    rows = pd.DataFrame(found, columns=["name", "kind", "versions", "latest", "saved_at"])
    saved_by = [d.get("saved_by", "") for d in found]
    table = {
        label("workspace_col_dataset", lang): rows["name"],
        label("dataset_kind", lang): [_kind(k, lang) for k in rows["kind"]],
        label("workspace_col_versions", lang): rows["versions"],
        label("workspace_col_latest", lang): rows["latest"],
        label("workspace_col_saved_at", lang): [time_text(t) for t in rows["saved_at"]],
        label("workspace_col_saved_by", lang): saved_by,
    }
    if not kinds:
        del table[label("dataset_kind", lang)]
    return pd.DataFrame(table)


def accounts_table(accounts: Iterable, lang: str = "zh") -> pd.DataFrame:
    """Every account (:class:`store.Account`): name, role, city, districts by name, state."""
    accounts = list(accounts)
    return pd.DataFrame(
        {
            label("account_col_name", lang): [a.name for a in accounts],
            label("account_col_role", lang): [label(f"role_{a.role}", lang) for a in accounts],
            label("compare_city", lang): [a.city or "" for a in accounts],
            label("district_col", lang): [district_names(a.districts, lang) for a in accounts],
            label("account_col_state", lang): [
                label("account_disabled" if a.disabled else "account_enabled", lang)
                for a in accounts
            ],
        }
    )


def _detail_save(detail: Mapping, lang: str) -> str:
    kind = _kind(detail.get("kind"), lang)
    counts = label("audit_detail_save", lang).format(
        kind=kind,
        file=detail.get("file_name") or "",
        rows=detail.get("rows", 0),
        clean=detail.get("clean", 0),
        quarantined=detail.get("quarantined", 0),
    )
    if detail.get("out_of_scope"):
        counts += label("audit_detail_out_of_scope", lang).format(n=detail["out_of_scope"])
    covers = detail.get("covers") or []
    if covers:
        covered = district_names(covers, lang)
        counts += label("audit_detail_covers", lang).format(districts=covered)
    return counts


def _detail_account(detail: Mapping, lang: str) -> str:
    role = label(f"role_{detail.get('role')}", lang)
    parts = [role, detail.get("city") or "", district_names(detail.get("districts") or [], lang)]
    return " · ".join(p for p in parts if p)


def _detail_login(detail: Mapping, lang: str) -> str:
    if "expires_at" in detail:
        return label("audit_detail_expires", lang).format(time=time_text(detail["expires_at"]))
    return label("audit_detail_no_session", lang) if detail.get("session") is False else ""


def _detail_copy(detail: Mapping, lang: str) -> str:
    text = label("audit_detail_copy", lang).format(
        datasets=detail.get("datasets", 0),
        versions=detail.get("versions", 0),
        rows=detail.get("rows", 0),
    )
    return text + (label("audit_detail_replace", lang) if detail.get("replace") else "")


#: How each audit action's detail reads: action → (detail, lang) → text.
_DETAILS = {
    "save": _detail_save,
    "account_add": _detail_account,
    "login": _detail_login,
    "login_failed": lambda d, lang: label(f"audit_why_{d.get('why')}", lang) if d else "",
    "login_throttled": lambda d, lang: (
        label("audit_detail_wait", lang).format(seconds=d["wait_s"]) if "wait_s" in d else ""
    ),
    "upgrade": lambda d, lang: label("audit_detail_upgrade", lang).format(
        before=d.get("from") or "—", after=d.get("to") or "—"
    ),
    "backup": _detail_copy,
    "restore": _detail_copy,
}


def audit_table(log: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """
    The audit (``Workspace.audit_log``), newest first: when (Beijing time), who, what, on what.

    Each action is named and its detail written as a sentence (a save's counts and districts,
    a login's expiry, why a login failed); a missing target or address is left empty.
    """

    def detail(action: str, value: object) -> str:
        words = _DETAILS.get(action)
        return words(value, lang) if words and isinstance(value, Mapping) else ""

    return pd.DataFrame(
        {
            label("audit_col_at", lang): [time_text(t) for t in log["at"]],
            label("audit_col_actor", lang): log["actor"].fillna("").astype(str),
            label("audit_col_action", lang): [label(f"audit_{a}", lang) for a in log["action"]],
            label("audit_col_target", lang): log["target"].fillna("").astype(str),
            label("audit_col_address", lang): log["address"].fillna("").astype(str),
            label("audit_col_detail", lang): [
                detail(a, d) for a, d in zip(log["action"], log["detail"], strict=True)
            ],
        }
    )


def _features_table(features: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Accessibility features: their type by name, name, source file and id."""
    return pd.DataFrame(
        {
            label("infra_col_type", lang): [label(f"infra_{t}", lang) for t in features["type"]],
            label("col_name", lang): features["name"].fillna("").astype(str),
            label("infra_col_source", lang): features["source"].fillna("").astype(str),
            label("infra_col_source_id", lang): features["source_id"].fillna("").astype(str),
        }
    )


def rows_table(kind: str, content, lang: str = "zh") -> pd.DataFrame:
    """
    The rows of a saved version (``Workspace.load(...).content``) as the pages show them.

    A ledger's communities as the ledger page lists them, a figures table as the map's, and
    accessibility features by type.
    """
    if kind == "ledger":
        return projects_table(content.projects, lang)
    if kind == "infra":
        return _features_table(content.features, lang)
    return figure_table(content.figures, lang)
