#!/usr/bin/env python3
"""Dead disks for a simulated dead cluster: each destroyed store as a raw ext4 image whose
first MiBs a ballast overwrote (issue 21, docs/carving.md).

For OUT_DIR written by make_dead_cluster.py, writes OUT_DIR/disks/nN.img for every store in
OUT_DIR/destroyed/: an ext4 filesystem (`mke2fs -t ext4 -d`, 4 KiB blocks) holding the store's
files, then with --obsolete every table of the other destroyed stores added under a spare
number and deleted again (`debugfs -w`), so their bytes stay in free space like tables a
node compacted away or whose ranges moved off it; finally the first --ballast-mib MiB are
zeroed, destroying the superblock, group descriptors and inode tables as the 2021 ballast
script did. Needs e2fsprogs (scripts/setup.sh). Prints each image and its SHA-256.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile


def make_disk(store_dir, img, size_mib, ballast_mib, obsolete):
    stage = tempfile.mkdtemp(prefix="salvage-disk-")
    try:
        for name in sorted(os.listdir(store_dir)):
            shutil.copy(os.path.join(store_dir, name), os.path.join(stage, name))
        spare = []
        for i, path in enumerate(obsolete):
            name = "%06d.sst" % (900000 + i)
            shutil.copy(path, os.path.join(stage, name))
            spare.append(name)
        with open(img, "wb") as f:
            f.truncate(size_mib << 20)
        subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-d", stage, img], check=True)
        for name in spare:
            subprocess.run(["debugfs", "-w", "-R", "rm " + name, img], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(img, "r+b") as f:
            f.write(b"\0" * (ballast_mib << 20))
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--size-mib", type=int, default=16)
    ap.add_argument("--ballast-mib", type=int, default=4)
    ap.add_argument("--obsolete", action="store_true",
                    help="leave the other destroyed stores' tables in each image's free space")
    a = ap.parse_args(argv)
    destroyed = os.path.join(a.out_dir, "destroyed")
    if not os.path.isdir(destroyed):
        sys.exit("%s: no destroyed/ (run make_dead_cluster.py first)" % a.out_dir)
    disks = os.path.join(a.out_dir, "disks")
    os.makedirs(disks, exist_ok=True)
    stores = sorted(os.listdir(destroyed))
    for s in stores:
        others = [os.path.join(destroyed, o, n) for o in stores if o != s
                  for n in sorted(os.listdir(os.path.join(destroyed, o))) if n.endswith(".sst")]
        img = os.path.join(disks, s + ".img")
        make_disk(os.path.join(destroyed, s), img, a.size_mib, a.ballast_mib, others if a.obsolete else [])
        with open(img, "rb") as f:
            print(img, hashlib.sha256(f.read()).hexdigest())


if __name__ == "__main__":
    main()
