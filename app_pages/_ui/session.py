"""
The session cookie, issued and cleared by the server, never by a page script.

Two routes that ``server.py`` mounts beside Streamlit (``st.App(routes=...)``, Streamlit on
Starlette), and that the gate's plain HTML forms post to:

- ``POST /atlas/login`` (fields ``account``, ``password``, ``next``): the workspace checks the
  password (:meth:`store.Workspace.login`: throttled, on record); on success the answer sets
  ``atlas_session`` (the session token signed by :func:`store.auth.make_cookie`) with
  ``HttpOnly; SameSite=Strict; Path=/``, ``Secure`` over HTTPS, for the session's hours.
  Either way it sends the browser back to ``next`` (a path of this server), a failure with
  ``?login=wrong|throttled|text|unavailable`` for the gate to word, a throttled one with the
  wait too (``&seconds=``, :attr:`store.auth.Throttled.seconds`).
- ``POST /atlas/logout``: ends the cookie's session in the workspace and clears the cookie.

A request from another origin (its ``Origin``, else its ``Referer``, names another host) is
refused with 403: a page elsewhere cannot log a browser in or out. The cookie's name, content
and signature are :mod:`store.auth`'s; the workspace checks the session on every page run.

The address a login is throttled by and recorded with is :func:`store.auth.client_address`'s,
as the gate's: the peer uvicorn reports, which is the client an ``X-Forwarded-For`` names only
when the peer is a proxy of ``$ATLAS_TRUSTED_PROXIES`` (``atlas serve`` hands that to uvicorn;
unset, no header is believed).
"""

from __future__ import annotations

import functools
import os
import urllib.parse

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from streamlit import config

from store import LoginError, StoreError, TextError, Workspace, accounts, auth, open_workspace

__all__ = ["ENV_MOUNTED", "FLASH", "WAIT", "login_path", "logout_path", "routes"]

#: Set by :func:`routes`: the gate's login form has a route to post to (team mode needs it).
ENV_MOUNTED = "ATLAS_SESSION_ROUTES"
#: The address parameter that tells the gate how a login or logout went.
FLASH = "login"
#: The address parameter with a throttled login's wait, in seconds.
WAIT = "seconds"
# A login form is a name, a password and a path: anything longer is not one of ours.
_MAX_BODY = 16 * 1024
# What st.context.ip_address reports as None (so the gate's address for it is 127.0.0.1).
_LOOPBACK = ("127.0.0.1", "::1")


def _base() -> str:
    """Streamlit's ``server.baseUrlPath`` as a prefix: "" or "/atlas-base"."""
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def login_path() -> str:
    """Where the login form posts."""
    return f"{_base()}/atlas/login"


def logout_path() -> str:
    """Where the logout button posts."""
    return f"{_base()}/atlas/logout"


@functools.cache
def _workspace() -> Workspace:
    return open_workspace()


def _same_origin(request: Request) -> bool:
    """
    True when the form was posted by a page of this server (Origin, else Referer).

    The server is the ``Host`` the browser asked for, or the ``X-Forwarded-Host`` a reverse
    proxy that rewrites ``Host`` passes on: a page elsewhere can set neither on a form post.
    """
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    hosts = {request.headers.get("host"), request.headers.get("x-forwarded-host")} - {None, ""}
    return urllib.parse.urlsplit(source).netloc in hosts


def _next(value: str | None, **flash: str) -> str:
    """A path of this server to go back to (else the root), with ``flash`` in its query."""
    parts = urllib.parse.urlsplit(value or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or "\\" in parts.path:
        parts = urllib.parse.urlsplit(f"{_base()}/")
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k not in (FLASH, WAIT)]
    query += list(flash.items())
    return urllib.parse.urlunsplit(("", "", parts.path, urllib.parse.urlencode(query), ""))


async def _form(request: Request) -> dict[str, str] | None:
    """The posted form's fields, or None when the body is too long to be a login."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_BODY:
            return None
    fields = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {key: values[0] for key, values in fields.items()}


def _client_address(request: Request) -> str:
    """
    The browser's address as the throttle counts it and the audit records it, as the gate's.

    The peer as uvicorn gives it (a trusted proxy's client), loopback as Streamlit gives it to
    the gate (None), then :func:`store.auth.client_address`: an address that came out of an
    ``X-Forwarded-For`` uvicorn should not have believed counts as the proxies'.
    """
    peer = request.client.host if request.client else None
    return auth.client_address(
        None if peer in _LOOPBACK else peer, request.headers.get("x-forwarded-for")
    )


def _set_cookie(response: Response, value: str, *, secure: bool, max_age: int) -> None:
    response.set_cookie(
        auth.COOKIE,
        value,
        max_age=max_age,
        path=_base() or "/",
        secure=secure,
        httponly=True,
        samesite="Strict",
    )


async def login(request: Request) -> Response:
    """``POST /atlas/login``: check the password, set the cookie, go back to ``next``."""
    if not _same_origin(request):
        return PlainTextResponse("Refused: a login must come from this server's own page.", 403)
    form = await _form(request)
    if form is None:
        return PlainTextResponse(f"Refused: a login form is under {_MAX_BODY} bytes.", 413)
    back = form.get("next")
    try:
        done = await run_in_threadpool(
            _workspace().login,
            form.get("account", ""),
            form.get("password", ""),
            address=_client_address(request),
        )
        cookie = auth.make_cookie(done.token)
    except auth.Throttled as exc:
        return RedirectResponse(_next(back, login="throttled", seconds=str(exc.seconds)), 303)
    except LoginError:
        return RedirectResponse(_next(back, login="wrong"), 303)
    except TextError:
        return RedirectResponse(_next(back, login="text"), 303)
    except StoreError:
        return RedirectResponse(_next(back, login="unavailable"), 303)
    response = RedirectResponse(_next(back), 303)
    secure = request.url.scheme == "https"
    _set_cookie(response, cookie, secure=secure, max_age=int(auth.session_hours() * 3600))
    return response


async def logout(request: Request) -> Response:
    """``POST /atlas/logout``: end the cookie's session, clear the cookie, go back."""
    if not _same_origin(request):
        return PlainTextResponse("Refused: a logout must come from this server's own page.", 403)
    form = await _form(request) or {}
    try:
        token = auth.read_cookie(request.cookies.get(auth.COOKIE))
        if token:
            await run_in_threadpool(_workspace().logout, token, address=_client_address(request))
    except StoreError:
        return RedirectResponse(_next(form.get("next"), login="unavailable"), 303)
    response = RedirectResponse(_next(form.get("next"), login="out"), 303)
    _set_cookie(response, "", secure=request.url.scheme == "https", max_age=0)
    return response


def routes() -> list[Route]:
    """The two routes, for ``st.App(routes=...)``; from now on the gate offers its login form."""
    os.environ[ENV_MOUNTED] = "1"
    accounts.prepare_logins()  # an unknown name's first login costs what a wrong password does
    return [
        Route(login_path(), login, methods=["POST"]),
        Route(logout_path(), logout, methods=["POST"]),
    ]
