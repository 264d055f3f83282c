from tests import factories as f


def test_wx_login_and_me(client):
    home = f.household()
    user = f.villager(home, identity="li-villager")
    token = f.login_wx(client, user)
    me = client.get("/api/v1/me", headers=f.bearer(token)).get_json()
    assert me["kind"] == "wx"
    assert [r["role"] for r in me["roles"]] == ["villager"]
