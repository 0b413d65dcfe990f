#!/usr/bin/env bash
# One-command GPU measurement for a machine without network (see tests/perf/gpu/README.md).
# Needs the carried folders .gpu (from prepare.sh: xz-compressed Deno, the benchmark ONNX,
# onnxruntime-web's WASM files) and .gl (Vulkan loader .debs). Unpacks them, then measures the
# WGSL kernels, onnxruntime-web WASM on every core and torch fp32 on the same ensemble and rows,
# and writes JSON under $OUT (default out/gpu), summary.json last.
set -uo pipefail
out=${OUT:-out/gpu}
rows=${ROWS:-1000000}
threads=${THREADS:-$(nproc)}
mkdir -p "$out" /tmp/mixbench-deno
if ! command -v deno >/dev/null 2>&1; then
  xz -dc .gpu/deno.xz > /tmp/mixbench-deno/deno && chmod +x /tmp/mixbench-deno/deno
  export PATH=/tmp/mixbench-deno:$PATH
fi
if [ -d .gl ] && ! ldconfig -p | grep -q libvulkan; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
if [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > "$out/gpu.txt" 2>&1 || true
deno run -A --no-config tests/perf/gpu/wgsl_vs_torch.ts "$out" "$rows" 2>&1 | tee "$out/wgsl.log"
deno run -A --no-config --node-modules-dir=manual tests/perf/gpu/wasm_rows.ts "$out" "$rows" \
  "$threads" .gpu 2>&1 | tee "$out/wasm.log"
python3 tests/perf/gpu/torch_mlp.py "$out" "$rows" 2>&1 | tee "$out/torch.log"
deno run -A --no-config tests/perf/gpu/summary.ts "$out" 2>&1 | tee "$out/summary.log"
