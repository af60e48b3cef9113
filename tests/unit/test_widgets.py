"""Widget logic without a browser: set values / click, then check what the answers file holds."""

from __future__ import annotations

import json

import pytest
from helpers import write_course

from cps_ethics.model import public
from cps_ethics.model.content import load_course
from cps_ethics.notebook import widgets


def notebook_folder(root, nb_dir):
    """A notebook folder holding the public content of the test course's module."""
    course = load_course(root)
    nb_dir.mkdir(parents=True)
    (nb_dir / "cps_content.json").write_text(public.dumps(public.project(course, course.modules[0])))
    return nb_dir


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.delenv("CPS_COURSE_ROOT", raising=False)
    return notebook_folder(write_course(tmp_path / "course"), tmp_path / "trainee" / "01_test")


def saved(folder) -> dict:
    path = folder / "cps_answers.json"
    if not path.exists():
        return {}
    return {k: v["value"] for k, v in json.loads(path.read_text())["answers"].items()}


def ctx(folder, trainee="t1"):
    return widgets.Context(folder, trainee=trainee)


def test_building_and_rebuilding_widgets_never_writes(folder):
    c = ctx(folder)
    for ref in ("t_single", "t_multi", "t_match", "t_order", "t_practice", "t_scn"):
        widgets.build(ref, c)
    widgets.Progress(c)
    assert not (folder / "cps_answers.json").exists()
    q = widgets.build("t_single", c)
    q.radio.value = "b"
    before = (folder / "cps_answers.json").read_bytes()
    for _ in range(3):  # re-running the cells (fresh widgets) restores, never resets
        q2 = widgets.build("t_single", ctx(folder))
        assert q2.radio.value == "b"
    assert (folder / "cps_answers.json").read_bytes() == before


def test_graded_single_saves_on_event_and_shows_no_correctness(folder):
    q = widgets.build("t_single", ctx(folder))
    q.radio.value = "c"
    assert saved(folder) == {"t_single": "c"}
    assert "Saved at" in q.status.value and "change this answer" in q.status.value
    for word in ("Think again", "Not this one", "harmful", "wrong", "correct"):
        assert word not in q.status.value
    q.radio.value = "a"
    assert saved(folder) == {"t_single": "a"}


def test_practice_gives_instant_feedback_and_saves_nothing(folder):
    q = widgets.build("t_practice", ctx(folder))
    q.radio.value = "b"
    assert "Practice bad." in q.status.value
    assert saved(folder) == {}


def test_multiple_matching_ordering_save_their_values(folder):
    c = ctx(folder)
    m = widgets.build("t_multi", c)
    m.boxes["x"].value = True
    m.boxes["z"].value = True
    assert sorted(saved(folder)["t_multi"]) == ["x", "z"]
    mt = widgets.build("t_match", c)
    mt.drops["p2"].value = "k8"
    assert saved(folder)["t_match"] == {"p2": "k8"}
    o = widgets.build("t_order", c)
    o.slots[0].value = "notice"
    o.slots[2].value = "act"
    assert saved(folder)["t_order"] == ["notice", None, "act"]
    # and they come back when the cells run again
    c2 = ctx(folder)
    assert widgets.build("t_match", c2).drops["p2"].value == "k8"
    assert [d.value or None for d in widgets.build("t_order", c2).slots] == ["notice", None, "act"]
    assert widgets.build("t_multi", c2).boxes["z"].value is True


def test_choosing_nothing_in_a_drop_down_stays_where_the_browser_put_it(folder):
    """The browser sends an index. "Choose..." at index 0 must stay index 0 in the kernel: an index turned into
    None is sent back to the browser and blanks the drop-down, and a key pressed meanwhile was lost."""
    c = ctx(folder)
    o = widgets.build("t_order", c)
    mt = widgets.build("t_match", c)
    for d in [*o.slots, *mt.drops.values()]:
        assert d.index == 0 and d.label == "Choose\u2026"  # shown from the start, not a blank box
    o.slots[0].index = 2
    o.slots[0].index = 0
    mt.drops["p2"].value = "k8"
    mt.drops["p2"].index = 0
    assert o.slots[0].index == 0 and mt.drops["p2"].index == 0
    assert saved(folder)["t_order"] == [None, None, None] and saved(folder)["t_match"] == {}


def test_a_saved_answer_that_chooses_nothing_is_not_announced_as_shown(folder):
    o = widgets.build("t_order", ctx(folder))
    o.slots[0].value = "notice"
    assert "saved answer is shown" in widgets.build("t_order", ctx(folder)).status.value
    o.slots[0].index = 0  # every step back to "Choose...": the file holds [null, null, null]
    assert saved(folder)["t_order"] == [None, None, None]
    again = widgets.build("t_order", ctx(folder))
    assert "saved answer is shown" not in again.status.value and [d.index for d in again.slots] == [0, 0, 0]


def test_scenario_branches_and_saves_the_path(folder):
    s = widgets.build("t_scn", ctx(folder))
    assert s.current() == "a" and s.confirm.disabled
    s.radio.value = "ok"
    assert not s.confirm.disabled
    s.confirm.click()
    assert saved(folder)["t_scn"] == [["a", "ok"]]
    assert s.current() == "b"
    s.radio.value = "good"
    s.confirm.click()
    assert saved(folder)["t_scn"] == [["a", "ok"], ["b", "good"]]
    assert s.current() == "end_a" and s.radio is None
    # the path is restored by a fresh run of the cell
    assert widgets.build("t_scn", ctx(folder)).current() == "end_a"
    # graded: no feedback text from the key is shown
    shown = " ".join(getattr(w, "value", "") for w in s.body.children if hasattr(w, "value"))
    assert "Partly." not in shown and "Yes." not in shown
    # a graded scenario is answered once: no way to clear the path and try again after seeing consequences
    assert not any(getattr(w, "description", "") == "Start this scenario again" for w in s.body.children)
    s.restart()
    assert saved(folder)["t_scn"] == [["a", "ok"], ["b", "good"]] and s.current() == "end_a"


def test_harmful_choice_leads_elsewhere(folder):
    s = widgets.build("t_scn", ctx(folder))
    s.choose("bad")
    assert s.current() == "end_b"


def test_option_order_is_per_trainee_deterministic_and_grading_ignores_it(folder):
    def order(trainee):
        return [v for _, v in widgets.build("t_single", ctx(folder, trainee)).radio.options]

    orders = {t: order(t) for t in ("ana", "ben", "cy", "dee", "eve", "fox")}
    assert order("ana") == orders["ana"]  # deterministic
    assert len({tuple(o) for o in orders.values()}) > 1  # differs across trainees
    assert all(sorted(o) == ["a", "b", "c"] for o in orders.values())
    # whatever the position, the saved value is the option id
    q = widgets.build("t_single", ctx(folder, "ben"))
    q.radio.value = "a"
    assert saved(folder)["t_single"] == "a"


def test_progress_panel_counts_answered_items(folder):
    c = ctx(folder)
    p = widgets.Progress(c)
    assert "0 of 6 graded items answered" in p.html.value  # 5 questions and scenarios, 1 reflection
    widgets.build("t_single", c).radio.value = "a"
    assert "1 of 6 graded items answered" in p.html.value  # refreshed by the save
    s = widgets.build("t_scn", c)
    s.choose("good")
    assert "1 of 6" in p.html.value  # an unfinished scenario is not answered
    s.choose("good")
    assert "2 of 6" in p.html.value
    r = widgets.build("t_reflect", c)
    r.area.value = "   "
    assert "2 of 6" in p.html.value  # blank is not written
    r.area.value = "I will ask first."
    assert "3 of 6" in p.html.value


def test_progress_counts_a_matching_or_ordering_item_only_when_every_part_is_chosen(folder):
    c = ctx(folder)
    p = widgets.Progress(c)
    mt, o = widgets.build("t_match", c), widgets.build("t_order", c)
    mt.drops["p2"].value = "k8"
    o.slots[0].value, o.slots[2].value = "notice", "act"
    assert "0 of 6" in p.html.value  # one situation of three matched, one step of three empty
    for d in mt.drops.values():
        d.value = "k8"
    o.slots[1].value = "ask"
    assert "2 of 6" in p.html.value
    o.slots[1].index = 0  # back to "Choose..."
    assert "1 of 6" in p.html.value and saved(folder)["t_order"] == ["notice", None, "act"]


def test_controls_have_labels(folder):
    c = ctx(folder)
    q = widgets.build("t_single", c)
    assert q.radio.description
    for d in widgets.build("t_match", c).drops.values():
        assert d.description.startswith("Situation")
    s = widgets.build("t_scn", c)
    assert s.radio.description and s.confirm.description == "Confirm this choice"


def test_missing_content_file_shows_a_message_not_an_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    widgets._contexts.clear()
    widgets.show("anything")  # must not raise
    widgets.progress()


def test_instructor_preview_never_writes_into_source(tmp_path, monkeypatch):
    monkeypatch.delenv("CPS_COURSE_ROOT", raising=False)
    root = write_course(tmp_path / "course")
    src = notebook_folder(root, root / "source" / "01_test")
    c = widgets.Context(src, trainee="trainer")
    q = widgets.build("t_single", c)
    q.radio.value = "a"
    assert not (src / "cps_answers.json").exists()
    assert (root / ".preview_answers" / "01_test" / "cps_answers.json").exists()
    assert "Instructor preview" in q.status.value


# Reflections: typed into a text area, saved to the answers file through the same store as choices.

def test_a_reflection_is_saved_as_typed_with_a_word_count(folder):
    r = widgets.build("t_reflect", ctx(folder))
    assert isinstance(r, widgets.Reflection) and r.area.value == "" and r.count.value == "0 words"
    assert not (folder / "cps_answers.json").exists()  # building never writes
    r.area.value = "I would ask what they want. Then I would add one short example."
    assert saved(folder) == {"t_reflect": "I would ask what they want. Then I would add one short example."}
    assert r.count.value == "13 words" and "Saved at" in r.status.value
    data = json.loads((folder / "cps_answers.json").read_text())
    assert "variant" not in data["answers"]["t_reflect"] and data["answers"]["t_reflect"]["at"].endswith("Z")
    r.area.value = ""
    assert saved(folder) == {"t_reflect": ""}  # clearing the box is saved too
    assert r.count.value == "0 words"


def test_a_reflection_and_choices_share_one_answers_file(folder):
    c = ctx(folder)
    widgets.build("t_single", c).radio.value = "b"
    widgets.build("t_reflect", c).area.value = "My words."
    widgets.build("t_order", c).slots[0].value = "ask"
    got = saved(folder)
    assert got["t_single"] == "b" and got["t_reflect"] == "My words." and got["t_order"][0] == "ask"


def test_a_rebuilt_reflection_shows_the_saved_text_and_writes_nothing(folder):
    widgets.build("t_reflect", ctx(folder)).area.value = "Kept words, $x$ and <b>tags</b> stay text."
    before = (folder / "cps_answers.json").read_bytes()
    r = widgets.build("t_reflect", ctx(folder))
    assert r.area.value == "Kept words, $x$ and <b>tags</b> stay text."
    assert "saved reflection is shown" in r.status.value
    assert "$x$" not in r.count.value + r.status.value  # the words are never put into an HTML widget
    assert (folder / "cps_answers.json").read_bytes() == before


def test_typing_is_saved_once_after_a_pause_in_a_running_event_loop(folder):
    """In a kernel, saving waits until the trainee pauses (debounced on the running event loop); `flush` makes
    the waiting save now. A long delay keeps the test free of timing."""
    import asyncio

    async def typing():
        r = widgets.Reflection(ctx(folder), "t_reflect", delay=3600)
        for n in range(1, 6):
            r.area.value = "dd abmy"[: n + 2]
        assert r.debounce.pending and not (folder / "cps_answers.json").exists()
        assert r.count.value == "2 words" and "Saving" in r.status.value
        r.flush()
        assert not r.debounce.pending
        return r

    r = asyncio.run(typing())
    assert saved(folder) == {"t_reflect": "dd abmy"} and "Saved at" in r.status.value


def test_a_reflection_is_capped_kindly(folder):
    from cps_ethics.store import MAX_REFLECTION_CHARS

    r = widgets.build("t_reflect", ctx(folder))
    r.area.value = "word " * (MAX_REFLECTION_CHARS // 5) + "more words past the end"
    assert len(r.area.value) == MAX_REFLECTION_CHARS
    assert saved(folder)["t_reflect"] == r.area.value
    assert "up to 20,000 characters" in r.status.value and "saved" in r.status.value
    r.area.value = r.area.value[:100]
    assert "up to 20,000" not in r.status.value


def test_a_crafted_overlong_reflection_is_shown_cut_and_not_rewritten(folder):
    from cps_ethics.store import MAX_REFLECTION_CHARS

    data = {"format": "cps-answers", "version": 1,
            "answers": {"t_reflect": {"value": "x" * (MAX_REFLECTION_CHARS + 500), "at": "2026-12-01T00:00:00.000Z"}}}
    (folder / "cps_answers.json").write_text(json.dumps(data))
    r = widgets.build("t_reflect", ctx(folder))
    assert len(r.area.value) == MAX_REFLECTION_CHARS
    assert len(saved(folder)["t_reflect"]) == MAX_REFLECTION_CHARS + 500  # nothing written by building


def test_a_reflection_has_a_label_and_is_shown_by_show(folder):
    r = widgets.build("t_reflect", ctx(folder))
    assert r.area.description == "Your reflection"


def test_every_show_output_carries_the_key_guard(folder, monkeypatch):
    """`show` displays each widget with the script that keeps key presses inside the course's controls."""
    from cps_ethics.notebook import widget_kit

    shown = []
    monkeypatch.setattr(widgets, "display", lambda *a, **k: shown.append(a[0]))
    monkeypatch.setattr(widget_kit, "display", lambda *a, **k: shown.append(a[0]))
    monkeypatch.chdir(folder)
    widgets._contexts.clear()
    widgets.show("t_reflect")
    widgets.show("t_order")
    guards = [x for x in shown if isinstance(x, dict)]
    assert len(guards) == 2 and all(g["text/plain"] == "" for g in guards)
    js = guards[0]["application/javascript"]
    assert "addEventListener('keydown'" in js and "stopPropagation" in js and ", true)" in js
