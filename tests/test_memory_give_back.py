"""Free memory is given back to the system between the steps of a run
(``malloc_trim``), except while a small document is worked on (issue 14)."""

from __future__ import annotations

import threading

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
