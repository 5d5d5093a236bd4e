"""Distrust of Office containers before anything renders them.

A zip (OOXML, ODF) is checked for what makes a reader hang or run out of
memory (too many entries, too many bytes once inflated, a compression ratio
only a zip bomb has) and read back entry by entry, each bounded by its
declared size and checked against its CRC, into a fresh zip: LibreOffice
only ever sees that copy. An OLE compound file (CFB) is recognised as a
legacy Office file, or as an encrypted OOXML package.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from redactor.errors import InputError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_ENTRIES = 10_000
MAX_INFLATED = 512 * 1024**2  #: all entries together, once decompressed
MAX_ENTRY = 256 * 1024**2
#: A ratio above this on an entry of more than BOMB_FLOOR bytes is a bomb.
MAX_RATIO = 200
BOMB_FLOOR = 8 * 1024**2


@dataclass
class Package:
    """The entries of a checked zip, by name, in their order."""

    entries: dict[str, bytes]

    def text(self, name: str) -> str | None:
        data = self.entries.get(name)
        return None if data is None else data.decode("utf-8", errors="replace")

    def names(self, prefix: str = "") -> list[str]:
        return [n for n in self.entries if n.startswith(prefix)]

    def to_bytes(self) -> bytes:
        """A fresh zip; ``[Content_Types].xml`` / ``mimetype`` first, as readers expect."""
        buf = io.BytesIO()
        order = sorted(self.entries, key=lambda n: (n not in ("mimetype", "[Content_Types].xml"),))
        with zipfile.ZipFile(buf, "w") as z:
            for name in order:
                method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
                z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), self.entries[name],
                           compress_type=method)
        return buf.getvalue()


def is_ole(data: bytes) -> bool:
    return data[:8] == OLE_MAGIC


def is_zip(data: bytes) -> bool:
    return data[:4] == ZIP_MAGIC


def ole_is_encrypted_ooxml(data: bytes) -> bool:
    """An OOXML file saved with a password is an OLE file holding the
    streams ``EncryptionInfo`` and ``EncryptedPackage``."""
    return is_ole(data) and "EncryptedPackage".encode("utf-16-le") in data


def read_package(data: bytes, name: str, what: str) -> Package:
    """Open a zip container safely, or fail with one line naming the file."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(f"damaged {what} (its zip container cannot be read)", name) from None
    infos = z.infolist()
    if len(infos) > MAX_ENTRIES:
        raise InputError(f"refused: the {what} holds {len(infos)} parts (limit {MAX_ENTRIES})", name)
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > MAX_ENTRY or (info.file_size > BOMB_FLOOR and ratio > MAX_RATIO):
            raise InputError(f"refused: the {what} looks like a zip bomb (part {info.filename!r} inflates "
                             f"{info.compress_size} bytes to {info.file_size})", name)
        if info.flag_bits & 0x1:
            raise InputError(f"password-protected {what} (encrypted zip): give its password with --password", name)
    if total > MAX_INFLATED:
        raise InputError(f"refused: the {what} inflates to {total / 1024**2:.0f} MiB "
                         f"(limit {MAX_INFLATED / 1024**2:.0f} MiB); a zip bomb?", name)
    entries: dict[str, bytes] = {}
    try:
        for info in infos:
            if info.is_dir():
                continue
            with z.open(info) as f:
                entries[info.filename] = f.read(info.file_size + 1)[: info.file_size + 1]
            if len(entries[info.filename]) > info.file_size:
                raise InputError(f"damaged {what}: part {info.filename!r} is larger than it says", name)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as e:
        raise InputError(f"damaged {what} (part of its zip container cannot be read: {e})", name) from None
    except Exception as e:  # zlib.error and friends
        raise InputError(f"damaged {what} ({type(e).__name__}: {e})", name) from None
    return Package(entries)


def decrypt_ooxml(data: bytes, password: str, name: str, what: str) -> bytes:
    """The zip inside a password-protected OOXML file (msoffcrypto-tool)."""
    try:
        import msoffcrypto
    except ImportError:  # pragma: no cover - a runtime dependency
        raise InputError(f"password-protected {what}: decrypting it needs msoffcrypto-tool", name) from None
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        office.load_key(password=password)
        out = io.BytesIO()
        office.decrypt(out)
    except Exception as e:
        if "password" in str(e).lower() or "key" in str(e).lower() or type(e).__name__ == "InvalidKeyError":
            raise InputError(f"password-protected {what}: the password given was not accepted", name) from None
        raise InputError(f"password-protected {what} that cannot be decrypted ({type(e).__name__}: {e})",
                         name) from None
    return out.getvalue()
