#!/bin/bash
# The GPU paths on a machine with an NVIDIA GPU, in one prepared run (target: under 8 minutes):
# installs what is missing from the package registries (Vulkan loader, node dependencies, the
# optional tfjs-node-gpu, a CUDA PyTorch), then bench/gpu-check.ts runs minima's WebGPU backend
# (Dawn over the NVIDIA Vulkan driver) and tfjs-node-gpu if it loads on the quickstart CNN,
# ResNet-20 and WRN-16-4, checks their losses against the CPU path and measures samples/s next to
# PyTorch on the same GPU; then the README's quickstart runs through the CLI on wasm and on WebGPU.
# Writes one JSON file: $OUT/gpu-check.json (OUT set) or bench/gpu-check.json; setup problems are
# recorded in it too (gpu-check-setup.json beside it).
# Usage, from the repository root: bash scripts/gpu-check.sh
# Offline (a GPU machine that reaches no package registry): on a linux-x64 machine that has run
# `npm ci`, `node scripts/gpu-bundle.mjs` writes .gpu-bundle.tar.xz (node, the check and the CLI
# bundled, Dawn, the Vulkan loader's and glvnd's .debs); with that file in the checkout, this uses it
# instead of installing anything (or name it: GPU_CHECK_BUNDLE=path).
# Env: GPU_CHECK_NO_INSTALL=1 (install nothing), GPU_CHECK_NO_TORCH=1, GPU_CHECK_NO_TFJS_NODE=1,
#      GPU_CHECK_STEPS=8 (timed steps per case), GPU_CHECK_BUDGET=300 (seconds for the minima cases),
#      GPU_CHECK_MODELS=cnn,resnet20,wrn16-4, GPU_CHECK_NO_QUICKSTART=1, GPU_CHECK_QUICKSTART_ARGS
#      (overrides for the quickstart runs, e.g. "train.epochs=1")
set -u
cd "$(dirname "$0")/.."
out_dir=${OUT:-bench}
mkdir -p "$out_dir"
setup="$out_dir/gpu-check-setup.json"
notes=()
note() { echo "gpu-check: $*" >&2; notes+=("$*"); }
start=$(date +%s)
install=$([ "${GPU_CHECK_NO_INSTALL:-0}" = 1 ] && echo 0 || echo 1)
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }

# 0. The offline bundle, when there is one and no node_modules: unpacked outside the checkout; its
#    node goes first on PATH and its Vulkan loader is used when the machine has none.
bundle=${GPU_CHECK_BUNDLE:-}
[ -z "$bundle" ] && [ -f .gpu-bundle.tar.xz ] && [ ! -d node_modules/@tensorflow/tfjs-core ] && bundle=.gpu-bundle.tar.xz
bundle_dir=
if [ -n "$bundle" ]; then
  bundle_dir=${TMPDIR:-/tmp}/minima-gpu-bundle
  rm -rf "$bundle_dir" && mkdir -p "$bundle_dir"
  if command -v xz >/dev/null; then tar -C "$bundle_dir" -xJf "$bundle"
  else python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$bundle" "$bundle_dir"; fi \
    || { echo "gpu-check: could not unpack $bundle" >&2; exit 1; }
  export PATH="$bundle_dir/bin:$PATH"
  install=0
  note "offline bundle $bundle ($(tr -d '\n ' < "$bundle_dir/BUNDLE.json" | head -c 300))"
fi

# 1. The GPU and its driver.
gpu=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -n 1)
[ -n "$gpu" ] || note "nvidia-smi found no NVIDIA GPU; the WebGPU path will use whatever adapter Dawn finds"

# 2. Vulkan: the loader (libvulkan1) and the NVIDIA ICD. Container images often have the driver's
#    libGLX_nvidia but no ICD file; the NVIDIA driver's Vulkan implementation lives in that library.
#    That library also needs glvnd's libGLdispatch when it creates an instance.
has_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
if [ -n "$bundle_dir" ] && ls "$bundle_dir"/debs/*.deb >/dev/null 2>&1 && ! { has_lib 'libvulkan\.so\.1' && has_lib 'libGLdispatch\.so\.0'; }; then
  # unpacked beside the bundle, not into /: the loader and glvnd need only libc
  for deb in "$bundle_dir"/debs/*.deb; do dpkg-deb -x "$deb" "$bundle_dir/sysroot" || note "dpkg-deb -x $deb failed"; done
  export LD_LIBRARY_PATH="$bundle_dir/sysroot/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  note "Vulkan loader and glvnd from the bundle ($(cd "$bundle_dir/debs" && echo *.deb))"
elif ! has_lib 'libvulkan\.so\.1'; then
  if [ "$install" = 1 ] && command -v apt-get >/dev/null; then
    (as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libvulkan1 libglvnd0) >/dev/null 2>&1 \
      || note "apt-get install libvulkan1 libglvnd0 failed"
  else
    note "libvulkan.so.1 missing (apt-get install libvulkan1)"
  fi
fi
# (/usr/local/nvidia: where some GPU hosts mount the driver, read-only, ICD file included)
icd=$(ls /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd*.json 2>/dev/null | head -n 1)
if [ -z "$icd" ]; then
  glx=$(ldconfig -p 2>/dev/null | awk '/libGLX_nvidia\.so\.0/ {print $NF; exit}')
  if [ -n "$glx" ]; then
    icd_dir=/etc/vulkan/icd.d
    if as_root mkdir -p "$icd_dir" 2>/dev/null && as_root sh -c "printf '%s\n' '{\"file_format_version\": \"1.0.0\", \"ICD\": {\"library_path\": \"$glx\", \"api_version\": \"1.3\"}}' > $icd_dir/nvidia_icd.json"; then
      icd=$icd_dir/nvidia_icd.json
      note "wrote $icd pointing at $glx (the image had the driver but no Vulkan ICD file)"
    fi
  else
    note "no NVIDIA Vulkan ICD and no libGLX_nvidia.so.0: the container may lack the graphics capability (NVIDIA_DRIVER_CAPABILITIES=all)"
  fi
fi
# both names: VK_DRIVER_FILES for loaders from 1.3.234 on, VK_ICD_FILENAMES for older ones
[ -n "$icd" ] && export VK_ICD_FILENAMES="$icd" VK_DRIVER_FILES="$icd"

# 3. Node 20+ and minima's dependencies.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  note "node >= 20 needed (found ${node_major}); install it (e.g. NodeSource's nodejs 20) and rerun"
  printf '{"error": "node >= 20 not found", "gpu": "%s"}\n' "$gpu" > "$out_dir/gpu-check.json"
  exit 1
fi
if [ -z "$bundle_dir" ] && [ ! -d node_modules/@tensorflow/tfjs-core ]; then
  if [ "$install" = 1 ]; then timeout 240 npm ci --no-audit --no-fund >/dev/null 2>&1 || note "npm ci failed"; else note "node_modules missing"; fi
fi
# 4. tfjs-node-gpu (optional: libtensorflow 2.9 wants CUDA 11.2 / cuDNN 8; a newer driver stack
#    often makes it fail to load, which the JSON then records).
[ -n "$bundle_dir" ] && note "tfjs-node-gpu is not in the offline bundle: its install script downloads libtensorflow from storage.googleapis.com"
if [ "${GPU_CHECK_NO_TFJS_NODE:-0}" != 1 ] && [ "$install" = 1 ] && [ ! -d node_modules/@tensorflow/tfjs-node-gpu ]; then
  version=$(node -p 'require("./node_modules/@tensorflow/tfjs-core/package.json").version')
  (timeout 200 npm install --no-save --no-audit --no-fund "@tensorflow/tfjs-node-gpu@$version" >/dev/null 2>&1 \
    && timeout 120 npm rebuild @tensorflow/tfjs-node-gpu >/dev/null 2>&1) || note "tfjs-node-gpu did not install (the tensorflow row records why it does not load)"
fi
# 5. PyTorch with CUDA, for the reference column.
if [ "${GPU_CHECK_NO_TORCH:-0}" != 1 ] && ! python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  if [ "$install" = 1 ] && command -v python3 >/dev/null; then
    timeout 240 python3 -m pip install --quiet torch >/dev/null 2>&1 || note "pip install torch failed or timed out: no PyTorch column"
  fi
fi

elapsed=$(( $(date +%s) - start ))
budget=${GPU_CHECK_BUDGET:-$(( 420 - elapsed > 120 ? 420 - elapsed - 60 : 120 ))}
{
  printf '{"gpu": "%s", "vulkan_icd": "%s", "setup_seconds": %d, "notes": [' "$gpu" "${icd:-}" "$elapsed"
  sep=''; for n in "${notes[@]+"${notes[@]}"}"; do printf '%s%s' "$sep" "$(node -p 'JSON.stringify(process.argv[1])' "$n")"; sep=', '; done
  printf ']}\n'
} > "$setup"
echo "gpu-check: setup took ${elapsed} s; running bench/gpu-check.ts (budget ${budget} s)" >&2
check=(node --import tsx bench/gpu-check.ts)
[ -n "$bundle_dir" ] && check=(node "$bundle_dir/app/gpu-check.mjs")
OUT="$out_dir" timeout $(( 380 - elapsed > 60 ? 380 - elapsed : 60 )) \
  "${check[@]}" --steps="${GPU_CHECK_STEPS:-8}" --budget="$budget" --models="${GPU_CHECK_MODELS:-cnn,resnet20,wrn16-4}"
rc=$?

# 6. The README's quickstart through the CLI, on the CPU path and on WebGPU: `minima run --json`'s
#    result line of each (summary included), so a user sees the end-to-end run and its accuracy.
minima=(node bin/minima.js)
[ -n "$bundle_dir" ] && minima=(node "$bundle_dir/app/dist/minima.mjs")
quick="$out_dir/gpu-check-quickstart.jsonl"
: > "$quick"
if [ "${GPU_CHECK_NO_QUICKSTART:-0}" != 1 ]; then
  for backend in wasm webgpu; do
    run_dir=$(mktemp -d)/quickstart
    echo "gpu-check: minima run configs/quickstart.yaml --backend $backend" >&2
    # shellcheck disable=SC2086 # the overrides are words
    line=$(timeout 120 "${minima[@]}" run configs/quickstart.yaml --backend "$backend" --run-dir "$run_dir" --json -q ${GPU_CHECK_QUICKSTART_ARGS:-} 2>"$run_dir.err" | tail -n 1)
    if [ -z "$line" ]; then line=$(node -p 'JSON.stringify({error: require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").slice(-3).join(" | ")})' "$run_dir.err"); fi
    printf '{"backend": "%s", "result": %s}\n' "$backend" "$line" >> "$quick"
    node -e 'const r = JSON.parse(process.argv[1]); const s = r.summary; console.error(s ? `gpu-check:   ${s.status}: ${s.wall_time_s} s, ${s.samples_per_s} samples/s, test.accuracy ${s.final["test.accuracy"]}, test.loss ${s.final["test.loss"].toFixed(5)}` : `gpu-check:   failed: ${r.error ?? JSON.stringify(r)}`)' "$line"
  done
fi
[ -f "$out_dir/gpu-check.json" ] && node -e '
  const fs = require("fs"); const [file, setupFile, quickFile] = process.argv.slice(1);
  const r = JSON.parse(fs.readFileSync(file, "utf8")); r.setup = JSON.parse(fs.readFileSync(setupFile, "utf8"));
  // the quickstart rows without the per-class metrics, which make the file long and say nothing here
  r.quickstart = fs.readFileSync(quickFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).map(({ backend, result }) => {
    const s = result.summary;
    if (!s) return { backend, error: result.error ?? `exit ${result.exit_code}` };
    const pick = ["train.loss", "test.loss", "test.accuracy"];
    return { backend, status: s.status, device: s.backend, wall_time_s: s.wall_time_s, samples_per_s: s.samples_per_s,
      final: Object.fromEntries(pick.map((k) => [k, s.final[k]])) };
  });
  fs.writeFileSync(file, JSON.stringify(r, null, 2) + "\n");' "$out_dir/gpu-check.json" "$setup" "$quick"
echo "gpu-check: done in $(( $(date +%s) - start )) s (exit $rc); results in $out_dir/gpu-check.json" >&2
exit $rc
