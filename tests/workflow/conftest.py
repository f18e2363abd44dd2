"""Fixtures for the closeout workflow: a small project ready to close, signature images, hostile text."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from app.assets import create_asset
from app.catalog import ensure_default_categories
from app.db import Workspace
from app.projects import create_client, create_contact, create_project, create_site

ACTOR = "tester"
HOSTILE = (
    "<b>bold</b> & <i>x</i> </para> <font size=40>big</font> "
    "Supercalifragilisticexpialidocious" * 4 + " 😀🚀 مرحبا بالعالم 你好, 世界 Zoë Ångström"
)
HOSTILE_NAME = "Zoë <b>&amp;</b> مرحبا 李小龙"


def png_signature(width: int = 300, height: int = 90) -> bytes:
    """A small PNG of a scribble, like the signature pad makes."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    points = [(10 + i * 14, 45 + (18 if i % 2 else -18)) for i in range(20)]
    draw.line(points, fill=(10, 20, 90, 255), width=3)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def build_small_project(ws: Workspace, *, client_name: str = "Acme Ltd", assets: int = 3) -> str:
    """A client with one site, a contact and a few complete assets; returns the project id."""
    with ws.transaction() as s:
        ensure_default_categories(s, actor=ACTOR)
        client = create_client(s, code="ACME", name=client_name, tag_prefix="AC-", tag_digits=4, actor=ACTOR)
        create_contact(
            s, client_id=client.id, name="Dana Øster", title="IT lead", role="escalation", escalation_order=1,
            phone="+1 555 0100", email="dana@acme.example", actor=ACTOR,
        )  # fmt: skip
        site = create_site(s, client_id=client.id, name="Head office", code="HQ", actor=ACTOR)
        project = create_project(
            s,
            client_id=client.id,
            code="ACME-ONB",
            name="Acme activation",
            target_go_live=date.today() + timedelta(days=3),
            services_in_scope=["Service desk", "Backup"],
            actor=ACTOR,
        )
        for i in range(assets):
            create_asset(
                s,
                project_id=project.id,
                values={
                    "asset_tag": f"AC-{i + 1:04d}",
                    "category": "other",
                    "manufacturer": "Dell",
                    "model": f"Model {i}",
                    "serial": f"SN{i:06d}",
                    "site": site.id,
                    "critical": i == 0,
                },
                actor=ACTOR,
                allow_incomplete=True,
            )
        return project.id


@pytest.fixture
def small_project(workspace: Workspace) -> Iterator[tuple[Workspace, str]]:
    yield workspace, build_small_project(workspace)


@pytest.fixture
def signature_png() -> bytes:
    return png_signature()
