"""Operating systems and the day their maker stops patching them: shipped data, overridden by the workspace's file.

The shipped table is `resources/lifecycle/os_support.json`; an `os_support.json` beside the workspace (same shape)
adds systems and replaces shipped ones by name, so a new end-of-support date needs no release.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.errors import CloseoutError

USER_FILE = "os_support.json"


@dataclass(frozen=True)
class OsSystem:
    name: str
    pattern: re.Pattern[str]
    #: None: still supported, no end announced.
    end_of_support: date | None


@dataclass(frozen=True)
class OsVerdict:
    """What the table says of one asset's OS text; `system` None when no entry matches (support unknown)."""

    system: str | None
    end_of_support: date | None
    out_of_support: bool | None


UNKNOWN = OsVerdict(None, None, None)


class OsSupportTable:
    """The first matching entry decides (entries from the workspace's file come before the shipped ones)."""

    def __init__(self, systems: list[OsSystem]) -> None:
        self.systems = systems
        self._cache: dict[str, OsSystem | None] = {}
        # A forecast asks once per asset, with a few dozen distinct OS texts: answer those from memory.
        self._verdicts: dict[tuple[str, date], OsVerdict] = {}

    def match(self, os_text: str) -> OsSystem | None:
        key = os_text.strip().lower()
        if key not in self._cache:
            self._cache[key] = next((s for s in self.systems if key and s.pattern.search(key)), None)
        return self._cache[key]

    def verdict(self, os_text: str, as_of: date) -> OsVerdict:
        key = (os_text, as_of)
        found = self._verdicts.get(key)
        if found is None:
            system = self.match(os_text)
            if system is None:
                found = UNKNOWN
            else:
                ended = system.end_of_support is not None and system.end_of_support <= as_of
                found = OsVerdict(system.name, system.end_of_support, ended)
            self._verdicts[key] = found
        return found


def _parse_systems(data: Any, source: str) -> list[OsSystem]:
    entries = data.get("systems") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise CloseoutError(f"{source} has no “systems” list of operating systems.")
    systems: list[OsSystem] = []
    for number, entry in enumerate(entries, start=1):
        where = f"{source}, system {number}"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise CloseoutError(f"{where} needs a “name”.")
        try:
            pattern = re.compile(str(entry.get("match") or re.escape(entry["name"])), re.IGNORECASE)
        except re.error as exc:
            raise CloseoutError(f"{where} (“{entry['name']}”): “match” is not a valid pattern: {exc}.") from None
        raw = entry.get("end_of_support")
        try:
            end = date.fromisoformat(raw) if raw else None
        except (TypeError, ValueError):
            raise CloseoutError(
                f"{where} (“{entry['name']}”): end_of_support “{raw}” is not a date like 2025-10-14."
            ) from None
        systems.append(OsSystem(entry["name"].strip(), pattern, end))
    return systems


def shipped_systems() -> list[OsSystem]:
    text = resources.files("resources").joinpath("lifecycle", USER_FILE).read_text(encoding="utf-8")
    return _parse_systems(json.loads(text), "The shipped OS support table")


def load_os_support(home: Path | None = None) -> OsSupportTable:
    """The shipped table, with the workspace folder's `os_support.json` (when there is one) taking precedence."""
    shipped = shipped_systems()
    if home is None or not (home / USER_FILE).is_file():
        return OsSupportTable(shipped)
    path = home / USER_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CloseoutError(f"Could not read {path}: {exc}.") from None
    except json.JSONDecodeError as exc:
        raise CloseoutError(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}.") from None
    own = _parse_systems(data, str(path))
    replaced = {s.name.lower() for s in own}
    return OsSupportTable(own + [s for s in shipped if s.name.lower() not in replaced])


def load_os_support_for(session: Session) -> OsSupportTable:
    """The table for the workspace this session reads (its folder's own file counts), for code handed a session."""
    bind = session.get_bind()
    database = getattr(getattr(bind, "url", None), "database", None)
    return load_os_support(Path(database).parent if database else None)
