"""What the signing key tests share: the form of a key id, settings on a key folder, and the
trust bundle a folder holds, as JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

from shared.keys import BUNDLE_FILE
from shared.settings import Settings

KID = re.compile(r"(?P<service>[a-z_]+)-(?P<day>\d{8})-(?P<hash>[0-9a-f]{8})")


def settings_on(folder: Path) -> Settings:
    return Settings(_env_file=None, environment="test", keys_dir=folder)


def bundle_document(folder: Path) -> dict[str, list[dict[str, str]]]:
    document: dict[str, list[dict[str, str]]] = json.loads((folder / BUNDLE_FILE).read_text())
    return document
