"""Randomized runs: three devices create, edit, delete and sync offline in any order; all converge, nothing is lost."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.assets import create_asset, delete_asset, update_asset
from app.db import open_workspace
from app.errors import CloseoutError
from app.journal import snapshot
from app.sync import engine as sync_engine
from models import ActivationProject, Asset, Client, Conflict
from models.wire import canonical_json
from server.models import Record
from tests.server.server_harness import LiveServer
from tests.sync.sync_kit import Device, seed_tenant, tag_asset

FIELDS = ("hostname", "model")
COMPARED = (Client, ActivationProject, Asset, Conflict)
_examples = itertools.count()

operation = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 2), st.integers(1, 6)),
    st.tuples(st.just("edit"), st.integers(0, 2), st.integers(0, 3), st.sampled_from(FIELDS)),
    st.tuples(st.just("edit"), st.integers(0, 2), st.integers(0, 3), st.sampled_from(FIELDS)),
    st.tuples(st.just("delete"), st.integers(0, 2), st.integers(0, 3)),
    st.tuples(st.just("sync"), st.integers(0, 2)),
)


@dataclass
class Written:
    device: int
    asset_id: str
    field: str
    value: str
    step: int
    pushed_at: int | None = None


@dataclass
class History:
    edits: list[Written] = field(default_factory=list)
    syncs: dict[int, list[int]] = field(default_factory=dict)

    def synced(self, device: int, step: int) -> None:
        for edit in self.edits:
            if edit.device == device and edit.pushed_at is None:
                edit.pushed_at = step
        self.syncs.setdefault(device, []).append(step)


def _live_ids(device: Device) -> list[str]:
    with device.ws.session() as s:
        return sorted(s.scalars(select(Asset.id).where(Asset.deleted_at.is_(None))))


def _run(device: Device, op: tuple[Any, ...], project_id: str, history: History, step: int, tag_prefix: str) -> None:
    kind, index = op[0], op[1]
    try:
        with device.ws.transaction() as s:
            if kind == "create":
                create_asset(
                    s, project_id=project_id, values={"asset_tag": f"{tag_prefix}{op[2]:04d}"}, actor=device.actor
                )
            elif kind in ("edit", "delete"):
                ids = _live_ids(device)
                if not ids:
                    return
                asset_id = ids[op[2] % len(ids)]
                if kind == "delete":
                    delete_asset(s, asset_id, actor=device.actor)
                else:
                    value = f"d{index}-s{step}"
                    update_asset(s, asset_id, {op[3]: value}, actor=device.actor)
                    history.edits.append(Written(index, asset_id, op[3], value, step))
    except CloseoutError:
        return  # refused locally (a tag already used on this device, say): nothing was written
    if kind == "sync":
        device.sync()
        history.synced(index, step)


def _state_of(device: Device) -> dict[str, tuple[str | None, bool]]:
    state: dict[str, tuple[str | None, bool]] = {}
    with device.ws.session() as s:
        for model in COMPARED:
            for obj in s.scalars(select(model)):
                state[obj.id] = (canonical_json(snapshot(obj)), obj.deleted_at is not None)
    return state


def _server_state(server: LiveServer, ids: set[str]) -> dict[str, tuple[str | None, bool]]:
    with server.engine.connect() as con:
        rows = con.execute(select(Record.id, Record.data, Record.deleted_at).where(Record.id.in_(sorted(ids)))).all()
    return {row.id: (canonical_json(row.data), row.deleted_at is not None) for row in rows}


def _check_nothing_lost(device: Device, history: History) -> None:
    with device.ws.session() as s:
        assets = {a.id: a for a in s.scalars(select(Asset))}
        losing = {(c.entity_id, c.field, c.losing_value) for c in s.scalars(select(Conflict))}
    finals: dict[tuple[int, str, str], Written] = {}
    for edit in history.edits:
        finals[(edit.device, edit.asset_id, edit.field)] = edit
    for edit in finals.values():
        if getattr(assets[edit.asset_id], edit.field) == edit.value:
            continue
        if (edit.asset_id, edit.field, canonical_json(edit.value)) in losing:
            continue
        assert edit.pushed_at is not None
        seen_by_later_writer = any(
            other.device != edit.device
            and other.asset_id == edit.asset_id
            and other.field == edit.field
            and max((t for t in history.syncs.get(other.device, []) if t < other.step), default=-1) > edit.pushed_at
            for other in history.edits
        )
        assert seen_by_later_writer, (
            f"{edit} was lost without a conflict; now {getattr(assets[edit.asset_id], edit.field)!r} "
            f"deleted={assets[edit.asset_id].deleted_at} conflicts={sorted(c for c in losing if c[0] == edit.asset_id)}"
        )


def _conflicts(device: Device) -> list[Conflict]:
    with device.ws.session() as s:
        return list(s.scalars(select(Conflict)))


def _converge(devices: list[Device], history: History, step: int) -> None:
    for round_ in range(2):
        for index, device in enumerate(devices):
            device.sync()
            history.synced(index, step + round_ * 10 + index)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=4, max_size=22))
def test_random_offline_work_on_three_devices_converges_and_keeps_every_losing_value(
    live_server: LiveServer, tmp_path: Path, ops: list[tuple[Any, ...]]
) -> None:
    example = next(_examples)
    user = f"tech{example}"
    live_server.add_user(user, "coordinator")
    devices: list[Device] = []
    try:
        for index in range(3):
            ws = open_workspace(tmp_path / f"example{example}" / f"device{index}")
            sync_engine.login(ws, live_server.url, user, "password-123")
            devices.append(Device(f"d{index}", user, ws, sync_engine.connect(ws)))
        tenant = seed_tenant(devices[0], f"T{example}")
        for number in range(1, 4):
            tag_asset(devices[0], tenant.project_id, f"T{example}-{number:04d}")
        history = History()
        _converge(devices, history, 0)
        for step, op in enumerate(ops, start=100):
            _run(devices[op[1]], op, tenant.project_id, history, step, f"T{example}-")
        _converge(devices, history, 10_000)
        states = [_state_of(device) for device in devices]
        assert states[0] == states[1] == states[2]
        assert _server_state(live_server, set(states[0])) == states[0]
        _check_nothing_lost(devices[0], history)
        kinds = sorted({str(c.kind) for c in _conflicts(devices[0])})
        event(f"conflict kinds: {', '.join(kinds) or 'none'}")
    finally:
        for device in devices:
            device.close()
