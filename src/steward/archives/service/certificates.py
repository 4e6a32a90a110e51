"""Reading back the destruction certificates already reconciled."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from steward.archives.models import DestructionCertificate
from steward.archives.service.access import require_manage
from steward.core.errors import NotFound
from steward.core.paging import Page, PageRequest, paginate
from steward.core.permissions import Actor


def certificates_page(db: Session, actor: Actor, page: PageRequest) -> Page[DestructionCertificate]:
    require_manage(actor)
    return paginate(
        db,
        select(DestructionCertificate).order_by(
            DestructionCertificate.received_at.desc(), DestructionCertificate.id.desc()
        ),
        page,
    )


def list_certificates(
    db: Session, actor: Actor, *, limit: int = 200
) -> list[DestructionCertificate]:
    require_manage(actor)
    return list(
        db.scalars(
            select(DestructionCertificate)
            .order_by(DestructionCertificate.received_at.desc(), DestructionCertificate.id.desc())
            .limit(limit)
        )
    )


def view_certificate(db: Session, actor: Actor, certificate_id: int) -> DestructionCertificate:
    """A certificate with its per-file lines (file references and barcodes, no names)."""
    require_manage(actor)
    certificate = db.scalars(
        select(DestructionCertificate)
        .where(DestructionCertificate.id == certificate_id)
        .options(selectinload(DestructionCertificate.lines))
    ).first()
    if certificate is None:
        raise NotFound("There is no such certificate.")
    return certificate
