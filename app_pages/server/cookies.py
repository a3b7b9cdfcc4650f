"""The HTTP routes that put a desk's key and the teacher's token in the browser.

Streamlit cannot set a cookie from a script (streamlit#861), but the app's own server
can (`st.App` routes, built in `streamlit_app.py`). A session that has just claimed a
desk or signed the teacher in keeps the cookie's value under a one-time ticket (random,
for `TICKET_S` seconds, in this process: the browser comes back to the same replica)
and sends the browser to `/cookie?ticket=...`; the route sets the cookie (HttpOnly, so
no script of the page can read it; SameSite=Strict; Secure over https) and sends the
browser back to where it was, which reads it with `st.context.cookies`. `/sign-out`
ends the teacher's sign-in. A stale, used or unknown ticket sets nothing.
"""

from __future__ import annotations

import secrets
import threading
import time
from urllib.parse import urlencode

TICKET_S = 60.0  # seconds a ticket may wait for its browser
COOKIE_DAYS = 180  # a desk stays a laptop's for a school year's half
COOKIE_PATH = "/cookie"
SIGN_OUT_PATH = "/sign-out"
_tickets: dict[str, tuple[str, str, str, float]] = {}  # ticket -> (cookie, value, next, due)
_lock = threading.Lock()


def safe_next(path: str | None) -> str:
    """A path of this app to go back to ("/" when `path` could lead elsewhere)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def ticket_url(cookie: str, value: str, next_path: str) -> str:
    """Where to send the browser so that it gets `cookie` = `value`, then `next_path`."""
    ticket = secrets.token_urlsafe(24)
    now = time.monotonic()
    with _lock:
        for old in [t for t, entry in _tickets.items() if entry[3] < now]:
            del _tickets[old]
        _tickets[ticket] = (cookie, value, safe_next(next_path), now + TICKET_S)
    return f"{COOKIE_PATH}?{urlencode({'ticket': ticket})}"


def _take(ticket: str | None) -> tuple[str, str, str] | None:
    with _lock:
        entry = _tickets.pop(ticket or "", None)
    if entry is None or entry[3] < time.monotonic():
        return None
    return entry[:3]


def routes() -> list:
    """The app's extra routes (Starlette): `/cookie` and `/sign-out`."""
    from starlette.responses import RedirectResponse
    from starlette.routing import Route

    from cnnviz.teacher import TEACHER_COOKIE

    async def set_cookie(request):
        taken = _take(request.query_params.get("ticket"))
        if taken is None:  # used, stale, forged: back to the app, which asks again
            return RedirectResponse("/", status_code=303)
        name, value, next_path = taken
        response = RedirectResponse(next_path, status_code=303)
        response.set_cookie(
            name,
            value,
            max_age=COOKIE_DAYS * 86400,
            path="/",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    async def sign_out(request):
        from cnnviz.teacher import sign_out_teacher

        sign_out_teacher(request.cookies.get(TEACHER_COOKIE))  # the token ends everywhere
        response = RedirectResponse("/class", status_code=303)
        response.delete_cookie(TEACHER_COOKIE, path="/", httponly=True, samesite="strict")
        return response

    return [Route(COOKIE_PATH, set_cookie), Route(SIGN_OUT_PATH, sign_out)]
