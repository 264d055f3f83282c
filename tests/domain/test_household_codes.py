"""Household door codes: unguessable, typeable, revocable, one active per household."""

from __future__ import annotations

import math

import pytest
from sqlalchemy.exc import IntegrityError

from app.domain import household_codes as hc
from app.extensions import db
from app.models import HouseholdCode
from tests import factories as f


def test_codes_are_long_random_and_unambiguous():
    codes = {hc.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == hc.LENGTH and set(c) <= set(hc.ALPHABET) for c in codes)
    assert not set("ILOU") & set(hc.ALPHABET)
    assert hc.LENGTH * math.log2(len(hc.ALPHABET)) >= 64


def test_typed_codes_are_read_forgivingly():
    code = "K7QXM2PA9RT4C"
    assert hc.grouped(code) == "K7QX-M2PA-9RT4C"
    for typed in ("k7qx-m2pa-9rt4c", " K7QX M2PA 9RT4C ", "K7QXM2PA9RT4C"):
        assert hc.canonical(typed) == code
    assert hc.canonical("1O0") is None
    assert hc.canonical("K7QX-M2PA-9RT4") is None  # one short
    assert hc.canonical("K7QX-M2PA-9RT4U") is None  # U is not in the alphabet
    assert hc.canonical("x" * 1000) is None
    assert hc.canonical("ILOL0000000000"[:13]) == "1101000000000"


def test_issue_resolve_revoke_reissue(app):
    home = f.household()
    code = hc.ensure_codes([home])[home.id]
    assert hc.ensure_codes([home])[home.id] == code  # stable: no second code
    assert hc.resolve(code.lower()).id == home.id

    hc.revoke(home, "门牌损毁")
    assert hc.resolve(code) is None  # stops working at once
    with pytest.raises(Exception) as info:
        hc.revoke(home, "again")
    assert getattr(info.value, "code", None) == "no_active_code"

    new = hc.reissue(home, "补发").code
    assert new != code and hc.resolve(new).id == home.id
    again = hc.reissue(home, "再补发").code
    assert hc.resolve(new) is None and hc.resolve(again).id == home.id
    history = db.session.query(HouseholdCode).filter_by(household_id=home.id).order_by(HouseholdCode.id).all()
    assert [h.revoked_at is None for h in history] == [False, False, True]
    assert history[0].revoke_reason == "门牌损毁"


def test_the_database_refuses_two_active_codes_for_one_household(app):
    home = f.household()
    hc.ensure_codes([home])
    db.session.add(HouseholdCode(household_id=home.id, code=hc.new_code()))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
