"""A kept evidence pack for page and walk tests, without building one (that is
test_pack.py's): a small zip sealed as the job would keep it."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy.orm import Session

from steward.assurance.pack import service
from steward.assurance.pack.models import EvidencePack, PackStatus
from steward.core import auth, clock
from steward.core.crypto import KeyEncryptionKeys


def stored_pack(db: Session, keyring: KeyEncryptionKeys, builder: auth.User) -> int:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr(service.README, "Evidence pack\n")
    pack = EvidencePack(
        as_of=clock.today(),
        status=PackStatus.BUILDING.value,
        requested_by_user_id=builder.id,
        role=str(builder.role),
        organisation="Walk",
        requested_at=clock.now(),
        files=0,
        size_bytes=0,
        chunks=0,
    )
    db.add(pack)
    db.flush()
    data.seek(0)
    service.store(db, keyring, pack.id, data, files=1)
    return pack.id
