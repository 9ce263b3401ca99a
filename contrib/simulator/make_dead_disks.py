#!/usr/bin/env python3
"""Dead disks for a simulated dead cluster: each destroyed store as a raw ext4 image whose
first MiBs a ballast overwrote (issue 21, docs/carving.md).

For OUT_DIR written by make_dead_cluster.py, writes OUT_DIR/disks/nN.img for every store in
OUT_DIR/destroyed/: an ext4 filesystem (`mke2fs -t ext4 -d`, 4 KiB blocks) holding the store's
files, then with --obsolete every table of the other destroyed stores added under a spare
number and deleted again (`debugfs -w`), so their bytes stay in free space like tables a
node compacted away or whose ranges moved off it; finally the first --ballast-mib MiB are
zeroed, destroying the superblock, group descriptors and inode tables as the 2021 ballast
script did. With --split-table each store's largest table is left in two extents (its first
half moved to free blocks near the end of the image, its old place overwritten). Needs e2fsprogs (scripts/setup.sh). Prints each image and its SHA-256.
"""
import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile


def split_table(img, name, size_mib, seed):
    """Moves the first (almost) half of table `name`'s blocks to free blocks near the end of the image
    and fills their old place with random bytes (reused by another file): the table is then in
    two extents, its footer's extent where it was. The inode is not updated (the ballast
    destroys it anyway). Returns (moved blocks, old first block, new first block), or None when the table has fewer
    than 3 blocks (or is not contiguous)."""
    out = subprocess.run(["debugfs", "-R", "blocks " + name, img], check=True, capture_output=True, text=True).stdout
    blocks = [int(b) for b in out.split()]
    # Fewer than half, and at least 3 blocks: the footer's extent keeps the index and meta blocks.
    half = (len(blocks) - 1) // 2
    if len(blocks) < 3 or blocks != list(range(blocks[0], blocks[0] + len(blocks))):
        return None
    goal = (size_mib << 8) - half - 64
    out = subprocess.run(["debugfs", "-R", "ffb %d %d" % (half, goal), img], check=True, capture_output=True, text=True).stdout
    free = [int(b) for b in out.split(":")[1].split()]
    if free != list(range(free[0], free[0] + half)):
        sys.exit("%s: no %d free contiguous blocks near the end" % (img, half))
    rnd = random.Random(seed)
    with open(img, "r+b") as f:
        f.seek(blocks[0] * 4096)
        head = f.read(half * 4096)
        f.seek(free[0] * 4096)
        f.write(head)
        f.seek(blocks[0] * 4096)
        f.write(bytes(rnd.getrandbits(8) for _ in range(half * 4096)))
    return half, blocks[0], free[0]


def make_disk(store_dir, img, size_mib, ballast_mib, obsolete, split=False):
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
        if split:
            sst = sorted((os.path.getsize(os.path.join(store_dir, n)), n) for n in os.listdir(store_dir) if n.endswith(".sst"))
            moved = split_table(img, sst[-1][1], size_mib, sst[-1][0])
            if moved:
                print("%s: %s split: its first %d block(s) moved from block %d to %d" % ((img, sst[-1][1]) + moved))
            else:
                print("%s: %s has fewer than 3 blocks (or is not contiguous): not split" % (img, sst[-1][1]))
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
    ap.add_argument("--split-table", action="store_true",
                    help="write each store's largest table in two extents: its first half moved to free blocks near "
                         "the image's end, its old place overwritten (a table split across extents)")
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
        make_disk(os.path.join(destroyed, s), img, a.size_mib, a.ballast_mib, others if a.obsolete else [], a.split_table)
        with open(img, "rb") as f:
            print(img, hashlib.sha256(f.read()).hexdigest())


if __name__ == "__main__":
    main()
