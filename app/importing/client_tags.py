"""What becomes of the tags in a client's list: kept as the asset tags, or kept as the previous tag while each
asset gets a new tag from the client's prefix, in file order or when its label is stuck on site."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from app.assets import SaveResult, get_asset, label_pending, suggest_next_tag, update_asset
from app.errors import ValidationError
from app.importing.cells import cell_text
from app.validation import normalise_tag
from models import Client


class ClientTags(StrEnum):
    #: The client's own tags are the asset tags, whatever their scheme.
    KEEP = "keep"
    #: The client's tags become the previous tag (searchable, scannable); Closeout gives new tags.
    PREVIOUS = "previous"
    #: The client's tags become the previous tag, and stand in as the asset tag until a Closeout label is stuck
    #: on site: the asset is listed as awaiting its label (`app.assets.LABEL_PENDING`) until it is given a tag.
    LATER = "later"

    @property
    def as_previous(self) -> bool:
        """Whether the client's tags are kept as previous tags (found by them on a re-import)."""
        return self != ClientTags.KEEP

    @property
    def any_scheme(self) -> bool:
        """Whether asset tags outside the client's prefix are accepted."""
        return self != ClientTags.PREVIOUS

    @property
    def label(self) -> str:
        return {
            "keep": "Keep the client's tags as the asset tags",
            "previous": "Keep them as the previous tag; give new tags from the client's prefix",
            "later": "Keep them as the previous tag; give the Closeout tag when the label is stuck on site",
        }[self.value]


class TagSequence:
    """New tags for a client in file order: PREFIX + digits after the highest in use, skipping taken ones."""

    def __init__(self, session: Session, client: Client, taken: Collection[str]) -> None:
        self.session, self.client, self.taken = session, client, taken
        self._next: int | None = None

    def next(self, also_taken: Collection[str] = ()) -> str:
        prefix, digits = self.client.tag_prefix.upper(), max(self.client.tag_digits, 1)
        if self._next is None:
            first = suggest_next_tag(self.session, self.client.id)
            self._next = int(re.sub(r"\D", "", first[len(prefix) :]) or 1)
        while True:
            tag = f"{prefix}{self._next:0{digits}d}"
            self._next += 1
            if tag not in self.taken and tag not in also_taken:
                return tag


def suggest_client_tags(client: Client, tags: Iterable[str]) -> ClientTags | None:
    """PREVIOUS when some of the file's tags do not follow the client's prefix (they come from the client's own
    system), else None: the tags are Closeout's and are used as they are."""
    prefix = client.tag_prefix.upper()
    found = [normalise_tag(t) for t in tags if t and normalise_tag(t)]
    if not found or not prefix:
        return None
    return ClientTags.PREVIOUS if any(not t.startswith(prefix) for t in found) else None


def suggest_for_file(
    client: Client, headers: Sequence[str], rows: Iterable[tuple[int, Sequence[Any]]], mapping: Mapping[str, str]
) -> ClientTags | None:
    """The tag choice to propose for a file: None for Closeout's own workbook or a list without tags."""
    column = next((h for h, k in mapping.items() if k == "asset_tag"), None)
    if column is None or "id" in mapping.values() or column not in headers:
        return None
    at = headers.index(column)
    return suggest_client_tags(client, (cell_text(cells[at]) for _n, cells in rows if at < len(cells)))


def give_label_tag(session: Session, asset_id: str, *, actor: str, tag: str = "") -> SaveResult:
    """Give an asset imported with its tag "given on site" its Closeout tag, as its label is stuck: `tag` as
    scanned from the label, else the client's next tag (the next of a pre-printed run first). The client's old
    tag stays the previous tag, so the old label still finds it; the "awaiting its label" flag goes."""
    asset = get_asset(session, asset_id)
    if not label_pending(asset.asset_tag, asset.previous_tag):
        raise ValidationError({"asset_tag": f"{asset.asset_tag} already has its Closeout tag."})
    return update_asset(
        session, asset_id, {"asset_tag": tag or suggest_next_tag(session, asset.client_id)}, actor=actor,
        allow_incomplete=True,
    )  # fmt: skip
