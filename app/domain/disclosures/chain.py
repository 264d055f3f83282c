"""The hash chain over published disclosure versions.

content_hash = SHA-256 of the version's canonical JSON (everything a villager reads, plus where and
when it was published); entry_hash = SHA-256("prev_hash|version_id|content_hash"). Each entry names
its predecessor's hash, so changing any stored version, or removing or reordering entries, breaks
the chain from that point on. `verify` recomputes everything from the stored rows.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import AuditEntry, Disclosure, DisclosureVersion, VersionStatus

GENESIS = "0" * 64


def content_of(version: DisclosureVersion) -> dict[str, object]:
    disclosure = version.disclosure
    return {
        "disclosure_id": disclosure.id,
        "village_id": disclosure.village_id,
        "item_type_id": disclosure.item_type_id,
        "category": disclosure.category,
        "period": disclosure.period,
        "version": version.number,
        "title": version.title,
        "body": version.body,
        "line_items": version.line_items,
        "correction_reason": version.correction_reason,
        "published_at": version.published_at.isoformat() if version.published_at else None,
        "attachments": [
            {"sha256": a.sha256, "media_type": a.media_type, "filename": a.filename} for a in version.attachments
        ],
    }


def content_hash(version: DisclosureVersion) -> str:
    canonical = json.dumps(content_of(version), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def entry_hash(prev_hash: str, version_id: int, digest: str) -> str:
    return hashlib.sha256(f"{prev_hash}|{version_id}|{digest}".encode("ascii")).hexdigest()


def append(version: DisclosureVersion, attempts: int = 5) -> AuditEntry:
    """Append a published version to the chain. Two publications racing for the same predecessor
    collide on the unique prev_hash; the loser re-reads the head and tries again."""
    digest = content_hash(version)
    version.content_hash = digest
    for _ in range(attempts):
        head = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
        prev = head.entry_hash if head else GENESIS
        entry = AuditEntry(
            version_id=version.id, content_hash=digest, prev_hash=prev, entry_hash=entry_hash(prev, version.id, digest)
        )
        try:
            with db.session.begin_nested():
                db.session.add(entry)
            return entry
        except IntegrityError:
            continue
    raise RuntimeError("could not append to the audit chain: too much contention")


@dataclass
class Verification:
    entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(disclosure_id: int | None = None) -> Verification:
    """Check the whole chain (links and hashes) and recompute each published version's content hash.
    With disclosure_id, the whole chain is still walked but only that disclosure's versions are
    recomputed."""
    result = Verification()
    prev = GENESIS
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    query = (
        select(DisclosureVersion)
        .options(selectinload(DisclosureVersion.disclosure))
        .where(DisclosureVersion.status == VersionStatus.PUBLISHED.value)
    )
    if disclosure_id is not None:
        query = query.where(DisclosureVersion.disclosure_id == disclosure_id)
    versions = {v.id: v for v in db.session.scalars(query)}
    chained: set[int] = set()
    for entry in entries:
        result.entries += 1
        if entry.prev_hash != prev:
            result.problems.append(f"entry {entry.id}: does not follow the previous entry (chain broken)")
        if entry_hash(entry.prev_hash, entry.version_id, entry.content_hash) != entry.entry_hash:
            result.problems.append(f"entry {entry.id}: entry hash does not match its contents")
        prev = entry.entry_hash
        chained.add(entry.version_id)
        version = versions.get(entry.version_id)
        if version is not None and content_hash(version) != entry.content_hash:
            result.problems.append(
                f"entry {entry.id}: disclosure {version.disclosure_id} version {version.number} "
                "was changed after publication"
            )
    for version in versions.values():
        if version.id not in chained:
            result.problems.append(
                f"disclosure {version.disclosure_id} version {version.number} is published but not in the chain"
            )
    return result


def verify_disclosure(disclosure: Disclosure) -> Verification:
    return verify(disclosure.id)
