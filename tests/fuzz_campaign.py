"""The longer fuzzing campaign (`make fuzz`): Hypothesis chooses the
mutations of the sample briefing (which, in what order, with what random
choices) and shrinks any failure to a minimal sequence. The checks are those
of ``test_fuzz.py`` (see ``fuzzing.py``). Not part of ``make test``: the
file name does not start with ``test_``.

    make fuzz                      # 1,000 examples
    FUZZ_EXAMPLES=5000 make fuzz
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))

import fuzzing  # noqa: E402

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1000"))
WORK = Path(os.environ.get("FUZZ_WORK", "out/fuzz"))


def _base() -> tuple[bytes, bytes]:
    WORK.mkdir(parents=True, exist_ok=True)
    pdf, plain = fuzzing.sample(WORK)
    return pdf.read_bytes(), plain.read_bytes()


BASE, PLAIN = _base()
COUNTER = iter(range(10**9))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)
@given(plain=st.booleans(), steps=st.lists(st.sampled_from(sorted(fuzzing.MUTATIONS)), min_size=1, max_size=3),
       rnd=st.randoms(use_true_random=False))
def test_campaign(plain, steps, rnd):
    data = PLAIN if plain else BASE
    for step in steps:
        data = fuzzing.MUTATIONS[step](data, rnd)
    n = next(COUNTER)
    f = WORK / f"example-{n:06d}.pdf"
    f.write_bytes(data)
    from redactor.cli.common import _detector

    _detector((), (), None, True)
    [outcome] = fuzzing.run_all([(f"{'+'.join(steps)} ({'plain' if plain else 'compressed'})", f)],
                                WORK / "runs" / f"{n:06d}", parallel=1)
    assert outcome.ok, str(outcome)
    f.unlink()  # keep only the failing inputs
