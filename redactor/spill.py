"""A list kept on disk: memory flat in the number of pages (issue 14).

A document's pages (their text and glyphs) and its log entries are needed
again after they are made, but not all at once. :class:`Spill` holds them
in an anonymous temporary file (on Linux it never has a name, and it goes
when the process ends, even after ``kill -9``), one pickled record each,
and reads a record back when it is asked for: a copy equal to what was put
in. A record changed after it was read must be put back
(``spill[i] = record``), as in a list of copies. The first
:data:`Spill.IN_MEMORY` bytes of records stay in memory, pickled (a short
document's findings never make a file: creating it and reading through it
cost 1-2 % of a run of short files); past that, they all go to the file.

It reads as a list (index, slice, iterate, ``len``, ``+``, ``==``) and
pickles as one (what is sent to another process is the list). One thread
may read it while another puts records in (detection's read-ahead reads
the pages while OCR puts back those it changed).
"""

from __future__ import annotations

import os
import pickle
import tempfile
import threading
from array import array
from collections.abc import Iterable, Iterator, MutableSequence
from typing import Any


class Spill(MutableSequence):
    """Records in an anonymous temporary file; only their offsets in memory."""

    __slots__ = ("_file", "_mem", "_start", "_size", "_end", "_lock")

    #: pickled records kept in memory (``_mem``) until they come to this many bytes
    IN_MEMORY = 256 * 1024

    def __init__(self, items: Iterable[Any] = ()) -> None:
        self._file = None  # made when the records outgrow IN_MEMORY
        self._mem: bytearray | None = bytearray()
        self._start, self._size = array("q"), array("q")
        self._end = 0
        self._lock = threading.Lock()  # a record's place and size change together
        self.extend(items)

    def _write(self, item: Any) -> tuple[int, int]:
        data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            at = self._end
            self._end += len(data)
            if self._mem is not None:
                if self._end <= self.IN_MEMORY:
                    self._mem += data
                    return at, len(data)
                self._to_file()
        fd, done = self._file.fileno(), 0
        while done < len(data):
            done += os.pwrite(fd, memoryview(data)[done:], at + done)
        return at, len(data)

    def _to_file(self) -> None:
        """The records so far, from memory to the file (the lock held)."""
        self._file = tempfile.TemporaryFile(prefix="redactor-spill-")
        self._file.write(self._mem)
        self._file.flush()
        self._mem = None

    def _read(self, i: int) -> Any:
        with self._lock:
            at, size = self._start[i], self._size[i]
            data = self._mem[at:at + size] if self._mem is not None else None  # (a copy of its bytes)
        if data is not None:
            return pickle.loads(data)
        data = os.pread(self._file.fileno(), size, at)
        while len(data) < size:
            data += os.pread(self._file.fileno(), size - len(data), at + len(data))
        return pickle.loads(data)

    def _index(self, i: int) -> int:
        n = len(self._start)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("spill index out of range")
        return i

    def append(self, item: Any) -> None:
        at, size = self._write(item)
        with self._lock:
            self._start.append(at)
            self._size.append(size)

    def __len__(self) -> int:
        return len(self._start)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return [self._read(i) for i in range(*key.indices(len(self._start)))]
        return self._read(self._index(key))

    def __setitem__(self, key: int, item: Any) -> None:
        if isinstance(key, slice):
            raise TypeError("a spill is changed one record at a time")
        i = self._index(key)
        at, size = self._write(item)
        with self._lock:
            self._start[i], self._size[i] = at, size  # the old record's bytes are left unused

    def __delitem__(self, key) -> None:
        raise TypeError("records are not removed from a spill")

    def insert(self, index: int, item: Any) -> None:
        if index != len(self._start):
            raise TypeError("a spill is only appended to")
        self.append(item)

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self._start)):
            yield self._read(i)

    def __add__(self, other) -> list:
        return [*self, *other]

    def __radd__(self, other) -> list:
        return [*other, *self]

    def __eq__(self, other) -> bool:
        if isinstance(other, (Spill, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Spill({len(self)} records)"

    def __reduce__(self):
        return list, (list(self),)

    def close(self) -> None:
        """Let the file go (records can no longer be read)."""
        if self._file is not None:
            self._file.close()
        self._mem = None
