"""Autocomplete: the dataset's tags by count, the store's tags, and the tagger model's whole vocabulary."""

from __future__ import annotations

from loraprep.ops.workspace import Workspace
from loraprep.tagging.loader import cached_tags_file
from loraprep.tagging.registry import lookup
from tests.ops.sample_helpers import copy_sample, prepare


def test_autocomplete_offers_tags_only_the_model_knows(tmp_path):
    root = prepare(copy_sample(tmp_path), dedup=False)
    csv = root.parent / "tiny_tagger" / "selected_tags.csv"
    with open(csv, "a", encoding="utf-8") as fh:
        fh.write("20,zzz_only_in_the_model,0,1\n")  # after tagging: the vocabulary file is read as it is now
    with Workspace(root) as ws:
        offered = [t["tag"] for t in ws.vocabulary("zzz", 10)]
        assert offered == ["zzz only in the model"]
        vocab = ws.model_vocabulary()
        assert "general" not in vocab and vocab["blobby (loraprep)"] == "character"
        # the dataset's own tags still come first, ranked by how many images have them
        first = ws.vocabulary("", 3)
        assert first[0]["count"] >= first[1]["count"] >= first[2]["count"] > 0


def test_the_hub_cache_is_read_and_never_downloaded(tmp_path):
    info = lookup("wd-swinv2-v3")
    assert cached_tags_file("wd-swinv2-v3", cache_dir=tmp_path) is None  # empty cache: no file, no network
    repo = tmp_path / ("models--" + info.repo_id.replace("/", "--"))
    commit = "0123456789abcdef0123456789abcdef01234567"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    (snapshot / "selected_tags.csv").write_text("tag_id,name,category,count\n0,long_hair,0,5\n")
    found = cached_tags_file("wd-swinv2-v3", cache_dir=tmp_path)
    assert found is not None and found.read_text().endswith("long_hair,0,5\n")


def test_a_folder_without_the_file_offers_nothing(tmp_path):
    assert cached_tags_file(str(tmp_path)) is None
    assert cached_tags_file("not a model name") is None


def test_a_damaged_vocabulary_file_leaves_autocomplete_with_the_dataset_tags(tmp_path):
    root = prepare(copy_sample(tmp_path), dedup=False)
    (root.parent / "tiny_tagger" / "selected_tags.csv").write_text("not,a,tag,file\n1,2\n", encoding="utf-8")
    with Workspace(root) as ws:
        assert ws.model_vocabulary() == {}
        offered = ws.vocabulary("", 5)
        assert offered and all(t["count"] > 0 for t in offered)
