"""The umap-learn baseline for `embedding-inspector project`: the same 2-D UMAP layout
(n_neighbors=15, min_dist=0.1, metric='euclidean', everything else umap-learn's defaults) computed
by the reference implementation, so its time, peak memory and layout quality can be set against ours.

Measures, in one process, and prints as JSON on the last line:
  import_s   importing numpy + umap (numba, pynndescent, sklearn come with it)
  warmup_s   numba JIT warm-up: a fit of a tiny 500 x dim Gaussian dataset with the same settings
             (force_approximation_algorithm=True, so NNDescent is compiled too; umap-learn would
             otherwise use exact kNN below 4 096 points and leave the NNDescent JIT to the real fit)
  load_s     reading the .npy (and --normalize)
  fit_s      UMAP(...).fit_transform on the real data (JIT already warm)
The JIT cost depends on numba's on-disk cache (NUMBA_CACHE_DIR): point it at an empty folder to
measure a first run.

Modes:
  default      random_state=None: umap-learn's parallel mode (numba threads = all cores).
  --seed 42    random_state=42: reproducible; umap-learn 0.5.x then runs the layout optimisation
               single-threaded (parallel=False); in 0.5.3 the NNDescent kNN still uses the threads.

Usage:
  /usr/bin/python3 umap_learn.py emb.npy [--normalize] [--seed 42] [--out layout.npy] [--verbose]
Peak RSS: run under /usr/bin/time -v ("Maximum resident set size").
Needs numpy, umap-learn (Debian: apt-get install umap-learn python3-sklearn).
"""
import argparse
import json
import sys
import time

t_start = time.perf_counter()
import numpy as np  # noqa: E402
import umap  # noqa: E402

t_imported = time.perf_counter()


def make_model(args, **extra):
    return umap.UMAP(
        n_neighbors=15,
        min_dist=0.1,
        metric="euclidean",
        random_state=args.seed,
        **extra,
    )


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("emb", help="N x dim embeddings .npy")
    p.add_argument("--normalize", action="store_true", help="L2-normalise rows first")
    p.add_argument("--seed", type=int, default=None,
                   help="random_state (reproducible, single-threaded layout); default None = parallel")
    p.add_argument("--out", help="write the N x 2 float32 layout here")
    p.add_argument("--verbose", action="store_true", help="umap-learn's own progress lines (kNN / SGD timestamps)")
    args = p.parse_args()

    # (a) JIT warm-up on 500 points with the real dimension and dtype.
    dim = np.load(args.emb, mmap_mode="r").shape[1]
    t0 = time.perf_counter()
    rng = np.random.default_rng(0)
    tiny = rng.standard_normal((500, dim)).astype(np.float32)
    if args.normalize:
        tiny /= np.maximum(np.linalg.norm(tiny, axis=1, keepdims=True), 1e-12)
    make_model(args, force_approximation_algorithm=True).fit_transform(tiny)
    warmup = time.perf_counter() - t0

    # (b) the real fit.
    t0 = time.perf_counter()
    x = np.load(args.emb).astype(np.float32, copy=False)
    if args.normalize:
        x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    layout = make_model(args, verbose=args.verbose).fit_transform(x)
    fit = time.perf_counter() - t0

    if args.out:
        np.save(args.out, layout.astype(np.float32))
    import numba
    print(json.dumps({
        "umap": umap.__version__ if hasattr(umap, "__version__") else None,
        "n": int(x.shape[0]), "dim": int(x.shape[1]), "normalize": args.normalize,
        "seed": args.seed, "numba_threads": numba.config.NUMBA_NUM_THREADS,
        "import_s": round(t_imported - t_start, 3), "warmup_s": round(warmup, 3),
        "load_s": round(load, 3), "fit_s": round(fit, 3),
        "total_s": round(time.perf_counter() - t_start, 3),
    }))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
