"""Where the menu tree comes from: a YAML file, re-read when it changes.

Each new call asks :meth:`MenuSource.current` for the tree and keeps that one to its end, so saving the file
changes the menu for new calls without disturbing calls in the IVR. A file with mistakes is refused: the log
lists every problem and the previous menu stays in service."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ivr.menu_tree import MenuInvalid, MenuTree

log = logging.getLogger(__name__)

Build = Callable[[Any], MenuTree]  # the parsed document -> the checked tree (ivr.menu_tree.parse_menu, bound)


def read_menu_document(path: Path | None) -> Any:
    """The parsed YAML of ``path`` (None: the default menu); a file that cannot be read or parsed is MenuInvalid."""
    try:
        if path is None:
            text = resources.files("ivr").joinpath("default_menu.yaml").read_text(encoding="utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        return yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise MenuInvalid([f"{path}: cannot be read ({exc})"]) from exc
    except yaml.YAMLError as exc:
        raise MenuInvalid([f"{path}: not valid YAML ({exc})".replace("\n", " ")]) from exc


class MenuSource:
    def __init__(self, path: Path | None, build: Build) -> None:
        self._path = path
        self._build = build
        self._stamp = self._stat()
        self._tree = build(read_menu_document(path))  # at start-up a bad menu stops the hotline, loudly

    @property
    def path(self) -> Path | None:
        return self._path

    def current(self) -> MenuTree:
        stamp = self._stat()
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self._tree = self._build(read_menu_document(self._path))
            except MenuInvalid as exc:
                log.error("IVR menu %s not reloaded, the previous menu stays in service: %s", self._path, exc)
            else:
                log.info("IVR menu %s reloaded: %s nodes", self._path, len(self._tree.nodes))
        return self._tree

    def _stat(self) -> tuple[int, int] | None:
        if self._path is None:
            return None
        try:
            info = os.stat(self._path)
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size
