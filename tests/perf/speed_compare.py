"""Reference timings for tests/perf/speed_compare.ts (run by it; not a test).

Reads a JSON job from stdin: {"threads": T, "gp": {"x": [[...]], "y": [...], "z": [[...]]},
"gbdt": {"x": [[...]], "y": [...], "rows": N, "seed": S}} and prints one JSON line per
reference implementation: {"name", "fitS", "predictS", "note"} or {"name", "skipped": reason};
times are CPU seconds of the process (time.process_time), so a shared machine's load does not
inflate them.

- scikit-learn GaussianProcessRegressor, ARD Matern(nu=2.5) * Constant + White noise,
  normalize_y=False, one optimiser run (n_restarts_optimizer=0), then mean and std at z;
- LightGBM (regression, num_leaves 31, learning_rate 0.01, min_data_in_leaf 20, max_bin 255,
  1000 rounds, no early stopping), then predict on N Dirichlet(1) rows;
- XGBoost tree_method "hist" with the same tree budget (max_leaves 31, grow_policy
  lossguide, eta 0.01, min_child_weight 20, max_bin 255), then predict on the same rows;
- BoTorch SingleTaskMultiFidelityGP + fit_gpytorch_mll where installed.

Every library is limited to T threads.
"""

import json
import os
import sys
import time

job = json.load(sys.stdin)
threads = str(job["threads"])
for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[k] = threads

import numpy as np  # noqa: E402


def emit(obj):
    print(json.dumps(obj), flush=True)


def dirichlet_rows(n, d, seed):
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.ones(d), size=n)


def sklearn_gp():
    try:
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel
    except ImportError as e:
        return emit({"name": "scikit-learn GaussianProcessRegressor", "skipped": str(e)})
    x = np.array(job["gp"]["x"])
    y = np.array(job["gp"]["y"])
    z = np.array(job["gp"]["z"])
    kernel = ConstantKernel(1.0) * Matern(length_scale=np.ones(x.shape[1]), nu=2.5) + WhiteKernel(
        1e-2
    )
    gp = GaussianProcessRegressor(kernel=kernel, n_restarts_optimizer=0, random_state=0)
    t = time.process_time()
    gp.fit(x, y)
    fit = time.process_time() - t
    t = time.process_time()
    gp.predict(z, return_std=True)
    pred = time.process_time() - t
    emit({
        "name": "scikit-learn GaussianProcessRegressor",
        "fitS": fit,
        "predictS": pred,
        "note": f"{len(y)}x{x.shape[1]}, ARD Matern-5/2, L-BFGS-B on the LML, 1 start",
    })


def lightgbm_fit():
    try:
        import lightgbm as lgb
    except ImportError as e:
        return emit({"name": "LightGBM", "skipped": str(e)})
    g = job["gbdt"]
    x, y = np.array(g["x"]), np.array(g["y"])
    params = dict(objective="regression", num_leaves=31, learning_rate=0.01, min_data_in_leaf=20,
                  max_bin=255, verbosity=-1, seed=42, num_threads=int(threads))
    t = time.process_time()
    model = lgb.train(params, lgb.Dataset(x, y), num_boost_round=1000)
    fit = time.process_time() - t
    rows = dirichlet_rows(g["rows"], x.shape[1], g["seed"])
    t = time.process_time()
    model.predict(rows, num_threads=int(threads))
    pred = time.process_time() - t
    emit({"name": "LightGBM", "fitS": fit, "predictS": pred,
          "note": f"{len(y)}x{x.shape[1]}, 1000 rounds; {g['rows']} rows scored"})


def xgboost_fit():
    try:
        import xgboost as xgb
    except ImportError as e:
        return emit({"name": "XGBoost (hist)", "skipped": str(e)})
    g = job["gbdt"]
    x, y = np.array(g["x"]), np.array(g["y"])
    params = dict(tree_method="hist", grow_policy="lossguide", max_leaves=31, max_depth=0, eta=0.01,
                  min_child_weight=20, max_bin=255, nthread=int(threads), seed=42)
    t = time.process_time()
    model = xgb.train(params, xgb.DMatrix(x, y), num_boost_round=1000)
    fit = time.process_time() - t
    rows = dirichlet_rows(g["rows"], x.shape[1], g["seed"])
    t = time.process_time()
    model.predict(xgb.DMatrix(rows))
    pred = time.process_time() - t
    emit({"name": "XGBoost (hist)", "fitS": fit, "predictS": pred,
          "note": f"{len(y)}x{x.shape[1]}, 1000 rounds; {g['rows']} rows scored"})


def botorch_gp():
    try:
        import torch
        from botorch.fit import fit_gpytorch_mll
        from botorch.models import SingleTaskMultiFidelityGP
        from gpytorch.mlls import ExactMarginalLogLikelihood
    except ImportError as e:
        return emit({"name": "BoTorch SingleTaskMultiFidelityGP", "skipped": str(e)})
    torch.set_num_threads(int(threads))
    x = torch.tensor(job["gp"]["x"], dtype=torch.float64)
    y = torch.tensor(job["gp"]["y"], dtype=torch.float64).unsqueeze(-1)
    xf = torch.cat([x, torch.ones(x.shape[0], 1, dtype=torch.float64)], dim=-1)
    t = time.process_time()
    model = SingleTaskMultiFidelityGP(xf, y, data_fidelities=[x.shape[1]])
    fit_gpytorch_mll(ExactMarginalLogLikelihood(model.likelihood, model))
    fit = time.process_time() - t
    z = torch.tensor(job["gp"]["z"], dtype=torch.float64)
    zf = torch.cat([z, torch.ones(z.shape[0], 1, dtype=torch.float64)], dim=-1)
    t = time.process_time()
    with torch.no_grad():
        post = model.posterior(zf)
        post.mean, post.variance
    pred = time.process_time() - t
    emit({"name": "BoTorch SingleTaskMultiFidelityGP", "fitS": fit, "predictS": pred,
          "note": "fidelity column at 1 (the single-fidelity case)"})


sklearn_gp()
botorch_gp()
lightgbm_fit()
xgboost_fit()
