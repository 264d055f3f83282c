"""Who uses up whose filing allowance (issue 12, item 8): strangers who saw a door cannot exhaust the
household's members; each bound member has an allowance of their own at their door; strangers are
limited per person (over all doors) and, all together, per door."""

from __future__ import annotations

import secrets

import pytest

from app.domain import household_codes as hc
from app.domain.complaints.cases import DOOR_STRANGERS_LIMIT, MEMBER_LIMIT, STRANGER_LIMIT
from app.extensions import db
from tests import factories as f


@pytest.fixture
def door(app):
    village = f.village()
    home, other, third = (f.household(village) for _ in range(3))
    codes = hc.ensure_codes([home, other, third])
    w = {
        "home": home,
        "code": codes[home.id],
        "other_code": codes[other.id],
        "third_code": codes[third.id],
        "member": f.villager(home),
        "second_member": f.villager(home),
    }
    db.session.commit()
    return w


def _file(client, token, code, n=0):
    return client.post(
        f"/api/v1/h/{code}/complaints",
        headers=f.bearer(token),
        json={
            "client_request_id": secrets.token_hex(8),
            "category": "dispute",
            "anonymous": True,
            "description": f"第{n}件：邻居家的围墙占了公共通道，多次协商无果。",
        },
    ).status_code


def _stranger(client) -> str:
    return f.login_wx(client, f"throwaway-{secrets.token_hex(4)}")


def test_three_throwaway_ids_filing_from_a_door_leave_the_villagers_allowance_whole(client, door):
    """The finding: three throwaway WeChat ids filed 5 each from a door they saw; the real villager
    then got 429."""
    strangers = [_stranger(client) for _ in range(3)]
    answers = [_file(client, token, door["code"], n) for token in strangers for n in range(5)]
    assert answers.count(201) == DOOR_STRANGERS_LIMIT.max_hits  # all strangers together, at this door
    assert answers.count(429) == 15 - DOOR_STRANGERS_LIMIT.max_hits
    member = f.login_wx(client, door["member"])
    assert [_file(client, member, door["code"], n) for n in range(MEMBER_LIMIT.max_hits + 1)] == [
        201
    ] * MEMBER_LIMIT.max_hits + [429]


def test_each_bound_member_has_an_allowance_of_their_own(client, door):
    first, second = f.login_wx(client, door["member"]), f.login_wx(client, door["second_member"])
    assert [_file(client, first, door["code"], n) for n in range(MEMBER_LIMIT.max_hits + 1)] == [
        201
    ] * MEMBER_LIMIT.max_hits + [429]
    assert [_file(client, second, door["code"], n) for n in range(MEMBER_LIMIT.max_hits)] == [
        201
    ] * MEMBER_LIMIT.max_hits  # the first member's filings took nothing of the second's
    # and the members' filings take nothing of the strangers' pool at the door
    assert _file(client, _stranger(client), door["code"]) == 201


def test_a_stranger_is_limited_per_person_over_all_doors(client, door):
    stranger = _stranger(client)
    doors = [door["other_code"], door["third_code"], door["code"]]
    answers = [_file(client, stranger, doors[n % 3], n) for n in range(STRANGER_LIMIT.max_hits + 1)]
    assert answers == [201] * STRANGER_LIMIT.max_hits + [429]


def test_a_member_at_another_door_is_a_stranger_there_and_keeps_their_own_allowance(client, door):
    member = f.login_wx(client, door["member"])
    elsewhere = [_file(client, member, door["other_code"], n) for n in range(STRANGER_LIMIT.max_hits + 1)]
    assert elsewhere == [201] * STRANGER_LIMIT.max_hits + [429]
    assert _file(client, member, door["code"]) == 201  # at home: their member's allowance


def test_a_refused_or_failed_filing_uses_no_allowance(client, door):
    member = f.login_wx(client, door["member"])
    for n in range(MEMBER_LIMIT.max_hits + 2):  # refused by the text check: counted for nobody
        response = client.post(
            f"/api/v1/h/{door['code']}/complaints",
            headers=f.bearer(member),
            json={
                "client_request_id": secrets.token_hex(8),
                "category": "dispute",
                "anonymous": True,
                "description": f"【违规】第{n}件",
            },
        )
        assert response.status_code == 422
    assert [_file(client, member, door["code"], n) for n in range(MEMBER_LIMIT.max_hits)] == [
        201
    ] * MEMBER_LIMIT.max_hits
