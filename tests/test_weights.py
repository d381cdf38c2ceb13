"""Tuned numbers live in weights/ and the code's defaults are the shipped files."""

from __future__ import annotations

from dataclasses import asdict

from dateline import cluster, timeline, weights


def test_cluster_defaults_are_the_shipped_settings():
    assert asdict(cluster.Params()) == weights.load("cluster")
    assert cluster.DEFAULT_PARAMS == cluster.Params()


def test_cluster_background_is_a_table_of_fractions():
    table = cluster.Params.background()
    assert len(table) > 1000
    assert all(0.0 < value <= 1.0 for value in table.values())


def test_timeline_defaults_are_the_shipped_parameters():
    shipped = {k: v for k, v in weights.load("timeline").items() if not k.startswith("_")}
    assert timeline.DEFAULT_PARAMS == shipped
    assert timeline.load_params() == shipped
    assert set(shipped["date_weights"]) == set(timeline.DATE_FEATURES)


def test_load_returns_a_fresh_copy():
    first = weights.load("extract")
    first["roles"].clear()
    assert weights.load("extract")["roles"]
