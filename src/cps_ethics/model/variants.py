"""Which variant of a graded slot each trainee sees, fixed by the trainee id (no key involved).

A slot is one graded place in a notebook. Its variants are parallel questions or scenarios; each trainee
sees one, chosen from a hash of the trainee id, so two trainees sitting side by side usually see different
versions and a trainee sees the same one every time the notebook opens. The practice exam draws its
questions the same way, without repeats: the positions of one topic take successive slots of one
per-trainee shuffle of that topic's pool. The same functions run in the widget (to show) and in the
simulated cohort; the grader scores whatever variant the answers file records.
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
    """{exam position: bank item id} for one trainee. `spec` is the exam's public plan: `positions` (position
    -> topic) and `pools` (topic -> [[slot id, [variant ids]], ...]). The positions of a topic take successive
    slots of a per-trainee shuffle of its pool (no slot twice), each in the variant the trainee did not see
    in the module when the slot has more than one."""
    out: dict[str, str] = {}
    order: dict[str, list] = {}
    used: dict[str, int] = {}
    for position, topic in spec["positions"].items():
        if topic not in order:
            pool = sorted([slot, sorted(variants)] for slot, variants in spec["pools"][topic])
            _rng(trainee, exam, topic).shuffle(pool)
            order[topic] = pool
        n = used.get(topic, 0)
        used[topic] = n + 1
        slot, variants = order[topic][n % len(order[topic])]
        seen = pick(trainee, slot, variants)
        out[position] = variants[(variants.index(seen) + 1) % len(variants)]
    return out
