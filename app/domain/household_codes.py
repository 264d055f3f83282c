"""Household door codes (一户一码): random, unguessable, short enough to type, revocable.

A code is 13 characters of Crockford's base32 (no I, L, O, U: nothing to confuse with 1 or 0),
65 bits of entropy, shown grouped as XXXX-XXXX-XXXXX. Input is forgiving: case, spaces and
hyphens are ignored, and O/I/L typed by mistake read as 0/1/1.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app.clock import utcnow
from app.errors import AppError
from app.extensions import db, read_one
from app.models import Grid, Household, HouseholdCode, Township, Village

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 13  # 13 × 5 = 65 bits
_TYPO = str.maketrans({"O": "0", "I": "1", "L": "1"})
_VALID = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")
VOID_MESSAGE = "此二维码已作废或不存在，请联系村委会"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def canonical(text: str) -> str | None:
    """The stored form of a code as someone typed or scanned it, or None if it cannot be one."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    value = re.sub(r"[\s\-_.]", "", text).upper().translate(_TYPO)
    return value if _VALID.match(value) else None


def grouped(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def url_for_code(public_base_url: str, code: str) -> str:
    """What the sticker's QR encodes: an ordinary https URL (WeChat maps the /h/ prefix to the
    mini-program; any other camera opens the web page)."""
    return f"{public_base_url}/h/{code}"


def active_code(household_id: int) -> HouseholdCode | None:
    return db.session.scalar(
        select(HouseholdCode).where(HouseholdCode.household_id == household_id, HouseholdCode.revoked_at.is_(None))
    )


def ensure_codes(households: Iterable[Household]) -> dict[int, str]:
    """Active code per household, issuing one where a household has none. {household_id: code}"""
    households = list(households)
    ids = [h.id for h in households]
    codes: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        codes.update(
            db.session.execute(
                select(HouseholdCode.household_id, HouseholdCode.code).where(
                    HouseholdCode.household_id.in_(chunk), HouseholdCode.revoked_at.is_(None)
                )
            ).all()
        )
    now = utcnow()
    for household in households:
        if household.id not in codes:
            code = new_code()
            db.session.add(HouseholdCode(household_id=household.id, code=code, issued_at=now))
            codes[household.id] = code
    db.session.flush()
    return codes


def revoke(household: Household, reason: str) -> HouseholdCode:
    """Void the household's active code at once (a lost or defaced sticker)."""
    current = active_code(household.id)
    if current is None:
        raise AppError("no_active_code", "该户当前没有有效的二维码", kind="conflict")
    current.revoked_at = utcnow()
    current.revoke_reason = reason
    db.session.flush()
    return current


def reissue(household: Household, reason: str) -> HouseholdCode:
    """Revoke the active code (if any) and issue a new one: the replacement sticker."""
    current = active_code(household.id)
    if current is not None:
        current.revoked_at = utcnow()
        current.revoke_reason = reason
        db.session.flush()  # the partial unique index allows one active code per household
    replacement = HouseholdCode(household_id=household.id, code=new_code(), issued_at=utcnow())
    db.session.add(replacement)
    db.session.flush()
    return replacement


def resolve(text: str) -> Household | None:
    """The household behind an active code; None for anything else (unknown, revoked, malformed),
    so callers cannot tell a revoked code from one that never existed."""
    code = canonical(text)
    if code is None:
        return None
    # One statement (joined eager loads), not four: every complaint filed and question asked starts here.
    return db.session.scalar(
        select(Household)
        .join(HouseholdCode, HouseholdCode.household_id == Household.id)
        .options(joinedload(Household.village).joinedload(Village.township), joinedload(Household.grid))
        .where(HouseholdCode.code == code, HouseholdCode.revoked_at.is_(None))
    )


class PublicHousehold(NamedTuple):
    id: int
    number: str
    grid_name: str | None
    village_id: int
    village_revision: int
    village_created_at: object  # tells apart villages of databases that were re-created with the same ids


_PUBLIC_BY_CODE = (
    select(Household.id, Household.number, Grid.name, Village.id, Village.public_revision, Village.created_at)
    .select_from(HouseholdCode)
    .join(Household, Household.id == HouseholdCode.household_id)
    .join(Village, Village.id == Household.village_id)
    .outerjoin(Grid, Grid.id == Household.grid_id)
    .where(HouseholdCode.code == bindparam("code"), HouseholdCode.revoked_at.is_(None))
)


def resolve_public(code: str) -> PublicHousehold | None:
    """For the door-code landing, the hottest read of the product: one indexed query for just what
    the landing needs, for an active canonical code (see app.extensions.read_one)."""
    row = read_one(_PUBLIC_BY_CODE, {"code": code})
    return None if row is None else PublicHousehold(*row)


def resolve_or_void(text: str) -> Household:
    """As resolve, for callers that answer a void code with the one error everybody sees."""
    household = resolve(text)
    if household is None:
        raise AppError("household_code_void", VOID_MESSAGE, kind="not_found")
    return household


class RevokedDoor(NamedTuple):
    township_name: str
    supervision_phone: str | None


def revoked_door(text: str) -> RevokedDoor | None:
    """For a code that was issued and has been revoked (a replaced or withdrawn sticker): the township
    to call, and nothing else — no village, household or reason. None for any other text.

    Telling "revoked" apart from "never issued" this far is safe: a code is 65 random bits, so nobody
    finds issued codes by trying (hundreds of thousands of codes in a county are a 2^-47 share of the
    space); whoever holds a revoked code had it from the door itself, whose township they know; and
    the township's supervision phone is public, printed on every sticker. Unknown and malformed codes
    keep the one answer for both (VOID_MESSAGE), and the API answers revoked codes like unknown ones."""
    code = canonical(text)
    if code is None:
        return None
    row = db.session.execute(
        select(Township.name, Township.supervision_phone)
        .select_from(HouseholdCode)
        .join(Household, Household.id == HouseholdCode.household_id)
        .join(Village, Village.id == Household.village_id)
        .join(Township, Township.id == Village.township_id)
        .where(HouseholdCode.code == code, HouseholdCode.revoked_at.is_not(None))
    ).first()
    return None if row is None else RevokedDoor(*row)


class VillageDoor(NamedTuple):
    household_id: int
    number: str
    grid_name: str | None
    head_name: str
    code: str  # canonical


def active_codes(village_id: int) -> list[VillageDoor]:
    """A village's households with an active code, by household number (for the operator's CLI)."""
    rows = db.session.execute(
        select(Household.id, Household.number, Grid.name, Household.head_name, HouseholdCode.code)
        .join(HouseholdCode, HouseholdCode.household_id == Household.id)
        .outerjoin(Grid, Grid.id == Household.grid_id)
        .where(Household.village_id == village_id, HouseholdCode.revoked_at.is_(None))
        .order_by(Household.number, Household.id)
    )
    return [VillageDoor(*row) for row in rows]
