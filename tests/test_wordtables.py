"""The word tables kept in the cache directory (redactor/detect/wordtables.py,
fast start-up: issue 14) hold exactly what the libraries give: wordfreq's
zipf values, the Census shares, gender-guesser's first names; and a cache
file that is damaged or cannot be written changes nothing."""

from __future__ import annotations

import random
import sqlite3

import pytest
from wordfreq import get_frequency_dict, zipf_frequency

from redactor.detect import lexicon, wordtables


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """A cache directory of the test's own; this process opens it anew."""
    monkeypatch.setenv("REDACTOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(wordtables, "_state", {})
    wordtables.in_world.cache_clear()
    yield tmp_path / "cache"
    wordtables.in_world.cache_clear()


def _rows(sql: str) -> dict:
    return dict(wordtables.connection().execute(sql).fetchall())


def test_names_are_the_librarys():
    surnames, first = lexicon._census()
    assert _rows("SELECT name, share FROM surname") == surnames
    assert _rows("SELECT name, share FROM first") == first
    world = {n for (n,) in wordtables.connection().execute("SELECT name FROM world")}
    assert world == lexicon._world_first_names()


def test_zipf_values_are_wordfreqs():
    words = list(get_frequency_dict("en"))
    plain = [w for w in words if wordtables.PLAIN.fullmatch(w)]
    # every word not in a-z or with a full stop, every 25th of the rest, words on no list
    sample = [w for w in plain if not w.isalpha() or not w.isascii()] + plain[::25]
    sample += ["whitfield", "nicolaou", "zzqxv", "causby", "wittlingvogel", "hakkı", "żółw", "ærø",
               "tariq.okafor", "a.b.c.d", "st", "u.k", "e.g"]
    # hyphenated: wordfreq splits them and combines the parts' frequencies
    rng = random.Random(14)
    few = plain[:3000:7] + plain[::97] + ["whitfield", "zzqxv", "u.k"]
    for _ in range(3000):
        sep = rng.choice(["-", "-", "--"])
        sample.append(sep.join(rng.choice(few) for _ in range(rng.choice([2, 2, 3]))))
    sample += ["smith-jones", "wittling-vogel", "-lead", "trail-", "x-ray", "rock-n-roll"]
    assert len(sample) > 10000
    ours = {w: wordtables.zipf(w) for w in sample}
    theirs = {w: zipf_frequency(w, "en") for w in sample}
    assert {w: z for w, z in ours.items() if z != theirs[w]} == {}
    assert ours["zzqxv"] == 0.0 and ours["the"] > 7 and ours["smith-jones"] > 4
    # not plain: left to wordfreq, and lexicon asks it
    for word in ("o'brien", "d'arcy", "e\u0301t\u00e9", "a..b", "4th", "-", "μ"):
        assert wordtables.zipf(word) is None
    assert lexicon.zipf("D'Arcy") == zipf_frequency("d'arcy", "en")


def test_a_damaged_cache_file_is_built_again(fresh_cache):
    path = fresh_cache / f"lexicon-{wordtables.stamp()}.sqlite"
    fresh_cache.mkdir()
    path.write_bytes(b"not a database" * 100)
    assert wordtables.zipf("form") == zipf_frequency("form", "en")
    assert wordtables.in_world("rhys")
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone() == (wordtables.stamp(),)
    assert not list(fresh_cache.glob("*.tmp"))


def test_a_cache_that_cannot_be_written_builds_in_memory(fresh_cache):
    fresh_cache.parent.mkdir(exist_ok=True)
    fresh_cache.write_text("a file where the directory should be")
    assert wordtables.surname_share("SMITH") == lexicon._census()[0]["SMITH"]
    assert wordtables.in_world("zbigniew") and not wordtables.in_world("algorithm")
