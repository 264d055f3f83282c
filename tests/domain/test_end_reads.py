"""transaction.end_reads: the read transaction ends before a slow outbound call, and never half a
unit of work is committed by it (issue 12, item 13)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import County
from app.transaction import end_reads
from tests import factories as f


def test_a_read_transaction_ends(app):
    db.session.scalar(select(County.id))
    assert db.session().in_transaction()
    end_reads(db.session())
    assert not db.session().in_transaction()


@pytest.mark.parametrize("write", ["added", "flushed", "statement"])
def test_after_a_write_it_refuses_and_commits_nothing(app, write):
    county = f.county("原名县")
    db.session.commit()
    if write == "added":
        db.session.add(County(code="339999", name="新县"))
    elif write == "flushed":
        county.name = "改名县"
        db.session.flush()
    else:
        db.session.execute(update(County).where(County.id == county.id).values(name="改名县"))
    with pytest.raises(RuntimeError):
        end_reads(db.session())
    db.session.rollback()
    assert [c.name for c in db.session.scalars(select(County))] == ["原名县"]
    end_reads(db.session())  # a new transaction that only read: fine again
