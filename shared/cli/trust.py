"""`luohu keys`: each service's signing key and the trust bundle of every key's public half."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from shared import key_folder, keys
from shared.settings import Settings

keys_app = typer.Typer(
    help="Signing keys and the trust bundle (in development: LUOHU_KEYS_DIR, var/keys).",
    no_args_is_help=True,
)


KeysDirOption = Annotated[
    Path | None, typer.Option("--dir", help="The folder of keys (default: LUOHU_KEYS_DIR)")
]


def _keys_folder(folder: Path | None) -> Path:
    return folder or Settings().keys_path


def _keys_command(action: Callable[[], None]) -> None:
    try:
        action()
    except keys.KeyProblem as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc


@keys_app.command("init")
def keys_init(
    folder: KeysDirOption = None,
    only: Annotated[
        list[str] | None, typer.Option(help="Only these services (or calling departments)")
    ] = None,
) -> None:
    """Give every service (and every department calling in without one) a signing key where
    it has none, and write the trust bundle; nothing that exists is replaced."""
    where = _keys_folder(folder)

    def init() -> None:
        created = key_folder.init_keys(where, tuple(only) if only else None)
        for kid in created:
            typer.echo(f"created {kid}")
        typer.echo(f"{len(created)} key(s) created; the trust bundle: {where / keys.BUNDLE_FILE}")

    _keys_command(init)


@keys_app.command("rotate")
def keys_rotate(service: str, folder: KeysDirOption = None) -> None:
    """Give SERVICE a new key, which signs from now on; the old one stays in the bundle until
    `luohu keys retire SERVICE`, so what it signed still verifies."""
    where = _keys_folder(folder)
    _keys_command(
        lambda: typer.echo(f"{service} now signs with {key_folder.rotate_key(where, service)}")
    )


@keys_app.command("retire")
def keys_retire(service: str, folder: KeysDirOption = None) -> None:
    """Take SERVICE's old keys out of the bundle (once no token they signed is valid, 8 hours
    after the rotation): what they signed is refused from then on."""
    where = _keys_folder(folder)

    def retire() -> None:
        retired = key_folder.retire_keys(where, service)
        typer.echo(f"retired {', '.join(retired)}" if retired else f"{service} has one key only")

    _keys_command(retire)


@keys_app.command("merge")
def keys_merge(bundles: Annotated[list[Path], typer.Argument(help="Each bureau's bundle")]) -> None:
    """Print one trust bundle of every key of BUNDLES: the platform's, from each bureau's."""

    def merge() -> None:
        merged = key_folder.merge_bundles(*(keys.TrustBundle.read(path) for path in bundles))
        typer.echo(merged.to_json(), nl=False)

    _keys_command(merge)


@keys_app.command("list")
def keys_list(folder: KeysDirOption = None) -> None:
    """Print every key of the trust bundle: its id, service and department."""
    where = _keys_folder(folder)

    def show() -> None:
        for key in keys.TrustBundle.read(where / keys.BUNDLE_FILE).keys:
            typer.echo(f"{key.kid}  {key.service}  {key.dept}")

    _keys_command(show)
