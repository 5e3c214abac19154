"""Trustworthiness@15 of 2-D layouts, on a 5 000-point sample, as the issue defines the quality bar:
"trustworthiness@15 (on a 5 000-point sample)".

What it measures: a uniform sample of 5 000 rows (without replacement, numpy default_rng(seed),
seed 0 unless --seed; every layout gets the same rows) is taken from the embeddings and from each
layout, and sklearn.manifold.trustworthiness(X_sample, layout_sample, n_neighbors=15,
metric='euclidean') is computed on those rows alone. So this is the trustworthiness OF THE
5 000-POINT SUBSAMPLE: neighbours are the 15 nearest among the sampled points (in the original
space and in the layout), not among all N points. It is comparable between layouts of the same
data (same sample), not with a full-N trustworthiness. 1.0 = no false neighbours in the layout.
With N <= 5 000 every row is used.

Usage:
  /usr/bin/python3 trustworthiness.py emb.npy layout1.npy [layout2.npy ...] [--normalize]
      [--sample 5000] [--k 15] [--seed 0]
--normalize L2-normalises the embedding rows first (use it when the layouts were made from
normalised data). Prints one line per layout: "<path>\ttrustworthiness@15=<value>\tsample=<n>".
Needs numpy and scikit-learn.
"""
import argparse

import numpy as np
from sklearn.manifold import trustworthiness


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("emb")
    p.add_argument("layouts", nargs="+")
    p.add_argument("--normalize", action="store_true")
    p.add_argument("--sample", type=int, default=5000)
    p.add_argument("--k", type=int, default=15)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    x = np.load(args.emb).astype(np.float32, copy=False)
    if args.normalize:
        x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    n = x.shape[0]
    m = min(args.sample, n)
    idx = np.sort(np.random.default_rng(args.seed).choice(n, size=m, replace=False))
    xs = x[idx]
    for path in args.layouts:
        y = np.load(path)
        if y.shape != (n, 2):
            print(f"{path}\terror: shape {y.shape}, expected ({n}, 2)")
            continue
        t = trustworthiness(xs, y[idx].astype(np.float64), n_neighbors=args.k, metric="euclidean")
        print(f"{path}\ttrustworthiness@{args.k}={t:.4f}\tsample={m}")


if __name__ == "__main__":
    main()
