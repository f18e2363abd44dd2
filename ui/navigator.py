"""The navigator: client → project → site → location, each with its number of live assets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from app.db import Workspace
from app.projects import asset_counts, list_clients, list_locations, list_projects, list_sites
from models import Location, Site

NODE_ROLE = Qt.ItemDataRole.UserRole + 1
Counts = dict[tuple[str | None, str | None], int]


@dataclass(frozen=True)
class Node:
    """What a navigator row stands for; a location node also knows its site, every node its project."""

    kind: str  # "client" | "project" | "site" | "location"
    id: str
    client_id: str
    project_id: str | None = None
    site_id: str | None = None
    location_id: str | None = None
    name: str = ""


@dataclass
class _ProjectItems:
    """The items of one project's subtree, so counts can be written into them when they arrive."""

    project: QStandardItem
    sites: dict[str, QStandardItem] = field(default_factory=dict)
    locations: dict[str, tuple[QStandardItem, Location]] = field(default_factory=dict)
    children: dict[str | None, list[Location]] = field(default_factory=dict)


def _label(text: str, count: int | None) -> str:
    return f"{text}  ({count:,})" if count is not None else text


class NavigatorModel(QStandardItemModel):
    """The tree comes from the services at once; the counts (a scan of every asset) may arrive later."""

    def __init__(self, workspace: Workspace, parent: Any = None, icons: dict[str, Any] | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.icons = icons or {}
        self._projects: dict[str, _ProjectItems] = {}
        self._generation = 0
        #: How counts are fetched: inline by default; the window hands them to its runner.
        self.counter: Callable[[str, Callable[[Counts], None]], None] = self._count_inline
        self.setHorizontalHeaderLabels(["Navigator"])

    def _count_inline(self, project_id: str, done: Callable[[Counts], None]) -> None:
        with self.workspace.session() as session:
            done(asset_counts(session, project_id))

    def _item(self, node: Node, text: str, icon_name: str = "") -> QStandardItem:
        item = QStandardItem(text)
        item.setEditable(False)
        item.setData(node, NODE_ROLE)
        item.setData(text, Qt.ItemDataRole.AccessibleTextRole)
        item.setToolTip(f"{text} · {node.name}" if node.kind == "project" else node.name or text)
        icon = self.icons.get(icon_name or node.kind)
        if icon is not None:
            item.setIcon(icon)
        return item

    def reload(self) -> None:
        self.clear()
        self.setHorizontalHeaderLabels(["Navigator"])
        self._projects = {}
        self._generation += 1
        clients: list[QStandardItem] = []
        with self.workspace.session() as session:
            for client in list_clients(session):
                client_item = self._item(Node("client", client.id, client.id, name=client.name), client.name)
                sites = list_sites(session, client.id)
                site_locations = {site.id: list_locations(session, site.id) for site in sites}
                for project in list_projects(session, client.id):
                    node = Node("project", project.id, client.id, project.id, name=project.name)
                    items = _ProjectItems(self._item(node, project.code))
                    for site in sites:
                        self._add_site(items, project.id, client.id, site, site_locations[site.id])
                    client_item.appendRow(items.project)
                    self._projects[project.id] = items
                clients.append(client_item)
        for client_item in clients:
            self.appendRow(client_item)
        self.refresh_counts()

    def _add_site(
        self, items: _ProjectItems, project_id: str, client_id: str, site: Site, locs: list[Location]
    ) -> None:
        site_item = self._item(Node("site", site.id, client_id, project_id, site.id, name=site.name), site.name)
        items.sites[site.id] = site_item
        for location in locs:  # top-level locations hang under their site's id
            items.children.setdefault(location.parent_id or site.id, []).append(location)

        def add(parent_item: QStandardItem, parent_id: str) -> None:
            for location in sorted(items.children.get(parent_id, []), key=lambda loc: (loc.position, loc.name)):
                node = Node("location", location.id, client_id, project_id, site.id, location.id, name=location.path)
                item = self._item(node, location.name, "rack" if location.kind == "rack" else "")
                items.locations[location.id] = (item, location)
                parent_item.appendRow(item)
                add(item, location.id)

        add(site_item, site.id)
        items.project.appendRow(site_item)

    # -- counts ------------------------------------------------------------------------------------------------
    def refresh_counts(self) -> None:
        """Ask for every project's counts again (after a save, an import or a sync)."""
        generation = self._generation
        for project_id in list(self._projects):
            self.counter(project_id, partial(self._apply_counts, generation, project_id))

    def _apply_counts(self, generation: int, project_id: str, counts: Counts) -> None:
        items = self._projects.get(project_id)
        if items is None or generation != self._generation:
            return
        direct: dict[str, int] = {}
        per_site: dict[str, int] = {}
        for (site_id, location_id), n in counts.items():
            if site_id:
                per_site[site_id] = per_site.get(site_id, 0) + n
            if location_id:
                direct[location_id] = direct.get(location_id, 0) + n

        def subtree(location: Location) -> int:
            return direct.get(location.id, 0) + sum(subtree(c) for c in items.children.get(location.id, []))

        self._set_count(items.project, self._project_code(items), sum(counts.values()))
        for site_id, site_item in items.sites.items():
            self._set_count(site_item, site_item.data(NODE_ROLE).name, per_site.get(site_id, 0))
        for item, location in items.locations.values():
            self._set_count(item, location.name, subtree(location))

    @staticmethod
    def _project_code(items: _ProjectItems) -> str:
        return items.project.text().split("  (", 1)[0]

    @staticmethod
    def _set_count(item: QStandardItem, text: str, count: int) -> None:
        label = _label(text, count)
        if item.text() != label:
            item.setText(label)
            item.setData(f"{text}, {count} asset{'s' if count != 1 else ''}", Qt.ItemDataRole.AccessibleTextRole)

    # -- lookups -----------------------------------------------------------------------------------------------
    def node(self, index: QModelIndex) -> Node | None:
        value = index.data(NODE_ROLE) if index.isValid() else None
        return value if isinstance(value, Node) else None

    def find(self, kind: str, node_id: str, project_id: str | None = None) -> QModelIndex:
        """The index of the node of this kind and id (under this project: sites show under each project)."""
        stack = [self.invisibleRootItem()]
        while stack:
            item = stack.pop(0)
            for row in range(item.rowCount()):
                child = item.child(row)
                data = child.data(NODE_ROLE)
                if (
                    isinstance(data, Node)
                    and data.kind == kind
                    and data.id == node_id
                    and (project_id is None or data.project_id in (None, project_id))
                ):
                    return child.index()
                stack.append(child)
        return QModelIndex()
