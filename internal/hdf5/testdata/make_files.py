"""Writes the golden HDF5 files for internal/hdf5's tests, and expected.json.

Run from the repository root:  bench/.venv/bin/python internal/hdf5/testdata/make_files.py
Uses h5py and Keras from bench/.venv (Keras 3.15.1; h5py as installed there).
"""
import json
import os
import zipfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np
import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
expected = {"h5py": h5py.__version__, "hdf5": h5py.version.hdf5_version, "files": {}}


def describe(path):
    """Records every group, dataset and attribute of path as the Go test expects them."""
    out = {"groups": [], "datasets": {}, "attrs": {}, "children": {}}

    def attrs(name, obj):
        for k, v in obj.attrs.items():
            out["attrs"][(name + "/" + k) if name else "/" + k] = value(v)

    def value(v):
        if isinstance(v, bytes):
            return v.decode()
        if isinstance(v, str):
            return v
        a = np.asarray(v)
        if a.dtype.kind in "SO":
            return [x.decode() if isinstance(x, bytes) else str(x) for x in a.ravel()]
        if a.dtype.kind == "U":
            return [str(x) for x in a.ravel()]
        return [float(x) for x in a.astype(np.float64).ravel()]

    with h5py.File(path, "r") as f:
        attrs("", f)
        out["children"]["/"] = sorted(f.keys())

        def visit(name, obj):
            name = "/" + name
            attrs(name, obj)
            if isinstance(obj, h5py.Group):
                out["groups"].append(name)
                out["children"][name] = sorted(obj.keys())
                return
            a = obj[()]
            d = {"shape": list(obj.shape), "dtype": obj.dtype.str if obj.dtype.kind != "O" else "vlen-str",
                 "layout": obj.id.get_create_plist().get_layout()}
            if obj.dtype.kind in "fiub":
                a64 = np.asarray(a).astype(np.float64)
                d["sum"] = float(a64.sum())
                d["abs_sum"] = float(np.abs(a64).sum())
                if a64.size <= 64:
                    d["values"] = [float(x) for x in a64.ravel()]
            else:
                d["strings"] = value(a)
            out["datasets"][name] = d

        f.visititems(visit)
    return out


def options_file():
    path = os.path.join(HERE, "options.h5")
    rng = np.random.default_rng(7)
    with h5py.File(path, "w") as f:
        f.attrs["scalar_int"] = np.int64(-42)
        f.attrs["scalar_float"] = np.float32(1.5)
        f.attrs["fixed_str"] = np.bytes_(b"fixed width")
        f.attrs["vlen_str"] = "variable length ünïcode"
        f.attrs["vlen_str_list"] = ["a", "bc", "def"]
        f.attrs["int_list"] = np.array([1, 2, 3], dtype=np.int32)
        f.create_dataset("contiguous_f32", data=rng.standard_normal((3, 4)).astype(np.float32))
        f.create_dataset("contiguous_f64", data=rng.standard_normal((5,)))
        f.create_dataset("scalar_f64", data=np.float64(3.25))
        f.create_dataset("int32", data=np.arange(-5, 7, dtype=np.int32).reshape(3, 4))
        f.create_dataset("int64", data=np.arange(10, dtype=np.int64) * 10**10)
        f.create_dataset("uint8", data=np.arange(250, 256, dtype=np.uint8))
        f.create_dataset("int8", data=np.array([-128, -1, 0, 127], dtype=np.int8))
        f.create_dataset("int16", data=np.array([-300, 300], dtype=np.int16))
        f.create_dataset("uint16", data=np.array([1, 65535], dtype=np.uint16))
        f.create_dataset("uint32", data=np.array([1, 4294967295], dtype=np.uint32))
        f.create_dataset("bool", data=np.array([True, False, True]))
        f.create_dataset("float16", data=np.array([0.5, -2, 65504], dtype=np.float16))
        f.create_dataset("bigendian_f32", data=np.array([1.5, -2.25], dtype=">f4"))
        f.create_dataset("empty", data=np.zeros((0, 3), dtype=np.float32))
        f.create_dataset("compact", data=np.arange(6, dtype=np.float32),
                         **{"compact": True} if False else {})
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        space = h5py.h5s.create_simple((2, 3))
        ds = h5py.h5d.create(f.id, b"compact_layout", h5py.h5t.NATIVE_FLOAT, space, dcpl=dcpl)
        ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(6, dtype=np.float32).reshape(2, 3) / 4)
        big = rng.standard_normal((37, 21)).astype(np.float32)
        f.create_dataset("chunked", data=big, chunks=(8, 5))
        f.create_dataset("chunked_gzip", data=big, chunks=(10, 7), compression="gzip", compression_opts=6)
        f.create_dataset("chunked_gzip_shuffle", data=big, chunks=(16, 16), compression="gzip", shuffle=True)
        f.create_dataset("chunked_many", data=np.arange(4000, dtype=np.float64), chunks=(10,))
        f.create_dataset("chunked_1elem", data=np.arange(3, dtype=np.int32), chunks=(1,))
        f.create_dataset("fletcher", data=np.arange(20, dtype=np.float32), chunks=(5,), fletcher32=True)
        f.create_dataset("lzf", data=np.arange(20, dtype=np.float32), chunks=(5,), compression="lzf")
        f.create_dataset("vlen_strings", data=["one", "two", "three is longer"], dtype=h5py.string_dtype())
        f.create_dataset("fixed_strings", data=np.array([b"ab", b"cde"], dtype="S3"))
        g = f.create_group("nested/deeper")
        g.create_dataset("x", data=np.float32(7))
        g.attrs["note"] = "deep"
        many = f.create_group("many_links")
        for i in range(40):
            many.create_dataset("d%02d" % i, data=np.array([i], dtype=np.int32))
        tracked = f.create_group("tracked", track_order=True)
        for name in ["zeta", "alpha", "mid"]:
            tracked.create_group(name)
        f["soft"] = h5py.SoftLink("/nested/deeper")
    return path


def options_latest_file():
    path = os.path.join(HERE, "latest.h5")
    with h5py.File(path, "w", libver="latest") as f:
        f.attrs["vlen_str"] = "latest format"
        f.create_dataset("a", data=np.arange(12, dtype=np.float32).reshape(3, 4))
        f.create_dataset("chunked", data=np.arange(100, dtype=np.float32), chunks=(10,), maxshape=(100,))
        f.create_dataset("chunked_2d_gzip", data=np.arange(77, dtype=np.float64).reshape(7, 11),
                         chunks=(3, 4), compression="gzip", shuffle=True)
        f.create_dataset("unlimited", data=np.arange(10, dtype=np.float32), chunks=(4,), maxshape=(None,))
        g = f.create_group("many")
        for i in range(30):
            g.create_dataset("d%02d" % i, data=np.array([i, -i], dtype=np.int64))
        f.create_group("few").create_dataset("y", data=np.ones((2, 2)))
        # Enough links for a fractal heap with an indirect root block and a version 2
        # B-tree of depth 1: soft links, which need no object header each.
        huge = f.create_group("huge")
        for i in range(1200):
            huge["soft_link_number_%04d" % i] = h5py.SoftLink("/a")
    return path


def keras_files():
    import keras
    keras.utils.set_random_seed(3)
    inp = keras.Input((8, 8, 2))
    x = keras.layers.Conv2D(3, 3, name="conv")(inp)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(4, name="dense")(x)
    img = keras.Model(inp, x)
    seq_in = keras.Input((5,), dtype="int32")
    s = keras.layers.Embedding(11, 3, name="embed")(seq_in)
    s = keras.layers.LSTM(4, name="lstm")(s)
    s = keras.layers.Dense(2, name="head")(s)
    model = keras.Model([inp, seq_in], [x, s], name="golden")
    keras_path = os.path.join(HERE, "m.keras")
    model.save(keras_path)
    with zipfile.ZipFile(keras_path) as z:
        data = z.read("model.weights.h5")
    os.remove(keras_path)
    weights = os.path.join(HERE, "model.weights.h5")
    with open(weights, "wb") as w:
        w.write(data)
    legacy = os.path.join(HERE, "legacy.h5")
    model.save(legacy)
    return [weights, legacy]


for p in [options_file(), options_latest_file()] + keras_files():
    expected["files"][os.path.basename(p)] = describe(p)
with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True, ensure_ascii=False)
