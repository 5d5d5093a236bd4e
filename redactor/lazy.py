"""Modules imported when first used, not when redactor starts.

numpy, Pillow and shapely are needed only when a page has an image, a scan
or vector art under a box; importing them is a tenth of a second that a
text-only file, ``--help`` and ``verify`` of a plain file need not spend
(issue 14). ``np = lazy.module("numpy")`` reads as ``import numpy as np``:
the first attribute looked up imports the module.
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    __slots__ = ("_name", "__dict__")

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        value = getattr(importlib.import_module(self._name), attr)
        self.__dict__[attr] = value  # looked up once
        return value

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"


def module(name: str) -> Any:
    """The module ``name``, imported when an attribute is first read."""
    return LazyModule(name)
