"""The tag_blocks table (registered on the server's metadata by the last line of server/models.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import utcnow
from server.models import ServerBase


class TagBlock(ServerBase):
    """Numbers first..last of a client's tag scheme, reserved by one device; `unused_from` gives back the rest."""

    __tablename__ = "tag_blocks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    space_id: Mapped[str] = mapped_column(String(36), index=True)
    device_id: Mapped[str] = mapped_column(String(36))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    unused_from: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def kept_last(self) -> int:
        return self.last if self.unused_from is None else self.unused_from - 1
