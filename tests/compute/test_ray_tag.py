"""The Ray pipelines' pure decisions: batches as rows, blocks, actor pool size, batch size, decode memory."""

from __future__ import annotations

import pytest

from loraprep.compute.ray_data import IMAGES_PER_BLOCK, blocks_for, chunks
from loraprep.compute.ray_tag import batch_size_for, decode_memory, plan_actors
from loraprep.errors import ClusterError, ModelError


def test_chunks_keep_the_order_and_cut_the_batches_the_local_engine_cuts():
    items = [(f"id{i}", f"s3://b/{i}.png") for i in range(11)]
    rows = chunks(items, 4)
    assert [len(r["keys"]) for r in rows] == [4, 4, 3]
    assert [k for r in rows for k in r["keys"]] == [k for k, _ in items]
    assert rows[2]["locations"] == ["s3://b/8.png", "s3://b/9.png", "s3://b/10.png"]
    assert chunks([], 4) == [] and len(chunks(items, 0)) == 11


@pytest.mark.parametrize("rows, per_row, expected", [(1, 4, 1), (16, 4, 1), (17, 4, 2), (100, 1, 2),
                                                     (3, 500, 3), (0, 8, 1)])
def test_blocks_hold_about_a_block_of_images(rows, per_row, expected):
    assert blocks_for(rows, per_row) == expected
    assert IMAGES_PER_BLOCK == 64


def test_one_actor_per_gpu_share():
    assert plan_actors(64, 8, 2, 1) == plan_actors(64, 8.0, 2, 1.0)
    assert plan_actors(64, 8, 2, 1).count == 8
    assert plan_actors(64, 8, 2, 2).count == 4
    plan = plan_actors(16, 1, 1, 0.5)
    assert (plan.count, plan.num_gpus, plan.num_cpus) == (2, 0.5, 1)


def test_gpus_asked_for_on_a_cluster_without_them():
    with pytest.raises(ClusterError, match="has 0 GPU"):
        plan_actors(32, 0, 4, 1)


def test_cpu_actors_one_per_node_reserving_no_cpu():
    plan = plan_actors(2, 0, 1, 0)
    assert (plan.count, plan.num_cpus, plan.num_gpus) == (1, 0, 0)     # the decode tasks may use both CPUs
    assert plan_actors(96, 0, 3, 0).count == 3
    assert plan_actors(1, 0, 0, 0).count == 1
    with pytest.raises(ClusterError, match="no CPU"):
        plan_actors(0, 4, 1, 0)


class _Tagger:
    key = "m@1"
    input_size = 448

    def __init__(self, fixed=None):
        self.fixed_batch = fixed


def test_batch_size_given_chosen_or_fixed():
    assert batch_size_for(_Tagger(), 7, 0) == 7
    assert batch_size_for(_Tagger(), None, 1) == 32               # the local engine's accelerator choice
    assert batch_size_for(_Tagger(), None, 0) in (4, 8)
    assert batch_size_for(_Tagger(fixed=2), None, 1) == 2
    with pytest.raises(ModelError, match="only accepts batches of 2"):
        batch_size_for(_Tagger(fixed=2), 3, 0)


def test_decode_memory_grows_with_the_batch():
    assert decode_memory(32, 448) > decode_memory(1, 448) > 256 << 20
