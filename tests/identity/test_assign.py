"""Nearest reference character, DBSCAN over a neighbourhood matrix, and unknown-N names: pure decisions."""

from __future__ import annotations

import numpy as np

from loraprep.identity.assign import cluster_names, dbscan, nearest_characters


def test_nearest_character_takes_the_closest_reference_within_the_threshold():
    # rows: pictures; columns: references of ann, ann, bob
    diff = np.array([[0.05, 0.30, 0.40],
                     [0.40, 0.35, 0.12],
                     [0.21, 0.25, 0.22],
                     [0.16, 0.02, 0.01]], np.float32)
    got = nearest_characters(diff, ["ann", "ann", "bob"], 0.2)
    assert [c for c, _ in got] == ["ann", "bob", None, "bob"]
    assert abs(got[2][1] - 0.21) < 1e-6


def test_no_references_leaves_every_picture_unassigned():
    assert nearest_characters(np.zeros((3, 0), np.float32), [], 0.2) == [(None, 1.0)] * 3


def _adjacency(points: np.ndarray, eps: float) -> np.ndarray:
    return np.abs(points[:, None] - points[None, :]) <= eps


def test_dbscan_finds_dense_groups_and_leaves_lone_points_as_noise():
    points = np.array([0.0, 0.1, 0.15, 5.0, 5.05, 5.1, 5.2, 9.0, 20.0])
    labels = dbscan(_adjacency(points, 0.2), min_samples=2)
    assert len(set(labels[:3])) == 1 and len(set(labels[3:7])) == 1
    assert labels[0] != labels[3] and labels[0] >= 0 and labels[3] >= 0
    assert labels[7] == -1 and labels[8] == -1


def test_dbscan_chains_through_core_points_but_not_through_border_points():
    # 0-1-2 chain (each a core with min_samples 2); 3 touches only 2; with min_samples 3, 0 and 3 are borders
    points = np.array([0.0, 1.0, 2.0, 3.0, 10.0])
    chained = dbscan(_adjacency(points, 1.0), min_samples=2)
    assert len(set(chained[:4])) == 1 and chained[4] == -1
    strict = dbscan(_adjacency(points, 1.0), min_samples=3)
    assert set(strict[:4]) == {0} and strict[4] == -1


def test_cluster_names_number_the_largest_first_and_skip_names_in_use():
    labels = np.array([1, 1, 0, 0, 0, -1, 2])
    assert cluster_names(labels) == {0: "unknown-1", 1: "unknown-2", 2: "unknown-3"}
    assert cluster_names(labels, {"unknown-1", "unknown-3"}) == {0: "unknown-2", 1: "unknown-4", 2: "unknown-5"}
