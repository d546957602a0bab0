from __future__ import annotations

from tests.integration.server.conftest import PASSWORD, Api
from workstation.domain.enums import Role


def test_login_me_and_problem_bodies(api: Api) -> None:
    api.make_user("alice", Role.AGENT)
    resp = api.client.post("/auth/login", json={"username": "alice", "password": PASSWORD})
    assert resp.status_code == 200
    body = resp.json()
    assert body["user"]["role"] == "agent"
    me = api.client.get("/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["username"] == "alice"

    bad = api.client.post("/auth/login", json={"username": "alice", "password": "nope-nope"})
    assert bad.status_code == 401
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["detail"] == "unknown user name or wrong password"


def test_unknown_fields_and_malformed_json_are_named(api: Api) -> None:
    resp = api.client.post("/auth/login", json={"username": "a", "password": "b", "extra": 1})
    assert resp.status_code == 422
    assert "body.extra: unknown field" in resp.json()["detail"]
    resp = api.client.post("/auth/login", content=b"{not json", headers={"content-type": "application/json"})
    assert resp.status_code == 400
    assert resp.json()["title"] == "Malformed JSON"


def test_oversized_body_is_refused(api: Api) -> None:
    resp = api.client.post("/auth/login", content=b"x" * (api.settings.max_body_bytes + 1),
                           headers={"content-type": "application/json"})
    assert resp.status_code == 413
    assert "limit" in resp.json()["detail"]


def test_login_throttled_after_repeated_failures(api: Api) -> None:
    api.make_user("bob", Role.AGENT)
    for _ in range(api.settings.login_max_failures):
        assert api.client.post("/auth/login", json={"username": "bob", "password": "wrong-pass"}).status_code == 401
    resp = api.client.post("/auth/login", json={"username": "bob", "password": PASSWORD})
    assert resp.status_code == 429
    assert int(resp.headers["retry-after"]) > 0
    api.clock.advance(minutes=api.settings.login_window_minutes + 1)
    assert api.client.post("/auth/login", json={"username": "bob", "password": PASSWORD}).status_code == 200


def test_token_expiry_and_refresh_rotation(api: Api) -> None:
    api.make_user("carol", Role.TEAM_LEAD)
    tokens = api.client.post("/auth/login", json={"username": "carol", "password": PASSWORD}).json()
    api.clock.advance(minutes=api.settings.access_token_minutes + 1)
    expired = api.client.get("/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert expired.status_code == 401
    assert expired.json()["title"] == "Token expired"
    renewed = api.client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert renewed.status_code == 200
    again = api.client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert again.status_code == 401  # a refresh token works once
    ok = api.client.get("/me", headers={"Authorization": f"Bearer {renewed.json()['access_token']}"})
    assert ok.status_code == 200


def test_roles_are_checked(api: Api) -> None:
    api.make_user("dave", Role.AGENT)
    api.make_user("root", Role.ADMIN)
    new_user = {"username": "erin", "password": "long-enough-1", "role": "agent"}
    assert api.post("/users", "dave", json=new_user).status_code == 403
    created = api.post("/users", "root", json=new_user)
    assert created.status_code == 201
    assert api.post("/users", "root", json=new_user).status_code == 409
    assert api.client.get("/me").status_code == 401
