"""Blocks of tag numbers reserved for a pre-printed run of labels, so no two devices print the same tag.

Online, the sync server hands out the block (numbers above every kept block and every tag it knows). Offline, the
device falls back to tags of its own form, PREFIX + a device code + number, that no other device makes.
The blocks live in the workspace's meta table (device-local, never synced as records); docs/sync.md has the rule.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import Workspace, meta_value, set_meta_value
from app.errors import CloseoutError, NotFoundError
from app.sync.errors import SyncError
from models import Asset, Client
from models.tag_block_wire import MAX_BLOCK, BlockInfo, BlockReturn, ReserveRequest, SettleRequest, SettleResponse

if TYPE_CHECKING:
    from app.sync.transport import Transport

log = logging.getLogger(__name__)
BLOCKS_KEY = "tag_blocks"
#: Letters and digits that cannot be misread for one another on a label (no I, L, O, U, 0, 1).
CODE_FIRST = "ABCDEFGHJKMNPQRSTVWXYZ"
CODE_REST = CODE_FIRST + "23456789"


@dataclass
class Block:
    """Numbers first..last of one client, reserved by this device; `code` is set for an offline (device) block."""

    client_id: str
    prefix: str
    digits: int
    first: int
    last: int
    server_id: int | None = None
    code: str = ""
    returned_from: int | None = None
    return_sent: bool = False

    @property
    def kept_last(self) -> int:
        return self.last if self.returned_from is None else self.returned_from - 1

    def tag(self, number: int) -> str:
        body = f"{number:0{self.digits}d}"
        return f"{self.prefix}{self.code}{body}"  # the code starts with a letter: never a PREFIX + digits tag

    def tags(self) -> list[str]:
        return [self.tag(n) for n in range(self.first, self.kept_last + 1)]


@dataclass
class BlockState:
    own: list[Block] = field(default_factory=list)
    #: Per client, the (first, last) numbers other devices keep reserved, as the server last listed them.
    others: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Run:
    """A pre-printed run: its tags, and whether the server numbered it (False: the device's own range)."""

    tags: list[str]
    online: bool
    note: str = ""


def load_state(session: Session) -> BlockState:
    raw = meta_value(session, BLOCKS_KEY)
    if not raw:
        return BlockState()
    data: dict[str, Any] = json.loads(raw)
    return BlockState(
        own=[Block(**b) for b in data.get("own", [])],
        others={k: [(int(a), int(b)) for a, b in v] for k, v in data.get("others", {}).items()},
    )


def save_state(session: Session, state: BlockState) -> None:
    data = {"own": [asdict(b) for b in state.own], "others": {k: [list(r) for r in v] for k, v in state.others.items()}}
    set_meta_value(session, BLOCKS_KEY, json.dumps(data, sort_keys=True))


def device_code(device_id: str) -> str:
    """Four characters from the device's id, a letter first: the part of offline tags no other device makes.

    Four, not more, so that an offline tag still fits a 2 x 1 in label's Code 128. There are about 600,000 codes:
    ten devices of one MSP share one with odds of 1 in 13,000, and a shared code still collides only where both
    devices print the same numbers for the same client (the server's duplicate-tag check then shows it).
    """
    digest = hashlib.sha256(device_id.encode()).digest()
    return CODE_FIRST[digest[0] % len(CODE_FIRST)] + "".join(CODE_REST[b % len(CODE_REST)] for b in digest[1:4])


def predicted_run(ws: Workspace, client_id: str, count: int, *, online: bool) -> list[str]:
    """The tags a run of `count` would get now, numbered by the server or from the device's own range: for a
    preview, and to check that they fit a label before anything is reserved."""
    with ws.session() as s:
        client = _client(s, client_id)
        prefix, digits = client.tag_prefix.upper(), max(client.tag_digits, 1)
        if online:
            floor = local_highest(s, client)
            return Block(client_id, prefix, digits, floor + 1, floor + count).tags()
        code = device_code(ws.device_id)
        done = [b.last for b in load_state(s).own if b.client_id == client_id and b.code == code]
        first = max(done, default=0) + 1
        return Block(client_id, prefix, digits, first, first + count - 1, code=code).tags()


def possible_tags(ws: Workspace, client_id: str, count: int) -> list[str]:
    """The last tag of a run of `count` either way it is numbered: the longest tags the labels must hold."""
    return [predicted_run(ws, client_id, count, online=online)[-1] for online in (True, False)]


def _client(session: Session, client_id: str) -> Client:
    client = session.get(Client, client_id)
    if client is None or client.deleted_at is not None:
        raise NotFoundError("That client no longer exists.")
    return client


def local_highest(session: Session, client: Client) -> int:
    """The highest PREFIX + digits number among the client's tags here and every block this device knows of."""
    prefix, digits = client.tag_prefix.upper(), max(client.tag_digits, 1)
    pattern = prefix.replace("[", "[[]").replace("*", "[*]").replace("?", "[?]") + "[0-9]" * digits
    last = session.scalar(
        select(func.max(Asset.asset_tag)).where(Asset.client_id == client.id, Asset.asset_tag.op("GLOB")(pattern))
    )
    highest = int(last[len(prefix) :]) if last else 0
    state = load_state(session)
    ends = [b.kept_last for b in state.own if b.client_id == client.id and not b.code]
    ends += [last for _first, last in state.others.get(client.id, [])]
    return max([highest, *ends])


def _used(session: Session, client_id: str, tags: list[str]) -> set[str]:
    """Which of `tags` an asset of the client carries (deleted ones too: a tag is never given twice)."""
    return set(session.scalars(select(Asset.asset_tag).where(Asset.client_id == client_id, Asset.asset_tag.in_(tags))))


def next_block_tag(session: Session, client_id: str) -> str | None:
    """The first tag of this device's kept blocks of the client that no asset carries yet, or None."""
    for block in load_state(session).own:
        if block.client_id != client_id or block.kept_last < block.first:
            continue
        tags = block.tags()
        used = _used(session, client_id, tags)
        for tag in tags:
            if tag not in used:
                return tag
    return None


def past_reserved(session: Session, client_id: str, number: int) -> int:
    """`number`, or the first number above the reserved block it falls in (blocks of any device)."""
    state = load_state(session)
    ranges = [(b.first, b.kept_last) for b in state.own if b.client_id == client_id and not b.code]
    ranges += state.others.get(client_id, [])
    moved = True
    while moved:
        moved = False
        for first, last in ranges:
            if first <= number <= last:
                number, moved = last + 1, True
    return number


def _post(transport: Transport, path: str, body: BaseModel, answer: type[Any]) -> Any:
    response = transport.request("POST", path, data=body.model_dump_json(), as_json=True)
    if response.status_code == 404:
        raise SyncError("The server does not know this client yet; sync first.")
    if response.status_code != 200:
        raise SyncError(f"The server refused the tag block ({response.status_code}).")
    try:
        return answer.model_validate_json(response.content)
    except ValidationError:
        raise SyncError("The server's answer about tag blocks was not understood.") from None


def reserve_run(ws: Workspace, client_id: str, count: int, transport: Transport | None = None) -> Run:
    """Reserve `count` tags for labels printed ahead of a visit: from the server when it answers, else from the
    device's own range. The tags are this device's until used or returned."""
    if not 1 <= count <= MAX_BLOCK:
        raise CloseoutError(f"A run holds 1 to {MAX_BLOCK} tags.")
    with ws.session() as s:
        client = _client(s, client_id)
        prefix, digits, floor = client.tag_prefix.upper(), max(client.tag_digits, 1), local_highest(s, client)
    info: BlockInfo | None = None
    note = ""
    if transport is not None:
        try:
            request = ReserveRequest(client_id=client_id, device_id=ws.device_id, count=count, floor=floor)
            info = _post(transport, "/api/tag-blocks", request, BlockInfo)
        except SyncError as exc:
            note = f"Offline ({exc.message}): the tags carry this device's code instead."
    else:
        note = "Not signed in to a server: the tags carry this device's code."
    with ws.transaction() as s:
        state = load_state(s)
        if info is not None:
            block = Block(client_id, prefix, digits, info.first, info.last, server_id=info.id)
        else:
            code = device_code(ws.device_id)
            done = [b.last for b in state.own if b.client_id == client_id and b.code == code]
            start = max(done, default=0) + 1
            block = Block(client_id, prefix, digits, start, start + count - 1, code=code)  # as predicted_run
        state.own.append(block)
        save_state(s, state)
    return Run(block.tags(), online=info is not None, note=note)


def return_unused(session: Session, client_id: str) -> int:
    """Give back the tags of this device's blocks above the highest one used (the labels were thrown away);
    the server hears of it at the next sync. Returns how many tags were given back."""
    state = load_state(session)
    given = 0
    for block in state.own:
        if block.client_id != client_id or block.kept_last < block.first:
            continue
        tags = block.tags()
        used = _used(session, client_id, tags)
        highest = max((block.first + i for i, tag in enumerate(tags) if tag in used), default=block.first - 1)
        given += block.kept_last - highest
        block.returned_from, block.return_sent = highest + 1, block.code != ""
    save_state(session, state)
    return given


def settle(ws: Workspace, transport: Transport) -> None:
    """At each sync: send the returns not yet sent, and learn which numbers other devices keep reserved."""
    with ws.session() as s:
        state = load_state(s)
        client_ids = list(s.scalars(select(Client.id).where(Client.deleted_at.is_(None))))
    learned: dict[str, list[tuple[int, int]]] = {}
    sent: set[int] = set()
    for client_id in client_ids:
        own = [b for b in state.own if b.client_id == client_id and b.server_id is not None]
        returns = [BlockReturn(block_id=b.server_id, unused_from=b.returned_from)
                   for b in own if b.returned_from is not None and not b.return_sent]  # fmt: skip
        body = SettleRequest(client_id=client_id, device_id=ws.device_id, returns=returns)
        try:
            answer: SettleResponse = _post(transport, "/api/tag-blocks/settle", body, SettleResponse)
        except SyncError as exc:
            log.info("tag blocks of client %s not settled: %s", client_id, exc.message)
            continue
        mine = {b.server_id for b in own}
        learned[client_id] = [(b.first, b.last) for b in answer.blocks if b.id not in mine]
        sent.update(r.block_id for r in returns)
    with ws.transaction() as s:
        state = load_state(s)  # read again: a run may have been reserved meanwhile
        state.others.update(learned)
        for block in state.own:
            if block.server_id in sent:
                block.return_sent = True
        save_state(s, state)


def reserve_run_now(ws: Workspace, client_id: str, count: int) -> Run:
    """`reserve_run` through the workspace's signed-in server when there is one (the device's range otherwise)."""
    from app.sync import engine  # the sync client is loaded only when a run is reserved

    try:
        transport: Transport | None = engine.connect(ws).transport
    except SyncError:
        transport = None
    try:
        return reserve_run(ws, client_id, count, transport)
    finally:
        if transport is not None:
            transport.close()
