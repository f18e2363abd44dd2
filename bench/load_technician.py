"""The locust user of bench/load.py: a technician's device that edits its own assets, syncs (push, pull, done)
and now and then uploads a photo, through one of the server instances. Loopback only; run by bench/load.py."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import uuid
from datetime import UTC, datetime
from typing import Any

from locust import HttpUser, between, task

#: bench/load.py writes the instances, the tokens and each device's assets here.
PLAN = json.loads(open(os.environ["CLOSEOUT_LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
_numbers = itertools.count()


class Technician(HttpUser):
    """One device of one technician; devices are spread over the instances as a load balancer would."""

    #: A technician acts every 3-7 s by default (--think): far more often than the app syncs on its own.
    wait_time = between(*PLAN["think"])
    host = PLAN["instances"][0]

    def on_start(self) -> None:
        number = next(_numbers)
        if not PLAN["instances"][number % len(PLAN["instances"])].startswith("http://127.0.0.1:"):
            raise SystemExit("the load test talks to 127.0.0.1 only")
        self.client.base_url = PLAN["instances"][number % len(PLAN["instances"])]
        self.token = PLAN["tokens"][number % len(PLAN["tokens"])]
        self.assets: list[str] = PLAN["assets"][number % len(PLAN["assets"])]
        self.device = str(uuid.uuid4())
        self.mutation = 0
        self.cursor = ""
        self.rng = random.Random(number)
        self.sync()  # the device's first sync: its initial pull

    def headers(self, run: str = "") -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if run:
            headers["X-Sync-Session"] = run
        return headers

    @task(6)
    def sync(self) -> None:
        run = f"load-{uuid.uuid4().hex[:16]}"
        edits = [self._edit() for _ in range(self.rng.randint(1, 5))] if self.mutation or self.cursor else []
        if edits:
            body = {"device_id": self.device, "mutations": edits}
            self.client.post("/api/sync/push", json=body, headers=self.headers(run), name="push")
        more = True
        while more:
            body = {"device_id": self.device, "cursor": self.cursor}
            with self.client.post("/api/sync/pull", json=body, headers=self.headers(run), name="pull",
                                  catch_response=True) as answer:  # fmt: skip
                if answer.status_code != 200:
                    answer.failure(f"pull answered {answer.status_code}")
                    return
                page = answer.json()
                self.cursor, more = page["cursor"], page["has_more"]
        self.client.post(f"/api/sync/done/{self.device}", headers=self.headers(run), name="done")

    def _edit(self) -> dict[str, Any]:
        self.mutation += 1
        return {
            "mutation_id": self.mutation, "prev_id": self.mutation - 1, "entity": "asset",
            "entity_id": self.rng.choice(self.assets), "op": "update", "base_version": 0,
            "at": datetime.now(UTC).isoformat(), "actor": "load", "fields": {"hostname": f"h-{self.mutation}"},
        }  # fmt: skip

    @task(1)
    def photo(self) -> None:
        content = self.rng.randbytes(self.rng.randint(20_000, 200_000))
        sha = hashlib.sha256(content).hexdigest()
        with self.client.head(f"/api/attachments/{sha}", headers=self.headers(), name="attachment HEAD",
                              catch_response=True) as answer:  # fmt: skip
            if answer.status_code == 404:
                answer.success()  # not there yet: the expected answer before an upload
        self.client.put(f"/api/attachments/{sha}", data=content, headers=self.headers(), name="attachment PUT")
