#!/usr/bin/env python3
"""Run `salvage recover` as shards on Apache Spark; the output equals a one-machine run.

    spark-submit contrib/spark/salvage_spark.py --salvage ./salvage --shards 64 \
        --out /mnt/shared/recovered /mnt/shared/stores/n1 /mnt/shared/stores/n6 ...

Steps: `salvage plan` on the driver (OUT/shards/plan.json), one Spark task per shard running
`salvage recover --plan ... --shard I --out OUT` with the binary shipped by SparkContext.addFile,
Spark's own task retries (spark.task.maxFailures), then `salvage finish OUT` on the driver.
Stores and OUT must be paths every executor can read (and OUT write): NFS, a FUSE mount of
HDFS or of an object store. See README.md beside this file.
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import time


def _local_with_retries(master, max_failures):
    """Spark's local mode ignores spark.task.maxFailures: `local[N]` never retries, `local[N,F]` does."""
    m = re.fullmatch(r"local\[(\d+|\*)\]", master or "")
    return f"local[{m.group(1)},{max_failures}]" if m else master


def make_shard_runner(salvage_name, plan, out, jobs, inject_failure):
    """The task body, a closure so that it ships to executors with its settings."""

    def run_shard(shard):
        from pyspark import SparkFiles, TaskContext

        binary = SparkFiles.get(salvage_name)
        if not os.access(binary, os.X_OK):
            os.chmod(binary, 0o755)
        ctx = TaskContext.get()
        attempt = ctx.attemptNumber() if ctx else 0
        if inject_failure is not None and shard == inject_failure:
            # Test hook: the first attempt dies midway, leaving a half-written shard behind.
            marker = os.path.join(out, "shards", f".injected-failure-{shard}")
            if not os.path.exists(marker):
                open(marker, "w").close()
                os.makedirs(os.path.join(out, "shards", f"{shard}.tmp-injected", ".salvage-work"), exist_ok=True)
                raise RuntimeError(f"shard {shard}: injected failure (attempt {attempt})")
        cmd = [binary, "recover", "--plan", plan, "--shard", str(shard), "--out", out]
        if jobs:
            cmd += ["--jobs", str(jobs)]
        started = time.time()
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            # Non-zero only on a real error: Spark retries the task.
            raise RuntimeError(f"shard {shard} (attempt {attempt}) on {socket.gethostname()}: exit {p.returncode}: {p.stderr.strip()[-2000:]}")
        with open(os.path.join(out, "shards", str(shard), "shard.json")) as f:
            stats = json.load(f)
        return {
            "shard": shard, "attempt": attempt, "host": socket.gethostname(),
            "rows": stats["rows"], "chunks": stats["chunks"], "bytes_estimated": stats["bytes_estimated"],
            "seconds": round(time.time() - started, 3), "reused": "already complete" in p.stdout,
        }

    return run_shard


def recover(stores, salvage, shards, out, sc=None, master=None, max_failures=4, jobs=None,
            plan_args=(), inject_failure=None, log=print):
    """Plans, runs every shard as a Spark task, finishes. Returns (finish exit status, statistics)."""
    from pyspark import SparkConf, SparkContext

    salvage = os.path.abspath(salvage)
    out = os.path.abspath(out)
    stores = [os.path.abspath(s) for s in stores]
    os.makedirs(os.path.join(out, "shards"), exist_ok=True)
    plan = os.path.join(out, "shards", "plan.json")
    p = subprocess.run([salvage, "plan", *stores, "--shards", str(shards), "--out", plan, *plan_args],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"salvage plan failed (exit {p.returncode}): {p.stderr.strip()}")
    log(p.stdout.strip())

    own = sc is None
    if own:
        conf = SparkConf().setAppName(f"salvage recover ({shards} shards)")
        conf.set("spark.task.maxFailures", str(max_failures))
        # One shard = one task = one salvage process; no speculative duplicates needed.
        conf.set("spark.speculation", "false")
        if master:
            conf.setMaster(_local_with_retries(master, max_failures))
        sc = SparkContext.getOrCreate(conf)
    try:
        sc.addFile(salvage)
        runner = make_shard_runner(os.path.basename(salvage), plan, out, jobs, inject_failure)
        started = time.time()
        results = sc.parallelize(range(shards), shards).map(runner).collect()
        wall = time.time() - started
    finally:
        if own:
            sc.stop()

    f = subprocess.run([salvage, "finish", out], capture_output=True, text=True)
    if f.returncode not in (0, 2):
        raise RuntimeError(f"salvage finish failed (exit {f.returncode}): {f.stderr.strip()}")
    log(f.stdout.strip())
    results.sort(key=lambda r: r["shard"])
    secs = [r["seconds"] for r in results] or [0]
    stats = {
        "shards": shards, "rows": sum(r["rows"] for r in results), "wall_seconds": round(wall, 3),
        "shard_seconds_max": max(secs), "shard_seconds_mean": round(sum(secs) / len(secs), 3),
        "retried_shards": [r["shard"] for r in results if r["attempt"] > 0],
        "finish_status": f.returncode, "per_shard": results,
    }
    with open(os.path.join(out, "shards", "spark-stats.json"), "w") as fh:
        json.dump(stats, fh, indent=1, sort_keys=True)
    return f.returncode, stats


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("stores", nargs="+", help="surviving store directories (shared storage)")
    ap.add_argument("--salvage", required=True, help="salvage binary to ship to the executors")
    ap.add_argument("--shards", type=int, required=True, help="number of shards (tasks)")
    ap.add_argument("--out", required=True, help="output directory (shared storage)")
    ap.add_argument("--master", help="Spark master (default: spark-submit's); local[N] gets retries")
    ap.add_argument("--max-failures", type=int, default=4, help="attempts per task (spark.task.maxFailures)")
    ap.add_argument("--jobs", type=int, help="store readers per shard (default: the executor's cores)")
    ap.add_argument("--plan-arg", action="append", default=[],
                    help="extra `salvage plan` argument, repeatable (e.g. --plan-arg=--as-of --plan-arg=...)")
    ap.add_argument("--inject-failure", type=int, help=argparse.SUPPRESS)   # tests only
    a = ap.parse_args(argv)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    status, stats = recover(a.stores, a.salvage, a.shards, a.out, master=a.master, max_failures=a.max_failures,
                            jobs=a.jobs, plan_args=a.plan_arg, inject_failure=a.inject_failure)
    print(f"{stats['shards']} shard(s), {stats['rows']} rows, {stats['wall_seconds']} s on Spark "
          f"(slowest shard {stats['shard_seconds_max']} s); retried: {stats['retried_shards'] or 'none'}")
    return status


if __name__ == "__main__":
    sys.exit(main())
