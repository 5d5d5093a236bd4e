"""The built-in rule packs, validated once and kept in the cache directory.

Validating the packs means importing pydantic and PyYAML and building the
schema: about a seventh of a second at every start, for files that change
only when redactor does. A built-in pack, once validated
(:func:`redactor.detect.packschema.read`), is written to
``rulepacks.json`` in the cache directory of the word tables
(:func:`redactor.detect.wordtables.cache_dir`) and read back from there
while it is the same:

* each pack is stored with the SHA-256 of its text: a pack edited in
  place is validated again;
* the file carries a stamp made from redactor's version, the text of the
  code that validates a pack (the schema, the validators it names, the
  sections of the Act) and pydantic's version: any change there validates
  every pack again;
* only the built-in packs are kept (a user's own pack may hold the very
  names being redacted), and only after they validated;
* a file that cannot be read or is not what was written is ignored; a
  directory that cannot be written is not written: slower, never different.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import threading
from pathlib import Path

#: Bumped when what the file holds changes.
FORMAT = 1
NAME = "rulepacks.json"
_lock = threading.Lock()
_memo: dict[tuple[str, str], dict] = {}  #: (file, stamp) -> packs, read once per process


def _sources() -> list[Path]:
    """The code a pack's validation depends on, found without importing it."""
    here = Path(__file__).resolve().parent
    out = [here / "packschema.py", here / "rulepack.py", here / "validators.py", here.parent / "foia.py"]
    spec = importlib.util.find_spec("pydantic")
    if spec is not None and spec.origin:
        out.append(Path(spec.origin).with_name("version.py"))
    return out


@functools.lru_cache(maxsize=1)
def stamp() -> str:
    from redactor import __version__

    h = hashlib.sha256(f"format {FORMAT}\0redactor {__version__}\n".encode())
    for p in _sources():
        try:
            h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
        except OSError:
            h.update(p.name.encode() + b"\0missing\0")
    return h.hexdigest()


def path() -> Path:
    from redactor.detect.wordtables import cache_dir

    return cache_dir() / NAME


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read(tag: str) -> dict:
    key = (str(path()), tag)
    if key not in _memo:
        from redactor.detect.wordtables import trusted

        try:
            data = json.loads(Path(key[0]).read_text(encoding="utf-8")) if trusted(Path(key[0])) else None
        except (OSError, ValueError):
            data = None
        ok = isinstance(data, dict) and data.get("stamp") == tag and isinstance(data.get("packs"), dict)
        _memo[key] = data["packs"] if ok else {}
    return _memo[key]


def get(pack_path: Path, text: str) -> dict | None:
    """The validated pack, as :func:`redactor.detect.packschema.read` gave
    it, if it was kept for exactly this text; else None."""
    entry = _read(stamp()).get(str(Path(pack_path).resolve()))
    if not isinstance(entry, dict) or entry.get("sha256") != _digest(text) or not isinstance(entry.get("pack"), dict):
        return None
    pack = entry["pack"]
    if not isinstance(pack.get("rules"), list) or not all(isinstance(r, dict) for r in pack["rules"]):
        return None
    return pack


def put(pack_path: Path, text: str, pack: dict) -> None:
    """Keep a built-in pack that has just validated."""
    tag = stamp()
    target = path()
    with _lock:
        _memo.pop((str(target), tag), None)  # what another process wrote meanwhile is kept too
        packs = dict(_read(tag))
        packs[str(Path(pack_path).resolve())] = {"sha256": _digest(text), "pack": pack}
        _memo[(str(target), tag)] = packs
        tmp = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp.write_text(json.dumps({"stamp": tag, "packs": packs}, sort_keys=True), encoding="utf-8")
            os.replace(tmp, target)  # whole or not at all
        except OSError:
            pass  # a cache that cannot be written: validated again next time
        finally:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
