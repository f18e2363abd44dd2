"""Wire schemas of tag blocks (numbers a device reserves for a pre-printed run), shared by client and server."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

#: The most tags one reservation may hold: a few rolls of labels, not a client's whole number space.
MAX_BLOCK = 1000
#: Tag numbers and block ids are INTEGER columns on the server: a number past this is refused (422), never a 500.
MAX_NUMBER = 2_147_483_647 - MAX_BLOCK


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReserveRequest(_Strict):
    client_id: str = Field(min_length=1, max_length=36)
    device_id: str = Field(min_length=1, max_length=36)
    count: int = Field(ge=1, le=MAX_BLOCK)
    #: The highest tag number the device knows of for the client (its own unsent tags included).
    floor: int = Field(default=0, ge=0, le=MAX_NUMBER)


class BlockInfo(_Strict):
    id: int
    client_id: str
    device_id: str
    first: int
    #: The last number still reserved (lower than the reserved end once the unused rest was returned).
    last: int


class BlockReturn(_Strict):
    block_id: int = Field(ge=0, le=2_147_483_647)
    #: The numbers from here to the block's end were never printed on a label that is still kept.
    unused_from: int = Field(ge=0, le=MAX_NUMBER)


class SettleRequest(_Strict):
    client_id: str = Field(min_length=1, max_length=36)
    device_id: str = Field(min_length=1, max_length=36)
    returns: list[BlockReturn] = Field(default_factory=list, max_length=1000)


class SettleResponse(_Strict):
    blocks: list[BlockInfo]
