"""The graded places the form adversary plays (cps_ethics.authoring.formcues): every single-choice question,
scenario decision and multiple-select question of a content folder's modules and exam-only bank, each with
the options of the version(s) a trainee may have seen (its twins; for an exam-only question, the module
question closest to it in wording)."""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from cps_ethics.authoring import formcues_rules as rules
from cps_ethics.model import scoring

EXAM = "exam"


@dataclass
class Place:
    """One graded place a trainee answers: a single-choice question, a scenario decision, a multiple-select."""

    kind: str
    where: str  # item id, or scenario id/node id
    group: str  # module id, or "exam" for the exam-only bank
    file: str
    texts: list[str]
    value: list[float]  # share of points per option (single, scenario) or 1/0 correct (multiple)
    weight: float = 1.0
    prompt: str = ""
    item: dict | None = None  # the multiple-select item, for the course's scoring
    seen: list[list[tuple[str, float]]] = field(default_factory=list)  # the other version(s): (text, value)

    def credit(self, picks) -> float:
        """Expected share of the points: `picks` is a score per option (single, scenario; the trainee picks
        at random among the top scores) or the ticked options (multiple)."""
        if self.kind == "multiple":
            ids = [o["id"] for o, t in zip(self.item["options"], picks) if t]
            return scoring.score_item(self.item, ids).points / scoring.item_max(self.item)
        top = max(picks)
        return statistics.fmean(v for v, p in zip(self.value, picks) if p >= top - 1e-9)

    def random(self) -> float:
        if self.kind != "multiple":
            return statistics.fmean(self.value)
        n = len(self.texts)
        return statistics.fmean(self.credit(bits) for bits in itertools.product((0, 1), repeat=n))


def _decision_places(data: dict, group: str, file: str) -> list[Place]:
    out: list[Place] = []
    for it in data.get("items", []):
        if it.get("kind") != "graded" or it.get("type") not in ("single", "multiple"):
            continue
        opts = it["options"]
        texts = [o["text"] for o in opts]
        if it["type"] == "single":
            out.append(Place("single", it["id"], group, file, texts,
                             [scoring.RATING_SHARE[o["rating"]] for o in opts], scoring.item_max(it), it["prompt"]))
        else:
            out.append(Place("multiple", it["id"], group, file, texts, [float(bool(o["correct"])) for o in opts],
                             scoring.item_max(it), it["prompt"], item=it))
    for sc in data.get("scenarios", []):
        if sc.get("kind") != "graded":
            continue
        for node in sc["nodes"]:
            if node.get("options"):
                out.append(Place("scenario", f"{sc['id']}/{node['id']}", group, file,
                                 [o["text"] for o in node["options"]],
                                 [scoring.RATING_SHARE[o["rating"]] for o in node["options"]], 1.0,
                                 f"{node.get('situation', '')} {node.get('question', '')}"))
    return out


def _link_twins(data: dict, places: dict[str, Place]) -> None:
    """Each variant of a slot sees the options of its slot's other variants (scenario nodes by node id)."""
    for seq in ("items", "scenarios"):
        slots: dict[str, list[dict]] = {}
        for x in data.get(seq, []):
            slots.setdefault(x.get("slot", x["id"]), []).append(x)
        for xs in slots.values():
            for a, b in itertools.permutations(xs, 2):
                if seq == "items" and a["id"] in places and b["id"] in places:
                    other = places[b["id"]]
                    places[a["id"]].seen.append(list(zip(other.texts, other.value)))
                elif seq == "scenarios":
                    for node in a["nodes"]:
                        mine, other = places.get(f"{a['id']}/{node['id']}"), places.get(f"{b['id']}/{node['id']}")
                        if mine and other:
                            mine.seen.append(list(zip(other.texts, other.value)))


def bank(sources: list[tuple[str, str, dict]]) -> list[Place]:
    """Every graded place of `sources` [(group, file name, module or exam data)], twins linked. Exam-only
    places (group "exam") see the module place of the same kind whose prompt is closest to theirs."""
    out: list[Place] = []
    for group, file, data in sources:
        found = _decision_places(data, group, file)
        _link_twins(data, {p.where: p for p in found})
        out += found
    modular = [p for p in out if p.group != EXAM]
    for p in out:
        if p.group == EXAM:
            near = [q for q in modular if (q.kind == "multiple") == (p.kind == "multiple")]
            if near:
                q = max(near, key=lambda q: rules.overlap(p.prompt, q.prompt))
                p.seen = [list(zip(q.texts, q.value))]
    return out


def load_sources(content: Path) -> list[tuple[str, str, dict]]:
    """The modules (content/modules/*.yaml) and the exam-only bank (content/exam/*.yaml) of a content folder."""
    from cps_ethics.model.content import read_yaml

    out = []
    for f in sorted((content / "modules").glob("*.yaml")):
        data = read_yaml(f)
        out.append((data.get("id", f.stem), f.name, data))
    for f in sorted((content / "exam").glob("*.yaml")) if (content / "exam").is_dir() else []:
        out.append((EXAM, f"exam/{f.name}", read_yaml(f)))
    return out
