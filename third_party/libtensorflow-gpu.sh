#!/usr/bin/env bash
# Fetches the official TensorFlow 2.18.0 GPU (CUDA 12.5, cuDNN 9.3) C library into
# third_party/libtensorflow-gpu/, laid out so that the CUDA libraries are found without
# LD_LIBRARY_PATH.
#
# Source: the tensorflow==2.18.0 wheel (CPython 3.11, manylinux x86_64), which carries the
# CUDA build of the same C API as tensorflow-cpu, and the twelve NVIDIA wheels that
# `tensorflow[and-cuda]==2.18.0` pins (its METADATA's Requires-Dist for extra "and-cuda").
# Every wheel's sha256 is pinned below; a download that does not match is deleted and the
# script fails, so a partial or corrupt download is never used. About 2.4 GB to download,
# 4.4 GB unpacked. A second run, once the stamp file matches the pins, does nothing.
#
# Layout (DEST):
#   lib/libtensorflow_cc.so.2, lib/libtensorflow_framework.so.2 (+ the link-time symlinks)
#   include/                  the C API headers
#   nvidia/<pkg>/lib/         each NVIDIA wheel's libraries: TensorFlow's RUNPATH names
#                             $ORIGIN/../nvidia/{cudnn,cublas,cufft,cusolver,cusparse,
#                             cuda_cupti,cuda_runtime}/lib, i.e. these folders
#   nvidia/cuda_nvcc/{bin/ptxas,nvvm/}  ptxas and libdevice, found by TensorFlow at
#                             <lib>/../nvidia/cuda_nvcc (tsl's CandidateCudaRoots)
#   lib/libcupti.so.12, lib/libnccl.so.2 -> ../nvidia/...  (not in every RUNPATH; see below)
#   nvidia/nvrtc -> cuda_nvrtc  cuDNN's own RUNPATH says ../../nvrtc/lib (the wheel's folder
#                             is cuda_nvrtc); the link makes its runtime-compiled engines
#                             find libnvrtc.so.12
# Headers of the NVIDIA wheels and their Python files are not kept.
#
# Usage: third_party/libtensorflow-gpu.sh [DEST]   (default DEST: third_party/libtensorflow-gpu)
# LIBTENSORFLOW_GPU_WHEELS=DIR keeps the wheels in DIR (a cache): wheels already there whose
# sha256 matches are used as they are, missing ones are downloaded into it, and one whose
# sha256 does not match is deleted and downloaded again. Without it the wheels are
# downloaded to a temporary folder and deleted afterwards.
set -euo pipefail

TF_VERSION=2.18.0
# wheel file name, sha256 (pip download of each pinned version from PyPI, 2026-12-06)
PINS="
tensorflow-2.18.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl 70b8dd70fa3600bfce66ab529eebb804e1f9d7c863d2f71bc8fe9fc7a1ec3976
nvidia_cublas_cu12-12.5.3.2-py3-none-manylinux2014_x86_64.whl ca070ad70e9fa6654084575d01bd001f30cc4665e33d4bb9fc8e0f321caa034b
nvidia_cuda_cupti_cu12-12.5.82-py3-none-manylinux2014_x86_64.whl bde77a5feb66752ec61db2adfe47f56b941842825b4c7e2068aff27c9d107953
nvidia_cuda_nvcc_cu12-12.5.82-py3-none-manylinux2014_x86_64.whl b03e545b8e8c3ce7ebcd7fc44063180ff52ff01d064ece2127ed90a04ef12cd0
nvidia_cuda_nvrtc_cu12-12.5.82-py3-none-manylinux2014_x86_64.whl 3dbd97b0104b4bfbc3c4f8c79cd2496307c89c43c29a9f83125f1d76296ff3fd
nvidia_cuda_runtime_cu12-12.5.82-py3-none-manylinux2014_x86_64.whl 3e79a060e126df40fd3a068f3f787eb000fa51b251ec6cd97d09579632687115
nvidia_cudnn_cu12-9.3.0.75-py3-none-manylinux2014_x86_64.whl 9ad9c6929ebb5295eb4a1728024666d1c88283373e265a0c5c883e6f9d5cd76d
nvidia_cufft_cu12-11.2.3.61-py3-none-manylinux2014_x86_64.whl 9a6e8df162585750f61983a638104a48c756aa13f9f48e19ab079b38e3c828b8
nvidia_curand_cu12-10.3.6.82-py3-none-manylinux2014_x86_64.whl 2823fb27de4e44dbb22394a6adf53aa6e1b013aca0f8c22867d1cfae58405536
nvidia_cusolver_cu12-11.6.3.83-py3-none-manylinux2014_x86_64.whl 93cfafacde4428b71778eeb092ec615a02a3d05404da1bcf91c53e3fa1bce42b
nvidia_cusparse_cu12-12.5.1.3-py3-none-manylinux2014_x86_64.whl 016df8e993c437e8301e62739f01775cba988fd5253cd4c64173f8e8d2f8e752
nvidia_nccl_cu12-2.21.5-py3-none-manylinux2014_x86_64.whl 8579076d30a8c24988834445f8d633c697d42397e92ffc3f63fa26766d25e0a0
nvidia_nvjitlink_cu12-12.5.82-py3-none-manylinux2014_x86_64.whl f9b37bc5c8cf7509665cb6ada5aaa0ce65618f2332b7d3e78e9790511f111212
"

here=$(cd "$(dirname "$0")" && pwd)
dest=${1:-$here/libtensorflow-gpu}
stamp=$dest/.complete
pins_sha=$(printf '%s' "$PINS" | sha256sum | cut -d' ' -f1)

if [[ -f $stamp && $(cat "$stamp") == "$pins_sha" \
      && -e $dest/lib/libtensorflow_cc.so.2 && -e $dest/lib/libtensorflow_framework.so.2 \
      && -e $dest/include/tensorflow/c/c_api.h && -e $dest/nvidia/cudnn/lib/libcudnn.so.9 ]]; then
  exit 0
fi

if [[ $(uname -s)/$(uname -m) != Linux/x86_64 ]]; then
  echo "libtensorflow-gpu.sh: the CUDA build of TensorFlow $TF_VERSION is published for linux/x86_64 only" >&2
  exit 1
fi

pip=""
for p in pip3 pip "python3 -m pip"; do
  if $p --version >/dev/null 2>&1; then pip=$p; break; fi
done
if [[ -z $pip ]]; then
  echo "libtensorflow-gpu.sh: pip is needed to fetch the tensorflow==$TF_VERSION and NVIDIA wheels (apt-get install python3-pip)" >&2
  exit 1
fi

mkdir -p "$(dirname "$dest")"
work=$(mktemp -d "$(dirname "$dest")/.libtensorflow-gpu-fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
wheels=${LIBTENSORFLOW_GPU_WHEELS:-$work/wheels}
mkdir -p "$wheels"
wheels=$(cd "$wheels" && pwd)

# requirement prints the pip requirement (name==version) a pinned wheel file name stands for.
requirement() {
  local f=$1 name ver
  name=${f%%-*}
  ver=${f#*-}; ver=${ver%%-*}
  echo "${name//_/-}==$ver"
}

# missing lists the pinned wheels not (yet) in $wheels with their pinned sha256; a file
# there with another sha256 is reported and deleted.
missing() {
  local f sum got
  while read -r f sum; do
    [[ -z $f ]] && continue
    if [[ -e $wheels/$f ]]; then
      got=$(sha256sum "$wheels/$f" | cut -d' ' -f1)
      [[ $got == "$sum" ]] && continue
      echo "libtensorflow-gpu.sh: $f has sha256 '$got', want $sum; deleted, not used" >&2
      rm -f "$wheels/$f"
    fi
    echo "$f"
  done <<<"$PINS"
}

# Two attempts: wheels that fail to download or do not match their pinned hash are deleted
# and fetched once more (without pip's cache, which may hold the bad copy); never used.
# The NVIDIA wheels are tagged manylinux2014, TensorFlow's manylinux_2_17 (the same
# platform under two names); pip is given both.
for attempt in 1 2 3; do
  todo=$(missing)
  [[ -z $todo ]] && break
  if [[ $attempt == 3 ]]; then
    echo "libtensorflow-gpu.sh: could not get verified wheels for:" $todo >&2
    exit 1
  fi
  reqs=()
  for f in $todo; do reqs+=("$(requirement "$f")"); done
  echo "libtensorflow-gpu.sh: downloading ${#reqs[@]} wheels (about 2.4 GB in all, once; attempt $attempt): ${reqs[*]}" >&2
  nocache=""
  [[ $attempt == 2 ]] && nocache="--no-cache-dir"
  $pip download --quiet $nocache --no-deps --only-binary=:all: --python-version 3.11 \
      --implementation cp --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
      -d "$wheels" "${reqs[@]}" || true
done

echo "libtensorflow-gpu.sh: sha256 ok for all 13 wheels; unpacking" >&2
python3 - "$wheels" "$work/out" <<PY
import os, shutil, stat, sys, zipfile
wheels, out = sys.argv[1], sys.argv[2]
pins = [l.split()[0] for l in """$PINS""".split("\n") if l.strip()]
libs = {"tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"}
headers = ("tensorflow/include/tensorflow/c/", "tensorflow/include/tensorflow/core/platform/ctstring",
           "tensorflow/include/tsl/platform/ctstring", "tensorflow/include/xla/tsl/c/")

def copy(z, info, target):
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with z.open(info) as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    mode = (info.external_attr >> 16) & 0o777
    if mode & 0o111:  # ptxas
        os.chmod(target, os.stat(target).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)

for wheel in pins:
    with zipfile.ZipFile(os.path.join(wheels, wheel)) as z:
        for info in z.infolist():
            name = info.filename
            if name.endswith("/") or name.endswith("__init__.py"):
                continue
            if wheel.startswith("tensorflow-"):
                if name in libs:
                    copy(z, info, os.path.join(out, "lib", os.path.basename(name)))
                elif name.startswith(headers):
                    copy(z, info, os.path.join(out, "include", name[len("tensorflow/include/"):]))
            elif name.startswith("nvidia/"):
                parts = name.split("/")
                if len(parts) > 3 and parts[2] in ("lib", "bin", "nvvm"):
                    copy(z, info, os.path.join(out, name))
PY

ln -s libtensorflow_cc.so.2 "$work/out/lib/libtensorflow.so"
ln -s libtensorflow_cc.so.2 "$work/out/lib/libtensorflow_cc.so"
ln -s libtensorflow_framework.so.2 "$work/out/lib/libtensorflow_framework.so"
ln -s cuda_nvrtc "$work/out/nvidia/nvrtc"
# TensorFlow dlopens libcupti.so.12 (the profiler) and libnccl.so.2 by name too, and
# libtensorflow_framework's RUNPATH lacks cuda_cupti and both lack nccl; both RUNPATHs
# start with $ORIGIN/, so a link beside them is found whichever library calls dlopen.
ln -s ../nvidia/cuda_cupti/lib/libcupti.so.12 "$work/out/lib/libcupti.so.12"
ln -s ../nvidia/nccl/lib/libnccl.so.2 "$work/out/lib/libnccl.so.2"
echo "$pins_sha" > "$work/out/.complete"

rm -rf "$dest"
mv "$work/out" "$dest"
echo "libtensorflow-gpu.sh: TensorFlow $TF_VERSION GPU C library and CUDA 12.5 libraries ready in $dest" >&2
