#!/usr/bin/env bash
# Builds the folders that run.sh needs on a GPU machine without network, from a machine with
# the project installed (`deno install`) and apt: .gpu (xz-compressed Deno binary, benchmark
# ONNX, onnxruntime-web's WASM files; ~45 MB) and .gl (Vulkan loader .debs). Both are
# git-ignored (.git/info/exclude); name them in the device run's carry.
set -euo pipefail
cd "$(dirname "$0")/../../.."
for d in /.gpu/ /.gl/; do
  grep -qxF "$d" .git/info/exclude 2>/dev/null || echo "$d" >> .git/info/exclude
done
deno run -A tests/perf/gpu/prepare.ts .gpu
[ -f .gpu/deno.xz ] || xz -9 -T0 -c "$(readlink -f "$(command -v deno)")" > .gpu/deno.xz
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  mkdir -p .gl /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  # shellcheck disable=SC2086
  apt-get $o update
  # shellcheck disable=SC2086
  (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
du -sh .gpu .gl
