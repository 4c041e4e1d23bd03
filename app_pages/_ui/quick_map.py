"""
The map page's view in a tab of its own: ``GET /atlas/map?<the map page's address>``.

A route that ``server.py`` mounts beside Streamlit, as :mod:`app_pages._ui.session`'s are. It
answers with the view's offline map (:func:`layers.offline.offline_html_bytes`, the export
page's file: Leaflet inlined, no tiles, the filters and sources written on its face), so a
planner opening a link gets the map without waiting for a page script and Streamlit's page
to draw. The map page links to it with its own address.

The reader is the map page's: in local mode the local user; in team mode the account of the
session cookie, checked with the workspace on every request (:meth:`store.Workspace.session`),
so a logout or a disabled account ends it here too. What it reads is what that account may
read (:mod:`store.loaded`, as the pages read). Without a live session the answer is 401 and a
link to the map page, which offers the login; a link followed from another site's page (a
mail or chat in the browser) brings no ``SameSite=Strict`` cookie, so that answer asks for
the same address once more, from this site, which brings it. An address that names a value
the page does not offer is 400 (:class:`layers.address_view.AddressError`); a dataset the
account may not read, 403.

The map of an address is kept per process for its reader's scope and the versions it reads
(the pages' :func:`app_pages._ui.common.workspace_revision`): a save, or an admin changing the
account, draws anew. Its ``ETag`` lets a browser ask again without downloading it; the
answer is ``Cache-Control: private, no-cache``, so the cookie is checked every time.

Beside the page's own Content-Security-Policy (scripts only by hash, nothing fetched), the
answer forbids framing by other sites and content sniffing, and sends no referrer.
"""

from __future__ import annotations

import collections
import datetime
import hashlib
import html
import threading
import urllib.parse
from collections.abc import Mapping, Sequence

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from streamlit import config

from app_pages._ui import session
from app_pages._ui.common import sources_name
from geo.errors import InputError
from layers.address_view import AddressError, refs_from_address, view_from_address
from layers.offline import offline_html_bytes
from layers.view import view_heading, view_map
from layers.wording import error_text, label
from store import AccessError, Account, DatasetError, StoreError, Workspace, auth, local_account
from store.loaded import figures_in_view, open_infra, open_ledger

__all__ = ["HEADERS", "KEPT_BYTES", "quick_map", "quick_path", "routes"]

#: Sent with every answer, beside the page's own CSP ``<meta>`` (scripts by hash only).
HEADERS = {
    "Content-Security-Policy": (
        "frame-ancestors 'self'; base-uri 'none'; form-action 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "private, no-cache",
    "Vary": "Cookie",
}
#: Bytes of maps kept per process, the least recently asked let go first (an all-China map
#: with a national ledger is about 0.5 MB; one larger than this is drawn and not kept).
KEPT_BYTES = 64 * 2**20
_kept: collections.OrderedDict[str, bytes] = collections.OrderedDict()
_lock = threading.Lock()


def quick_path() -> str:
    """Where the route answers, under Streamlit's ``server.baseUrlPath``."""
    return f"{session._base()}/atlas/map"


def _reader(request: Request, workspace: Workspace) -> Account | None:
    """The acting account as the gate finds it (:func:`app_pages._ui.gate.require_login`)."""
    auth.check_server_address(config.get_option("server.address"))
    if not workspace.requires_login():
        return local_account()
    token = auth.read_cookie(request.cookies.get(auth.COOKIE))
    return workspace.session(token, address=session._client_address(request))


def _revision(workspace: Workspace, account: Account) -> tuple:
    """Who reads with what scope, and each dataset they may read with its latest version."""
    found = workspace.list_datasets(user=account)
    who = (account.name, account.role, account.city, account.districts, account.local)
    return (who, *((d["name"], d["latest"]) for d in found))


def _draw(workspace: Workspace, account: Account, query: Mapping[str, Sequence[str]]) -> bytes:
    """The offline map of the view ``query`` names, as ``account`` may read it."""
    figures = figures_in_view(workspace, user=account)
    refs = refs_from_address(query)
    ledger = open_ledger(workspace, refs.ledger, user=account)
    found = open_infra(workspace, refs.infra, user=account)
    projects = ledger.content.projects if ledger is not None else None
    view = view_from_address(query, figures, projects)
    infra = found.content.features if found is not None else None
    fmap = view_map(view, figures, projects=projects, infra=infra)
    named = [sources_name(o.refs, view.lang) for o in (ledger, found) if o is not None]
    today = datetime.date.today()
    heading = view_heading(view, figures, today=today, data_names=tuple(named))
    return offline_html_bytes(fmap, title=label("title", view.lang), heading=heading)


def _page(
    status: int, lang: str, title: str, text: str, query, *, again: bool = False
) -> HTMLResponse:
    """
    A short page saying why there is no map, linking to the map page with the same view.

    ``again``: the page asks for its own address once more as it opens (a ``refresh`` meta
    tag, which no script is needed for): a request this page makes is the server's own site's,
    so the browser sends the ``SameSite=Strict`` cookie it held back from another site's link.
    """
    back = f"{session._base()}/?{urllib.parse.urlencode(list(query.items()), doseq=True)}"
    body = (
        f'<!doctype html><html lang="{lang}"><meta charset="utf-8">'
        + ('<meta http-equiv="refresh" content="0">' if again else "")
        + f"<title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(text)}</p>"
        f'<p><a href="{html.escape(back, quote=True)}">{html.escape(label("quick_back", lang))}'
        "</a></p></html>"
    )
    headers = {**HEADERS, "Content-Security-Policy": "default-src 'none'; " + HEADERS[
        "Content-Security-Policy"]}  # fmt: skip
    return HTMLResponse(body, status_code=status, headers=headers)


def _keep(etag: str, body: bytes) -> None:
    """Keep ``body``, letting the least recently asked maps go beyond :data:`KEPT_BYTES`."""
    with _lock:
        _kept[etag] = body
        while _kept and sum(map(len, _kept.values())) > KEPT_BYTES:
            _kept.popitem(last=False)


def _answer(request: Request, query: dict[str, list[str]]) -> Response:
    langs = query.get("lang") or ["zh"]
    lang = langs[-1] if langs[-1] in ("zh", "en") else "zh"
    try:
        workspace = session._workspace()
        account = _reader(request, workspace)
        if account is None:
            # A link followed from another site comes without the SameSite=Strict cookie:
            # asked again by this page, it comes with it (Sec-Fetch-Site: same-origin).
            again = request.headers.get("sec-fetch-site") == "cross-site"
            return _page(401, lang, label("quick_login", lang), label("quick_login_help", lang),
                         query, again=again)  # fmt: skip
        date = datetime.date.today().isoformat()
        key = repr((_revision(workspace, account), sorted(query.items()), date))
        etag = '"' + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + '"'
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={**HEADERS, "ETag": etag})
        with _lock:
            body = _kept.get(etag)
            if body is not None:
                _kept.move_to_end(etag)
        if body is None:
            body = _draw(workspace, account, query)
            _keep(etag, body)
    except AddressError as exc:
        text = label("quick_bad_address", lang).format(key=exc.key, values=", ".join(exc.values))
        return _page(400, lang, label("quick_no_map", lang), text, query)
    except InputError as exc:  # a place or file the view cannot be drawn with
        return _page(400, lang, label("quick_no_map", lang), error_text(exc, lang), query)
    except AccessError:
        return _page(403, lang, label("no_access", lang), label("no_access_help", lang), query)
    except DatasetError as exc:
        return _page(404, lang, label("quick_no_map", lang), error_text(exc, lang), query)
    except StoreError as exc:
        text = f"{label('workspace_unavailable', lang)} {error_text(exc, lang)}"
        return _page(503, lang, label("quick_no_map", lang), text, query)
    return Response(body, media_type="text/html; charset=utf-8", headers={**HEADERS, "ETag": etag})


async def quick_map(request: Request) -> Response:
    """``GET /atlas/map``: the offline map of the view the address names."""
    query = {key: request.query_params.getlist(key) for key in request.query_params}
    return await run_in_threadpool(_answer, request, query)


def routes() -> list[Route]:
    """The route, for ``st.App(routes=...)``."""
    return [Route(quick_path(), quick_map, methods=["GET"])]
