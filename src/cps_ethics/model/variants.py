"""Which variant of a graded slot each trainee sees, fixed by the trainee id (no key involved).

A slot is one graded place in a notebook. Its variants are parallel questions or scenarios; each trainee
sees one, chosen from a hash of the trainee id, so two trainees sitting side by side usually see different
versions and a trainee sees the same one every time the notebook opens. The practice exam draws its
questions the same way, without repeats, from the exam-only bank: the positions of one topic and kind take
successive questions of one per-trainee shuffle of that pool. The same functions run in the widget (to show),
in the grader (which scores only what this trainee was shown) and in the simulated cohort.
"""

from __future__ import annotations

import hashlib
import random


def _rng(*parts: str) -> random.Random:
    return random.Random(int(hashlib.sha256(":".join(parts).encode()).hexdigest()[:16], 16))


def pick(trainee: str, slot: str, variants: list[str]) -> str:
    """The variant of `slot` this trainee sees."""
    ordered = sorted(variants)
    return ordered[_rng(trainee, slot).randrange(len(ordered))]


def exam_draw(trainee: str, exam: str, spec: dict) -> dict[str, str]:
    """{exam position: exam-only question id} for one trainee. `spec` is the exam's public plan: `positions`
    (position -> topic), `kinds` (position -> 'item' | 'scenario') and `pools` (topic -> kind -> [ids]). The
    positions of one topic and kind take successive questions of a per-trainee shuffle of that pool, so no
    question is asked twice."""
    out: dict[str, str] = {}
    order: dict[tuple[str, str], list[str]] = {}
    for position, topic in spec["positions"].items():
        kind = spec["kinds"][position]
        if (topic, kind) not in order:
            pool = sorted(spec["pools"][topic][kind])
            _rng(trainee, exam, topic, kind).shuffle(pool)
            order[(topic, kind)] = pool
        out[position] = order[(topic, kind)].pop(0)
    return out
