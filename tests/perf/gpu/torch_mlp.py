"""Torch fp32 reference for the GPU scoring benchmark: the same ensemble (ensemble.json written by
wgsl_vs_torch.ts) scored on the same mixtures (regenerated in float32 on the GPU), inputs resident.
Usage: python3 torch_mlp.py OUT_DIR [ROWS]"""
import json, sys, time
import torch

out = sys.argv[1]
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
e = json.load(open(f"{out}/ensemble.json"))
dev = "cuda"
m = e["inputs"]
shift = torch.tensor(e["featureShift"], device=dev)
scale = torch.tensor(e["featureScale"], device=dev)
offset = torch.tensor(e["offset"], device=dev)
members = [[(torch.tensor(l["weight"], device=dev).view(l["inputs"], l["outputs"]), torch.tensor(l["bias"], device=dev)) for l in ls] for ls in e["members"]]
act = torch.nn.functional.silu if e["activation"] == "silu" else torch.tanh

def forward(x):
    f = torch.cat([x, torch.log(x + e["logEpsilon"])], dim=1) if e["features"] == "linear+log" else x
    f = (f - shift) * scale
    outs = []
    for ls in members:
        h = f
        for i, (w, b) in enumerate(ls):
            h = torch.addmm(b, h, w)
            if i < len(ls) - 1:
                h = act(h)
        outs.append(h)
    o = torch.stack(outs)
    return o.mean(0) + offset, o.std(0, unbiased=False)

g = torch.Generator(device=dev).manual_seed(0)
x = torch.distributions.Dirichlet(torch.full((m,), 0.5, device=dev)).sample((rows,))
with torch.no_grad():
    for _ in range(3):
        forward(x)
    torch.cuda.synchronize()
    ts = []
    for _ in range(9):
        t0 = time.perf_counter(); forward(x); torch.cuda.synchronize(); ts.append(time.perf_counter() - t0)
    ts.sort()
    # torch.compile fuses the elementwise work; report it too when it works.
    compiled = None
    try:
        cf = torch.compile(forward)
        for _ in range(3):
            cf(x)
        torch.cuda.synchronize()
        cs = []
        for _ in range(9):
            t0 = time.perf_counter(); cf(x); torch.cuda.synchronize(); cs.append(time.perf_counter() - t0)
        cs.sort(); compiled = cs[4] * 1000
    except Exception as err:  # noqa: BLE001
        compiled = f"failed: {err}"[:200]
res = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "rows": rows,
       "torchEagerMs": ts[4] * 1000, "torchEagerRowsPerSec": rows / ts[4], "torchCompiledMs": compiled}
print(json.dumps(res, indent=2))
json.dump(res, open(f"{out}/torch.json", "w"), indent=2)
