#!/usr/bin/env bash
# One-command GPU measurement for a machine without network (see README "GPU benchmark"):
# unpacks the carried Deno binary and Vulkan loader, runs the WGSL benchmark and the torch
# reference on the same ensemble, and writes JSON under $OUT (default out/gpu).
set -uo pipefail
out=${OUT:-out/gpu}
rows=${ROWS:-1000000}
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
python3 tests/perf/gpu/torch_mlp.py "$out" "$rows" 2>&1 | tee "$out/torch.log"
