"""Tag blocks: numbers one device reserves for a client's pre-printed labels, so no two runs share a tag."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models.tag_block_wire import BlockInfo, ReserveRequest, SettleRequest
from server.auth import Scope
from server.models import Record, Space, User
from server.sync import NotFound, _ensure_space
from server.tag_block_model import TagBlock


def _client(session: Session, scope: Scope, client_id: str) -> Record:
    """The client's record, if the caller may see it; another tenant's client answers like a missing one."""
    record = session.get(Record, client_id)
    if record is None or record.entity != "client" or record.deleted_at is not None:
        raise NotFound()
    if not scope.can_see_space(record.space_id):
        raise NotFound()
    return record


def _highest_tag_number(session: Session, client: Record) -> int:
    """The highest number of the client's PREFIX + digits tags on the server (deleted ones too: never reused)."""
    prefix = str(client.data.get("tag_prefix") or "").upper()
    digits = max(int(client.data.get("tag_digits") or 1), 1)
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    last = session.scalar(
        select(func.max(Record.tag)).where(
            Record.space_id == client.space_id,
            Record.entity == "asset",
            Record.tag.like(escaped + "%", escape="\\"),
            func.length(Record.tag) == len(prefix) + digits,
        )
    )
    suffix = last[len(prefix) :] if last else ""
    return int(suffix) if suffix.isdigit() else 0


def _info(block: TagBlock) -> BlockInfo:
    return BlockInfo(id=block.id, client_id=block.space_id, device_id=block.device_id, first=block.first,
                     last=block.kept_last)  # fmt: skip


def reserve(session: Session, scope: Scope, user: User, body: ReserveRequest) -> BlockInfo:
    """The next `count` numbers above every kept block and every tag of the client, reserved for the device."""
    client = _client(session, scope, body.client_id)
    _ensure_space(session, client.space_id)
    # The space row's lock makes two reservations of one client take turns, so their numbers never overlap.
    session.scalar(select(Space.id).where(Space.id == client.space_id).with_for_update())
    kept = case((TagBlock.unused_from.is_(None), TagBlock.last), else_=TagBlock.unused_from - 1)
    top_block = session.scalar(select(func.max(kept)).where(TagBlock.space_id == client.space_id)) or 0
    first = max(top_block, _highest_tag_number(session, client), body.floor) + 1
    block = TagBlock(space_id=client.space_id, device_id=body.device_id, user_id=user.id, first=first,
                     last=first + body.count - 1)  # fmt: skip
    session.add(block)
    session.flush()
    return _info(block)


def settle(session: Session, scope: Scope, user: User, body: SettleRequest) -> list[BlockInfo]:
    """Apply the device's returns of unused numbers, then list every block of the client still holding numbers."""
    client = _client(session, scope, body.client_id)
    for item in body.returns:
        block = session.get(TagBlock, item.block_id)
        if block is None or block.space_id != client.space_id or block.user_id != user.id:
            raise NotFound()
        if block.device_id != body.device_id:
            raise NotFound()
        unused_from = min(max(item.unused_from, block.first), block.last + 1)
        block.unused_from = unused_from if block.unused_from is None else min(block.unused_from, unused_from)
    session.flush()
    blocks = session.scalars(select(TagBlock).where(TagBlock.space_id == client.space_id).order_by(TagBlock.first))
    return [_info(b) for b in blocks if b.kept_last >= b.first]
