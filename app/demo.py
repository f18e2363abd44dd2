"""A realistic demo workspace: one dental group, two clinics, about 300 assets and a planned go-live."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assets import create_asset
from app.catalog import ensure_default_categories
from app.journal import record_create
from app.projects import create_client, create_contact, create_location, create_project, create_site
from models import (
    ActionItem,
    ActionStatus,
    ActivationCall,
    ActivationProject,
    AssetStatus,
    Client,
    KnowledgeTransferSession,
    Location,
    LocationKind,
)

ACTOR = "demo"
KT_TOPICS = [
    ("overview", "Client overview"),
    ("scope", "Scope of managed systems"),
    ("critical", "Critical assets"),
    ("policies", "Client policies and procedures"),
    ("escalation", "Escalation contacts"),
    ("maintenance", "Maintenance windows"),
]
SERVICES = ["Service desk", "Endpoint management", "Patch management", "Backup & DR", "Network monitoring"]
PEOPLE = [
    "Dr. Amélie Laurent", "Sofia Martínez", "James O'Connor", "Priya Natarajan", "Chen Wei", "Ana Souza",
    "Mark Jensen", "Fatima Al-Sayed", "Luca Rossi", "Hannah Becker", "Kenji Watanabe", "Olivia Brown",
    "Noah Williams", "Emma Dubois", "Liam Murphy", "Zoë Novak", "Mateo García", "Ingrid Holm",
]  # fmt: skip
DEPARTMENTS = ["Front desk", "Hygiene", "Surgery", "Imaging", "Billing", "Administration", "Lab"]

MODELS: dict[str, list[tuple[str, str, str]]] = {
    "server": [("Dell", "PowerEdge R750", "Windows Server 2022"), ("HPE", "ProLiant DL380 Gen10", "VMware ESXi 8")],
    "virtual_machine": [
        ("VMware", "Virtual machine", "Windows Server 2022"),
        ("VMware", "Virtual machine", "Ubuntu 22.04"),
    ],
    "workstation": [("Dell", "OptiPlex 7010", "Windows 11 Pro"), ("HP", "EliteDesk 800 G9", "Windows 11 Pro")],
    "laptop": [("Lenovo", "ThinkPad T14 Gen 4", "Windows 11 Pro"), ("Dell", "Latitude 5440", "Windows 11 Pro")],
    "switch": [("Cisco", "Catalyst 9200L-48P", "IOS XE 17.9"), ("Aruba", "CX 6100 24G", "ArubaOS-CX 10.12")],
    "firewall": [("Fortinet", "FortiGate 60F", "FortiOS 7.4"), ("Palo Alto", "PA-440", "PAN-OS 11.0")],
    "access_point": [("Ubiquiti", "U6 Pro", ""), ("Aruba", "AP-515", "")],
    "storage": [("Synology", "RS1221+", "DSM 7.2")],
    "ups": [("APC", "Smart-UPS 1500 RM", ""), ("Eaton", "5PX 2200", "")],
    "printer": [("HP", "LaserJet Pro M404dn", ""), ("Brother", "MFC-L8900CDW", ""), ("Zebra", "ZD421", "")],
    "phone": [("Yealink", "T54W", ""), ("Poly", "VVX 450", "")],
    "mobile": [("Apple", "iPad 10th gen", "iPadOS 17"), ("Samsung", "Galaxy Tab A8", "Android 14")],
    "monitor": [("Dell", "P2422H", ""), ("LG", "27UK850", "")],
    "other": [("Planmeca", "ProMax 3D sensor PC", "Windows 10 IoT"), ("Logitech", "Rally Bar", "")],
}
#: How many of each category the demo tags: roughly a two-clinic dental group.
COUNTS = {
    "server": 4, "virtual_machine": 10, "workstation": 70, "laptop": 30, "switch": 8, "firewall": 2,
    "access_point": 14, "storage": 2, "ups": 6, "printer": 16, "phone": 60, "mobile": 12, "monitor": 56,
    "other": 10,
}  # fmt: skip


def _custom(code: str, rng: random.Random, n: int) -> dict[str, Any]:
    table: dict[str, dict[str, Any]] = {
        "server": {
            "role": rng.choice(["Domain controller", "File server", "Imaging (PACS) server", "Hypervisor host"]),
            "form_factor": "Rack",
            "rack_units": 2,
            "cpu": "2 x Xeon Silver 4314",
            "ram_gb": rng.choice([128, 256]),
            "raid_level": "RAID 10",
            "oob_ip": f"10.10.99.{10 + n}",
            "backed_up": True,
        },
        "virtual_machine": {
            "role": rng.choice(["Practice management DB", "Print server", "RDS host", "Veeam proxy"]),
            "vcpus": rng.choice([2, 4, 8]),
            "ram_gb": rng.choice([8, 16, 32]),
            "backed_up": True,
        },
        "workstation": {"cpu": "Core i5-13500", "ram_gb": 16, "disk_encrypted": True, "av_installed": True},
        "laptop": {"cpu": "Core i7-1365U", "ram_gb": 16, "disk_encrypted": True, "av_installed": True},
        "switch": {"ports": 48, "poe": True, "firmware": "17.9.4a", "mgmt_vlan": 99, "uplinks": "Te1/1/1-2"},
        "firewall": {"firmware": "7.4.3", "wan_ip": f"203.0.113.{10 + n}", "ha_pair": n < 2},
        "access_point": {"controller": "UniFi Network 8", "ssids": "NWD-Staff, NWD-Guest", "mount": "Ceiling"},
        "storage": {"raw_tb": 48, "raid_level": "SHR", "rack_units": 2},
        "ups": {"capacity_va": 1500, "runtime_min": 18, "network_card": True},
        "printer": {"printer_type": rng.choice(["Laser", "Multifunction", "Label"]), "colour": rng.random() < 0.4},
        "phone": {"extension": str(2000 + n), "phone_system": "3CX"},
        "mobile": {"imei": f"35{rng.randrange(10**12, 10**13)}", "mdm_enrolled": True},
        "monitor": {"size_in": rng.choice([24, 27])},
    }
    values = dict(table.get(code, {}))
    # A few records are left incomplete on purpose, as real walk-throughs are.
    if values and rng.random() < 0.04:
        values.pop(next(iter(values)))
    return values


def seed_demo(session: Session, *, assets: int = 300, seed: int = 7) -> ActivationProject:
    """Create the demo client and project with `assets` assets; refuses to run twice."""
    if session.scalar(select(Client).where(Client.code == "NWD")):
        raise ValueError("The demo client already exists in this workspace.")
    rng = random.Random(seed)
    ensure_default_categories(session, actor=ACTOR)
    client = create_client(
        session,
        code="NWD",
        name="Northwind Dental Group",
        tag_prefix="NWD-",
        tag_digits=5,
        actor=ACTOR,
        address="1200 NW Everett St, Portland, OR 97209",
        industry="Healthcare (dental)",
    )
    project = create_project(
        session,
        client_id=client.id,
        code="NWD-ONB",
        name="Northwind managed services activation",
        target_go_live=date.today() + timedelta(days=21),
        services_in_scope=SERVICES,
        technicians=["alex.tech", "sam.field"],
        description="Onboarding of both clinics onto managed service desk, endpoints, backup and monitoring.",
        actor=ACTOR,
    )
    for order, (name, title, role, email) in enumerate(
        [
            ("Dr. Amélie Laurent", "Managing partner", "primary", "amelie.laurent@northwind-dental.example"),
            ("Sofia Martínez", "Practice manager", "technical", "sofia.martinez@northwind-dental.example"),
            ("James O'Connor", "Operations director", "escalation", "james.oconnor@northwind-dental.example"),
            ("Priya Natarajan", "Finance lead", "billing", "priya.natarajan@northwind-dental.example"),
        ],
        start=1,
    ):
        create_contact(
            session,
            client_id=client.id,
            name=name,
            title=title,
            role=role,
            email=email,
            phone=f"+1 503 555 01{order:02d}",
            escalation_order=order if role in ("technical", "escalation", "primary") else 0,
            actor=ACTOR,
        )

    rooms: list[Location] = []
    subnet: dict[str, int] = {}
    racks: list[Location] = []
    for site_name, code, address, floors in (
        ("Main Clinic", "PDX", "1200 NW Everett St, Portland", 2),
        ("Eastside Clinic", "EAST", "455 SE Hawthorne Blvd, Portland", 1),
    ):
        site = create_site(session, client_id=client.id, name=site_name, code=code, address=address, actor=ACTOR)
        subnet[site.id] = 10 * (len(subnet) + 1)
        building = create_location(session, site_id=site.id, kind=LocationKind.BUILDING, name="Building A", actor=ACTOR)
        for f in range(1, floors + 1):
            floor = create_location(
                session, site_id=site.id, kind=LocationKind.FLOOR, name=f"Floor {f}", parent_id=building.id, actor=ACTOR
            )
            names = ["Reception", "Operatory 1", "Operatory 2", "Imaging", "Back office"]
            if f == 1:
                names.insert(0, "Server room")
            for pos, room_name in enumerate(names):
                room = create_location(
                    session,
                    site_id=site.id,
                    kind=LocationKind.ROOM,
                    name=room_name,
                    parent_id=floor.id,
                    position=pos,
                    actor=ACTOR,
                )
                rooms.append(room)
                if room_name == "Server room":
                    for r in range(1, 3 if code == "PDX" else 2):
                        racks.append(
                            create_location(
                                session,
                                site_id=site.id,
                                kind=LocationKind.RACK,
                                name=f"Rack {r}",
                                parent_id=room.id,
                                position=r,
                                actor=ACTOR,
                            )
                        )

    rack_kinds = {"server", "switch", "firewall", "storage", "ups"}
    plan = [code for code, count in COUNTS.items() for _ in range(count)]
    while len(plan) < assets:
        plan.append(rng.choice(["workstation", "monitor", "phone", "laptop"]))
    plan = plan[:assets]
    rng.shuffle(plan)
    numbers: Counter[str] = Counter()
    for index, code in enumerate(plan, start=1):
        maker, model, os_name = rng.choice(MODELS[code])
        where = rng.choice(racks) if code in rack_kinds else rng.choice(rooms)
        person = rng.choice(PEOPLE) if code in ("workstation", "laptop", "mobile", "phone") else ""
        n = numbers[code]
        numbers[code] += 1
        hostname = ""
        if code in ("server", "virtual_machine", "workstation", "laptop", "switch", "firewall", "storage"):
            hostname = f"nwd-{code[:3]}-{n + 1:03d}".replace("_", "")
        status = rng.choices(list(AssetStatus), weights=[88, 6, 2, 2, 2])[0]
        values: dict[str, Any] = {
            "asset_tag": f"NWD-{index:05d}",
            "category": code,
            "manufacturer": maker,
            "model": model,
            "serial": f"{maker[:2].upper()}{rng.randrange(10**7, 10**8)}",
            "hostname": hostname,
            "ip_address": f"10.{subnet[where.site_id]}.{rng.randrange(1, 40)}.{rng.randrange(2, 250)}"
            if hostname
            else "",
            "mac_address": ":".join(f"{rng.randrange(256):02X}" for _ in range(6)) if code != "monitor" else "",
            "os": os_name,
            "location": where.id,
            "assigned_user": person,
            "department": rng.choice(DEPARTMENTS) if person else "",
            "status": status,
            "managed": code not in ("monitor", "other"),
            "critical": code in ("server", "firewall", "storage", "switch"),
            "purchase_date": date(2021, 1, 1) + timedelta(days=rng.randrange(0, 1200)),
            "warranty_end": date(2025, 1, 1) + timedelta(days=rng.randrange(0, 1400)),
            "notes": "Label faded; re-tagged on site." if rng.random() < 0.03 else "",
        }
        for key, value in _custom(code, rng, n).items():
            values[f"custom.{key}"] = value
        if rng.random() < 0.01 and index > 10:  # a realistic mistake: the same serial typed twice
            values["serial"] = f"DU{index // 2:07d}"
        create_asset(session, project_id=project.id, values=values, actor=rng.choice(["alex.tech", "sam.field"]),
                     allow_incomplete=True)  # fmt: skip

    now = datetime.now(UTC)
    kt = KnowledgeTransferSession(
        project_id=project.id,
        scheduled_at=now + timedelta(days=10),
        presenter="alex.tech",
        attendees=[{"name": "NOC shift lead", "role": "NOC", "acknowledged_at": None}],
        topics=[{"key": k, "title": t, "covered": False, "notes": ""} for k, t in KT_TOPICS],
        policies="Clinical systems may only be patched outside opening hours (Mon-Sat 07:00-19:00).\n"
        "Patient data (PHI) never leaves the practice network; remote sessions need the practice manager's OK.",
        maintenance_windows="Sundays 22:00-02:00 Pacific",
    )
    record_create(session, kt, ACTOR)
    call = ActivationCall(
        project_id=project.id,
        scheduled_at=now + timedelta(days=21),
        msp_attendees=["alex.tech", "Service delivery manager"],
        client_attendees=["Sofia Martínez", "James O'Connor"],
        services_live={s: False for s in SERVICES},
        entry_conditions={"service_desk_live": False, "all_services_activated": False, "asset_policy_documented": True},
    )
    record_create(session, call, ACTOR)
    for title, owner, days, item_status, issue in (
        ("Replace failing UPS battery in Eastside rack", "sam.field", 5, ActionStatus.OPEN, True),
        ("Enrol remaining iPads in MDM", "alex.tech", 9, ActionStatus.IN_PROGRESS, False),
        ("Document imaging-server backup exclusions", "alex.tech", 12, ActionStatus.OPEN, False),
        ("Confirm after-hours escalation number with client", "Service delivery manager", 3, ActionStatus.DONE, False),
    ):
        record_create(
            session,
            ActionItem(
                project_id=project.id,
                call_id=call.id,
                title=title,
                owner=owner,
                due_date=date.today() + timedelta(days=days),
                status=item_status,
                is_issue=issue,
            ),
            ACTOR,
        )
    return project
