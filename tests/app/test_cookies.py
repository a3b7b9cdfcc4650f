"""The routes that put a desk's key and the teacher's token in the browser
(`app_pages.server.cookies`), through Starlette's own test client.

Oracle: the Set-Cookie headers the routes answer with, read by the client's cookie jar.
"""

from starlette.applications import Starlette
from starlette.testclient import TestClient

from app_pages.server import cookies
from cnnviz import teacher


def client() -> TestClient:
    return TestClient(Starlette(routes=cookies.routes()), follow_redirects=False)


def test_a_ticket_sets_its_cookie_once_httponly_and_strict():
    url = cookies.ticket_url("cnnviz_desk", "ada.KEY", "/train?projector=1")
    first = client().get(url)
    assert first.status_code == 303 and first.headers["location"] == "/train?projector=1"
    header = first.headers["set-cookie"]
    assert header.startswith("cnnviz_desk=ada.KEY;")
    assert "HttpOnly" in header and "SameSite=strict" in header and "Path=/" in header
    assert "Secure" not in header  # plain http on a school network: said in README
    again = client().get(url)  # a ticket is used once
    assert again.status_code == 303 and "set-cookie" not in again.headers


def test_https_cookies_are_secure():
    url = cookies.ticket_url("cnnviz_desk", "ada.KEY", "/")
    answer = TestClient(
        Starlette(routes=cookies.routes()), base_url="https://school", follow_redirects=False
    ).get(url)
    assert "Secure" in answer.headers["set-cookie"]


def test_a_forged_or_stale_ticket_sets_nothing(monkeypatch):
    for url in ("/cookie", "/cookie?ticket=forged", "/cookie?ticket=" + "x" * 5000):
        answer = client().get(url)
        assert answer.status_code == 303 and "set-cookie" not in answer.headers
    url = cookies.ticket_url("cnnviz_desk", "ada.KEY", "/")
    monkeypatch.setattr(cookies, "TICKET_S", -1.0)
    stale = cookies.ticket_url("cnnviz_desk", "bob.KEY", "/")
    assert "set-cookie" not in client().get(stale).headers
    assert "set-cookie" in client().get(url).headers  # made before: still good


def test_the_way_back_never_leads_off_the_app():
    for where in ("https://evil.example/", "//evil.example", "/\\evil", "", "javascript:x"):
        url = cookies.ticket_url("cnnviz_desk", "ada.KEY", where)
        assert client().get(url).headers["location"] == "/"


def test_sign_out_ends_the_teacher_token(runs_dir, monkeypatch):
    monkeypatch.setenv("CNNVIZ_TEACHER_CODE", "a-long-teacher-code")
    token = teacher.sign_in_teacher("a-long-teacher-code", client="test")
    assert teacher.is_teacher(token)
    answer = client().get("/sign-out", cookies={teacher.TEACHER_COOKIE: token})
    assert answer.status_code == 303 and answer.headers["location"] == "/class"
    assert 'cnnviz_teacher=""' in answer.headers["set-cookie"]  # the browser forgets it
    assert not teacher.is_teacher(token)  # and it is over on every replica
