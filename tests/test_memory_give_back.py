"""Free memory is given back to the system between the steps of a run
(``malloc_trim``), except while a small document is worked on (issue 14)."""

from __future__ import annotations

import platform
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from redactor import memory


def test_small_documents_keep_what_their_steps_free(monkeypatch):
    calls = []
    monkeypatch.setattr(memory, "_trim", lambda pad: calls.append(pad) or 1)
    memory.give_back()
    assert calls == [0]
    with memory.document(memory.SMALL - 1):
        memory.give_back()
        assert calls == [0]  # a small document: nothing trimmed
        with memory.document(memory.SMALL):  # (a part of another size, say)
            memory.give_back()
        assert calls == [0, 0]
        memory.give_back()
        assert calls == [0, 0]
    with memory.document(10_000):
        memory.give_back()
    memory.give_back()  # after the document, as before it
    assert calls == [0, 0, 0, 0]
    # another thread (a batch worker's read-ahead) is not inside the document
    with memory.document(1):
        t = threading.Thread(target=memory.give_back)
        t.start()
        t.join()
    assert calls == [0, 0, 0, 0, 0]


#: a fresh interpreter: a thread started inside a document of argv[1] pages allocates;
#: prints how many malloc arenas the process then has (glibc's malloc_info)
ARENAS = """
import ctypes, sys, tempfile, threading
from redactor import memory
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = libc.fopen.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
held = []
with memory.document(int(sys.argv[1])):
    t = threading.Thread(target=lambda: held.extend(libc.malloc(1000) for _ in range(100)))
    t.start()
    t.join()
with tempfile.NamedTemporaryFile(suffix=".xml") as f:
    fp = libc.fopen(f.name.encode(), b"w")
    libc.malloc_info(0, fp)
    libc.fclose(fp)
    print(open(f.name).read().count("<heap nr="))
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc arenas are glibc's")
def test_threads_of_a_large_document_share_the_main_arena():
    def arenas(pages: int) -> int:
        out = subprocess.run([sys.executable, "-c", ARENAS, str(pages)], capture_output=True, text=True,
                             check=True, cwd=Path(memory.__file__).parent.parent)
        return int(out.stdout)

    assert arenas(memory.SMALL - 1) == 2  # a small document's thread has an arena of its own
    assert arenas(memory.SMALL) == 1


def test_the_detector_of_a_command_is_left_out_of_the_collectors_full_passes():
    """`redact` and batch workers build their detector once and keep it:
    settle() freezes what exists then (the packs, the model), while what a
    run makes afterwards, cycles included, is collected as always."""
    import gc
    import weakref

    from redactor.cli.common import _detector

    gc.unfreeze()
    _detector.cache_clear()
    try:
        detector = _detector((), (), None, True)
        assert gc.get_freeze_count() > 10_000  # the packs' compiled rules and tables at least
        assert not any(o is detector for o in gc.get_objects())  # frozen: in no generation the passes walk

        class Node:
            pass

        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle made after settling
        gone = weakref.ref(a)
        del a, b
        gc.collect()
        assert gone() is None
    finally:
        _detector.cache_clear()
        gc.unfreeze()
