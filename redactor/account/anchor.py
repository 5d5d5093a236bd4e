"""Anchoring audit logs with a key the FOI team holds.

The hash chain of a log (:mod:`redactor.account.log`) shows that no line was
edited, inserted or removed *unless the whole chain was recomputed*: anyone
can rewrite a log and re-hash every line. An anchor closes that gap: the end
record carries ``HMAC-SHA256(key, final hash)``, computed with a secret key
kept by the team (``redactor key init``). Without the key nobody can make a
valid anchor, so :func:`redactor.account.log.check_log` (and so ``log
check`` and ``verify --log``) detects a rewritten log whenever the key is at
hand.

What an anchor proves: the log is byte for byte what redactor wrote on a
machine holding this key (the key id says which key), and, with ``verify
--log``, that the PDF is the output that log describes.

What it does not prove: that the person holding the key did not rewrite the
log (anyone with the key can make an anchor); when the log was written; that
no log was deleted altogether; that the redactions were the right ones.
Keep the key off the shared drive the releases go to, and back it up: logs
anchored with a lost key can no longer be checked.

Where the key is: the file named by ``$REDACTOR_LOG_KEY``, else
``$XDG_CONFIG_HOME/redactor/log.key`` (``~/.config/redactor/log.key``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from redactor.errors import OutputError, UsageError

ENV_VAR = "REDACTOR_LOG_KEY"
ALG = "HMAC-SHA256"
_CONTEXT = b"redactor log anchor v1\n"


def default_key_path() -> Path:
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "redactor" / "log.key"


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"redactor key id\n" + key).hexdigest()[:16]


def load_key(path: Path | None = None) -> bytes | None:
    """The team's key, or None if there is none (a path named by the
    environment that does not exist is a usage error, not 'no key')."""
    explicit = path is not None or bool(os.environ.get(ENV_VAR))
    p = Path(path) if path is not None else default_key_path()
    try:
        text = p.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        if explicit:
            raise UsageError("log key file not found (see `redactor key init`)", p) from None
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"log key file cannot be read: {getattr(e, 'strerror', None) or e}", p) from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise UsageError("log key file is not a hexadecimal key written by `redactor key init`", p) from None
    if len(key) < 16:
        raise UsageError("log key is too short (at least 16 bytes)", p)
    return key


def init_key(path: Path | None = None, force: bool = False) -> tuple[Path, str]:
    """Create a new 256-bit key file readable by its owner only."""
    p = Path(path) if path is not None else default_key_path()
    if p.exists() and not force:
        raise UsageError("a log key already exists here; logs anchored with it would no longer check if it were "
                         "replaced (pass --force to replace it anyway)", p)
    key = secrets.token_bytes(32)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(key.hex() + "\n")
        os.chmod(p, 0o600)
    except OSError as e:
        raise OutputError(f"cannot write the key file: {e.strerror or e}", p) from None
    return p, key_id(key)


def anchor_for(key: bytes, final_hash: str) -> dict:
    mac = hmac.new(key, _CONTEXT + final_hash.encode("ascii"), hashlib.sha256).hexdigest()
    return {"alg": ALG, "key_id": key_id(key), "mac": mac}


def check_anchor(anchor, final_hash: str, key: bytes | None) -> tuple[bool, str]:
    """(ok, what it means) for an end record's ``anchor`` (or None)."""
    if anchor is None:
        if key is None:
            return True, "not anchored (no log key: a rewritten, re-hashed log would not be detected)"
        return False, ("the log is not anchored although a log key is set up: it may have been rewritten "
                       "(or was written before the key existed, or on a machine without it)")
    if not isinstance(anchor, dict) or anchor.get("alg") != ALG:
        return False, "the log's anchor is malformed"
    if key is None:
        return True, f"anchored with key {anchor.get('key_id')}, but no log key is at hand to check it"
    if anchor.get("key_id") != key_id(key):
        return False, (f"the log was anchored with another key ({anchor.get('key_id')}; this machine's is "
                       f"{key_id(key)})")
    if not hmac.compare_digest(str(anchor.get("mac")), anchor_for(key, final_hash)["mac"]):
        return False, "the log's anchor does not match: the log was rewritten after it was written"
    return True, f"anchor valid (key {key_id(key)})"
