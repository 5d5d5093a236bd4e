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


def test_other_languages_are_wordfreqs():
    """Another language's words read from the tables as wordfreq gives them
    at or above the floor, 0.0 below it; other words are left to wordfreq."""
    rng = random.Random(26)
    floor = wordtables.FOREIGN_FLOOR
    for lang in lexicon.OTHER_LANGUAGES:
        words = list(get_frequency_dict(lang))
        plain = [w for w in words if wordtables.foreign_plain(w)]
        sample = [w for w in plain if not w.isascii()][::7] + plain[::61] + plain[:2000:3]
        sample += ["universiteit", "zzqxv", "whitfield", "żółw", "ærø", "straße", "ĳssel", "hakkı"]
        few = plain[:3000:11] + ["zzqxv"]
        sample += ["-".join(rng.choice(few) for _ in range(rng.choice([2, 3]))) for _ in range(300)]
        assert len(sample) > 1000
        wrong = {}
        for w in sample:
            ours, theirs = wordtables.zipf_other(w, lang), zipf_frequency(w, lang)
            if ours is None:
                assert not wordtables.foreign_plain(w), w
                continue
            if ours != (theirs if theirs >= floor else 0.0):
                wrong[w] = (ours, theirs)
        assert wrong == {}, lang
        # the rarest words of a long list are below the floor: they read as 0.0
        low = [w for w in plain[-200:] if zipf_frequency(w, lang) < floor]
        assert all(wordtables.zipf_other(w, lang) == 0.0 for w in low)
        assert low or lang == "da"  # (wordfreq has only a short list of Danish)
    assert wordtables.zipf_other("universiteit", "nl") > 4 and lexicon.zipf_in("Universiteit", "nl") > 4
    for word in ("l'homme", "ĳssel", "a.b", "4e", "straße", "μ"):  # not letters as wordfreq keeps them
        assert wordtables.zipf_other(word, "fr") is None
    assert lexicon.zipf_in("L'Homme", "fr") == zipf_frequency("l'homme", "fr")
    assert lexicon.zipf_in("Hlavní", "cs") == zipf_frequency("hlavní", "cs") > 4  # a language the tables do not hold


def test_other_languages_are_read_without_wordfreqs_lists(tmp_path):
    """Telling a German page and a foreign word reads the tables, not
    wordfreq's lists (some 400 MiB in every process that reads them)."""
    import os
    import subprocess
    import sys

    code = """
import sys
from redactor.detect import lexicon
page = ("Die Gesteine der Alpen wurden in der Vorlesung untersucht. Wir haben die Menge der Proben "
        "gezählt und die Topologie der Schichten beschrieben, bevor die Studierenden ihre Ergebnisse "
        "vorgestellt haben. Danach folgte eine kurze Diskussion über die Methoden und Fehlerquellen.")
assert lexicon.language(page) == "de", lexicon.language(page)
assert lexicon.is_foreign_word("Universiteit") and lexicon.is_foreign_word("Katholieke")
assert not lexicon.is_foreign_word("Whitfield")
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))  # (this program's own)
print("wordfreq" in sys.modules, int(peak.split()[1]) // 1024)
"""
    env = {**os.environ, "REDACTOR_CACHE_DIR": os.environ.get("REDACTOR_CACHE_DIR", str(tmp_path))}
    wordtables.connection(), wordtables.connection("foreign")  # built (once per cache) before the run
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    imported, peak_mib = run.stdout.split()
    assert imported == "False"
    assert int(peak_mib) < 250, peak_mib  # (wordfreq's lists of the eleven languages: some 400 MiB more)


def test_files_of_other_library_versions_unread_for_a_month_go_when_one_is_built(fresh_cache):
    """An upgrade builds new table files; the old ones, 10-40 MB each, are
    removed once no run has read them for 30 days (a recent one stays: it
    may be another installation's, still in use)."""
    import os
    import time

    fresh_cache.mkdir()
    old = fresh_cache / "lexicon-0000000000000000.sqlite"
    recent = fresh_cache / "lexicon-1111111111111111.sqlite"
    other_kind = fresh_cache / "foreign-0000000000000000.sqlite"
    for p in (old, recent, other_kind):
        p.write_bytes(b"SQLite format 3\x00")
    month_ago = time.time() - 31 * 86400
    for p in (old, other_kind):
        os.utime(p, (month_ago, month_ago))
    assert wordtables.zipf("form") == zipf_frequency("form", "en")  # builds lexicon-<stamp>.sqlite
    assert (fresh_cache / f"lexicon-{wordtables.stamp()}.sqlite").exists()
    assert not old.exists() and recent.exists()
    assert other_kind.exists()  # another kind's files go when one of theirs is built
