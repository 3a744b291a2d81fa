#!/usr/bin/env bash
# Fetches the official TensorFlow 2.18.0 CPU C library into third_party/libtensorflow/.
#
# Source: the tensorflow-cpu==2.18.0 wheel (CPython 3.11, manylinux x86_64) from PyPI, the
# same files TF Java links its C API against. Only the two shared libraries and the C headers
# are kept. The wheel's sha256 is pinned below; a download that does not match it is deleted
# and the script fails, so a partial or corrupt download is never used. A second run, once
# the stamp file exists and matches, does nothing.
#
# Usage: third_party/libtensorflow.sh [DEST]   (default DEST: third_party/libtensorflow)
set -euo pipefail

TF_VERSION=2.18.0
WHEEL=tensorflow_cpu-2.18.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
WHEEL_SHA256=089e71746960ea581dca53401f84b3b99c8537313e337a9e5dbf97036a936f7e

here=$(cd "$(dirname "$0")" && pwd)
dest=${1:-$here/libtensorflow}
stamp=$dest/.complete

if [[ -f $stamp && $(cat "$stamp") == "$WHEEL_SHA256" \
      && -e $dest/lib/libtensorflow_cc.so.2 && -e $dest/lib/libtensorflow_framework.so.2 \
      && -e $dest/include/tensorflow/c/c_api.h ]]; then
  exit 0
fi

if [[ $(uname -s)/$(uname -m) != Linux/x86_64 ]]; then
  echo "libtensorflow.sh: only linux/x86_64 is fetched automatically; set LIBTENSORFLOW_DIR to a prebuilt libtensorflow (lib/ + include/)" >&2
  exit 1
fi

pip=""
for p in pip3 pip "python3 -m pip"; do
  if $p --version >/dev/null 2>&1; then pip=$p; break; fi
done
if [[ -z $pip ]]; then
  echo "libtensorflow.sh: pip is needed to fetch the tensorflow-cpu==$TF_VERSION wheel (apt-get install python3-pip), or set LIBTENSORFLOW_DIR" >&2
  exit 1
fi

mkdir -p "$(dirname "$dest")"
work=$(mktemp -d "$(dirname "$dest")/.libtensorflow-fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Two attempts: a download that fails or does not match the pinned hash is deleted and
# fetched once more (without pip's cache, which may hold the bad copy); never used.
ok=""
for attempt in 1 2; do
  rm -rf "$work/wheel"
  echo "libtensorflow.sh: downloading tensorflow-cpu==$TF_VERSION (about 230 MB, once; attempt $attempt)" >&2
  nocache=""
  [[ $attempt == 2 ]] && nocache="--no-cache-dir"
  if $pip download --quiet $nocache --no-deps --only-binary=:all: --python-version 3.11 \
      --implementation cp --platform manylinux_2_17_x86_64 \
      -d "$work/wheel" "tensorflow-cpu==$TF_VERSION"; then
    got=$(sha256sum "$work/wheel/$WHEEL" 2>/dev/null | cut -d' ' -f1)
    if [[ $got == "$WHEEL_SHA256" ]]; then ok=1; break; fi
    echo "libtensorflow.sh: $WHEEL has sha256 '$got', want $WHEEL_SHA256; deleted, not used" >&2
  fi
done
if [[ -z $ok ]]; then
  echo "libtensorflow.sh: could not get a verified tensorflow-cpu==$TF_VERSION wheel; set LIBTENSORFLOW_DIR to use a prebuilt libtensorflow" >&2
  exit 1
fi

echo "libtensorflow.sh: sha256 ok; unpacking the C library and headers" >&2
python3 - "$work/wheel/$WHEEL" "$work/out" <<'PY'
import os, shutil, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
libs = {"tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"}
headers = ("tensorflow/include/tensorflow/c/", "tensorflow/include/tensorflow/core/platform/ctstring",
           "tensorflow/include/tsl/platform/ctstring", "tensorflow/include/xla/tsl/c/")
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name = info.filename
        if name.endswith("/"):
            continue
        if name in libs:
            target = os.path.join(out, "lib", os.path.basename(name))
        elif name.startswith(headers):
            target = os.path.join(out, "include", name[len("tensorflow/include/"):])
        else:
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(info) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
PY

# The link-time names: graft links -ltensorflow (the C API lives in libtensorflow_cc).
ln -s libtensorflow_cc.so.2 "$work/out/lib/libtensorflow.so"
ln -s libtensorflow_cc.so.2 "$work/out/lib/libtensorflow_cc.so"
ln -s libtensorflow_framework.so.2 "$work/out/lib/libtensorflow_framework.so"
echo "$WHEEL_SHA256" > "$work/out/.complete"

rm -rf "$dest"
mv "$work/out" "$dest"
echo "libtensorflow.sh: TensorFlow $TF_VERSION C library ready in $dest" >&2
