"""Datasets made in the browser (issue 27): classes named, renamed and deleted, each
desk's own, and a learner alone's an upload too."""

import io

import numpy as np
import pytest
from PIL import Image

from cnnviz import collect, desk_uploads
from cnnviz.checks import desk_name
from cnnviz.collect_images import add_images
from cnnviz.data import load_dataset
from cnnviz.errors import CnnvizError


def png(value: int = 128, size=(12, 10)) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.full((*size, 3), value, np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def filled(dataset: str, desk, counts: dict[str, int]) -> None:
    for name, count in counts.items():
        collect.add_class(dataset, name, desk=desk)
        add_images(dataset, name, [(png(i * 20), f"{i}.png") for i in range(count)], desk=desk)


def test_a_new_dataset_is_an_empty_upload_of_its_desk(runs_dir):
    dataset = collect.new_dataset("  my   desk things ", desk="ann")
    assert dataset.startswith("upload:") and dataset.endswith("-my desk things")
    folder = runs_dir / "_uploads" / "ann" / dataset.partition(":")[2]
    assert folder.is_dir() and list(folder.iterdir()) == []
    (made,) = collect.made_datasets("ann")
    assert (made.id, made.label, made.classes) == (dataset, "my desk things", ())
    assert [u.id for u in desk_uploads.desk_uploads("ann")] == [dataset]
    assert collect.made_datasets("bob") == []


def test_classes_are_added_renamed_and_deleted(runs_dir):
    dataset = collect.new_dataset("things", desk="ann")
    assert collect.add_class(dataset, " red  cup ", desk="ann") == "red cup"
    collect.add_class(dataset, "pen", desk="ann")
    add_images(dataset, "red cup", [(png(), "a.png"), (png(9), "b.png")], desk="ann")
    assert collect.open_made(dataset, desk="ann").class_names == ["pen", "red cup"]
    assert collect.rename_class(dataset, "red cup", "mug", desk="ann") == "mug"
    made = collect.open_made(dataset, desk="ann")
    assert made.class_names == ["mug", "pen"]
    assert len(made.get("mug").images) == 2  # its images went with it
    collect.delete_class(dataset, "pen", desk="ann")
    assert collect.open_made(dataset, desk="ann").class_names == ["mug"]


@pytest.mark.parametrize(
    "action",
    [
        lambda d: collect.add_class(d, "CATS", desk="ann"),
        lambda d: collect.rename_class(d, "dogs", "Cats", desk="ann"),
    ],
)
def test_a_class_name_clash_is_refused_whatever_the_case(runs_dir, action):
    dataset = collect.new_dataset("pets", desk="ann")
    collect.add_class(dataset, "cats", desk="ann")
    collect.add_class(dataset, "dogs", desk="ann")
    with pytest.raises(CnnvizError, match="there is already a class named"):
        action(dataset)
    assert collect.open_made(dataset, desk="ann").class_names == ["cats", "dogs"]


def test_a_dataset_name_clash_is_refused_but_another_desk_may_use_it(runs_dir):
    collect.new_dataset("pets", desk="ann")
    with pytest.raises(CnnvizError, match="there is already a dataset named 'Pets'"):
        collect.new_dataset("Pets", desk="ann")
    collect.new_dataset("pets", desk="bob")


@pytest.mark.parametrize("name", ["", "   ", "../up", "a/b", ".hidden", "x" * 41, 3, "cats?"])
def test_a_class_name_that_is_no_folder_name_is_refused(runs_dir, name):
    dataset = collect.new_dataset("pets", desk="ann")
    with pytest.raises(CnnvizError, match=r"^class must be a name of letters.*Received: class="):
        collect.add_class(dataset, name, desk="ann")
    assert collect.open_made(dataset, desk="ann").classes == ()


def test_renaming_or_deleting_a_class_that_is_not_there(runs_dir):
    dataset = collect.new_dataset("pets", desk="ann")
    for action in (collect.rename_class, collect.delete_class):
        args = ("../../etc", "x") if action is collect.rename_class else ("../../etc",)
        with pytest.raises(CnnvizError, match="pets has no class '../../etc'"):
            action(dataset, *args, desk="ann")


def test_at_most_max_classes(runs_dir, monkeypatch):
    monkeypatch.setattr(collect, "MAX_CLASSES", 3)
    dataset = collect.new_dataset("many", desk="ann")
    for name in "abc":
        collect.add_class(dataset, name, desk="ann")
    with pytest.raises(CnnvizError, match="has 3 classes, the most"):
        collect.add_class(dataset, "d", desk="ann")


def test_another_desk_cannot_open_or_change_it(runs_dir):
    dataset = collect.new_dataset("pets", desk="ann")
    for desk in ("bob", None):
        with pytest.raises(CnnvizError, match="is not among"):
            collect.add_class(dataset, "cats", desk=desk)
    assert collect.open_made(dataset, desk="ann").classes == ()


def test_an_uploaded_zip_cannot_be_changed_as_a_made_dataset(runs_dir):
    from tests.helpers_uploads import stored_upload

    upload = stored_upload(runs_dir, "ann")
    with pytest.raises(CnnvizError, match="pets.zip is an uploaded zip"):
        collect.add_class(upload, "birds", desk="ann")
    assert collect.made_datasets("ann") == []


def test_problems_name_too_few_classes_an_empty_class_and_too_few_images(runs_dir):
    dataset = collect.new_dataset("pets", desk="ann")
    made = collect.open_made(dataset, desk="ann")
    assert collect.problems(made) == [
        "pets has 0 classes: a model tells classes apart, so add at least 2"
    ]
    filled(dataset, "ann", {"cats": 5, "dogs": 2, "fish": 0})
    made = collect.open_made(dataset, desk="ann")
    assert collect.problems(made) == [
        "class 'dogs' has 2 images: add at least 3 more (a class needs 5: some to learn "
        "from, one to test on)",
        "class 'fish' is empty: fill it, or delete it",
    ]
    with pytest.raises(CnnvizError) as caught:
        collect.check_ready(made)
    assert str(caught.value).endswith("Received: images={'cats': 5, 'dogs': 2, 'fish': 0}")
    collect.delete_class(dataset, "fish", desk="ann")
    add_images(dataset, "dogs", [(png(i), f"{i}.png") for i in range(3)], desk="ann")
    collect.check_ready(collect.open_made(dataset, desk="ann"))  # ready: nothing raised


def test_a_made_dataset_loads_as_an_upload_of_its_desk(runs_dir):
    dataset = collect.new_dataset("pets", desk="ann")
    filled(dataset, "ann", {"cats": 5, "dogs": 6})
    data = load_dataset(dataset, desk="ann", image_size=(8, 8))
    assert data.info.id == dataset and data.info.class_names == ("cats", "dogs")
    assert data.info.image_shape == (8, 8, 3)
    total = {k: sum(v) for k, v in data.info.per_class.items()}
    assert total["train"] + total["test"] == 11
    assert str(runs_dir) not in data.info.description


def test_a_learner_alone_makes_one_too_kept_in_uploads_itself(runs_dir):
    """Solo (no desk), the dataset sits in `_uploads/` itself: a folder named like an
    upload there is an upload of no desk, never a desk's (no desk may be so named)."""
    dataset = collect.new_dataset("pets", desk=None)
    folder = runs_dir / "_uploads" / dataset.partition(":")[2]
    assert folder.is_dir()
    filled(dataset, None, {"cats": 5, "dogs": 5})
    assert [u.id for u in desk_uploads.desk_uploads(None)] == [dataset]
    assert load_dataset(dataset, desk=None, image_size=(8, 8)).info.num_classes == 2
    with pytest.raises(CnnvizError, match="is not among desk"):
        load_dataset(dataset, desk="ann")  # a desk never reaches a solo learner's
    with pytest.raises(CnnvizError, match="desk must be a short name"):
        desk_name(folder.name)  # so no desk's folder can be this one
    assert desk_name("0123456789abcde-x") == "0123456789abcde-x"  # 15 hex digits: a name


def test_a_desk_named_like_an_upload_cannot_join(runs_dir, monkeypatch):
    from cnnviz import desks

    monkeypatch.setenv("CNNVIZ_CLASS_CODE", "maple-42")
    with pytest.raises(CnnvizError, match="desk must be a short name"):
        desks.join("maple-42", "0123456789abcdef-pets")


def test_a_change_is_seen_by_the_next_load_of_a_process(runs_dir):
    from cnnviz.data.recent import load_recent
    from cnnviz.data.uploaded import upload_stamp

    dataset = collect.new_dataset("pets", desk="ann")
    filled(dataset, "ann", {"cats": 5, "dogs": 5})
    before = upload_stamp(dataset, desk="ann")
    first = load_recent(dataset, desk="ann", image_size=(8, 8))
    assert load_recent(dataset, desk="ann", image_size=(8, 8)) is first  # kept
    add_images(dataset, "dogs", [(png(3), "more.png")], desk="ann")
    assert upload_stamp(dataset, desk="ann") != before
    again = load_recent(dataset, desk="ann", image_size=(8, 8))
    assert len(again.train) + len(again.test) == 11 == len(first.train) + len(first.test) + 1
    assert upload_stamp("digits", desk="ann") is None


def test_a_made_dataset_trains_and_may_be_named_by_a_link(runs_dir):
    from cnnviz.origins import check_origin
    from cnnviz.plan import TrainConfig
    from cnnviz.request import TrainRequest, run_job
    from cnnviz.rundir import create
    from cnnviz.runs import load_run
    from tests.helpers_runs import SPEC

    dataset = collect.new_dataset("pets", desk="ann")
    filled(dataset, "ann", {"cats": 6, "dogs": 6})
    assert check_origin(dataset) == dataset  # a link or a bundle may name it
    request = TrainRequest(
        SPEC, dataset, TrainConfig(epochs=1, batch_size=4), image_size=(12, 12), owner="ann"
    )
    run_dir = create(SPEC.to_dict(), request.source(), runs_dir=runs_dir)
    result = run_job(request, run_dir=run_dir)
    assert result.status == "completed", result.message
    run = load_run(run_dir.name)
    assert run.config["dataset"] == dataset and run.config["class_names"] == ["cats", "dogs"]
