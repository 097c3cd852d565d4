"""The Dask path: a LocalCluster with two worker processes gives the same dataset as the local pool."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tthc_extract.batch import read_table
from tthc_extract.batch.manifest import Manifest
from tthc_extract.batch.sink import TABLES
from tthc_extract.cli import app

from .corpus import QB, QN, TG, all_flat, canonical, copy_sample

distributed = pytest.importorskip("distributed")
runner = CliRunner()


def test_dask_run_equals_local_run(tmp_path: Path) -> None:
    src = tmp_path / "in"
    for sample in (QB, QN, TG):
        copy_sample(src / f"{sample}.txt", f"{sample}.txt")
        copy_sample(src / "word" / f"{sample}.docx", f"{sample}.swap.docx")
    copy_sample(src / "none.txt", "no_metadata.txt")
    local, dask = tmp_path / "local", tmp_path / "dask"
    res = runner.invoke(app, ["extract", str(src), "-o", str(local), "-q", "-j", "2"])
    assert res.exit_code == 0, res.output
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster:
        res = runner.invoke(app, ["extract", str(src), "-o", str(dask), "-q", "--executor", "dask",
                                  "--scheduler", cluster.scheduler_address])
        assert cluster.scheduler.task_prefixes["process"].state_counts["memory"] == 7  # ran on the cluster
    assert res.exit_code == 0, res.output
    assert "7 file(s): 7 extracted, 0 failed" in res.stdout
    for name in TABLES:
        assert canonical(read_table(dask, name), name).equals(canonical(read_table(local, name), name)), name
    assert all_flat(dask) == all_flat(local)
    jsons = sorted(p.relative_to(local) for p in local.rglob("*.json") if p.name != "manifest.json")
    assert len(jsons) == 7
    assert sorted(p.relative_to(dask) for p in dask.rglob("*.json") if p.name != "manifest.json") == jsons
    for rel in jsons:
        assert (dask / rel).read_bytes() == (local / rel).read_bytes(), rel
    strip = {"seconds": 0.0, "hashed_ns": 0}
    assert ({k: vars(e) | strip for k, e in Manifest.load(dask).entries.items()}
            == {k: vars(e) | strip for k, e in Manifest.load(local).entries.items()})


def test_dask_alone_starts_a_local_cluster(tmp_path: Path) -> None:
    copy_sample(tmp_path / "a.txt", f"{TG}.txt")
    res = runner.invoke(app, ["extract", str(tmp_path / "a.txt"), "-o", str(tmp_path / "o"), "-q",
                              "--executor", "dask", "-j", "1"])
    assert res.exit_code == 0, res.output
    assert "1 file(s): 1 extracted, 0 failed" in res.stdout and (tmp_path / "o" / "a.txt.json").is_file()
