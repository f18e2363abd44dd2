"""The editor's unsaved fields, kept in a small file beside the workspace so a crash loses at most one field."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)
DRAFT_FILE = "editor-draft.json"


@dataclass(frozen=True)
class Draft:
    project_id: str
    asset_id: str | None
    tag: str
    values: dict[str, str] = field(default_factory=dict)


class DraftStore:
    """One draft at a time: written on each pause in typing, removed when the edit is saved or thrown away."""

    def __init__(self, home: Path) -> None:
        self.path = home / DRAFT_FILE

    def save(self, draft: Draft) -> None:
        tmp = self.path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(asdict(draft), ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:  # a full disk must not stop the technician from typing
            log.warning("could not keep the editor draft: %s", exc)

    def load(self) -> Draft | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return Draft(
                project_id=str(data["project_id"]),
                asset_id=data.get("asset_id") or None,
                tag=str(data.get("tag", "")),
                values={str(k): str(v) for k, v in dict(data.get("values", {})).items()},
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring an unreadable editor draft: %s", exc)
            self.clear()
            return None

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
