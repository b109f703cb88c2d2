#!/usr/bin/env python3
"""Write deploy/k8s/kafka/kafka-users.yaml, the platform's Strimzi KafkaUsers, from the registry
(shared/events/kafka_access.py): run it after a change to shared/registry.py; tests/deploy fails
until the file matches.
    .venv/bin/python scripts/kafka-users.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from shared.events.kafka_access import kafka_user_manifest, platform_users  # noqa: E402

TARGET = REPO / "deploy" / "k8s" / "kafka" / "kafka-users.yaml"

HEADER = """\
# Written by scripts/kafka-users.py from shared/registry.py: do not edit (tests/deploy checks it).
# The platform's Kafka users, for the Strimzi User Operator of the cluster `luohu`: one per
# service, with SCRAM-SHA-512 and ACLs on exactly its topics and groups, and the operators' two
# (luohu-topics, luohu-deadletters). Strimzi writes each user's password into a Secret of the
# same name in this namespace; docs/operations.md, "Kafka security", says where each goes.
"""


def render() -> str:
    documents = [kafka_user_manifest(user) for user in platform_users()]
    body = yaml.safe_dump_all(documents, sort_keys=False, explicit_start=True, width=100)
    return HEADER + body


def main() -> None:
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(REPO)}")


if __name__ == "__main__":
    main()
