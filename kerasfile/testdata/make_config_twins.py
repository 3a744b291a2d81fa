"""Rebuilds every shipped classifier config (configs/*.yaml), and the discriminator of every
shipped GAN, in Keras, layer for layer, and saves each as a .keras file with Keras's outputs on fixed inputs, for importer's
TestShippedConfigsInKeras (`make keras-configs`; the files are 0.1 to 10 MB, not committed).

    bench/.venv/bin/python kerasfile/testdata/make_config_twins.py DIR

tfrun's YAML uses Keras's class names and arguments, so a layer {type: T, a: 1, ...} is built
as keras.layers.T(a=1, ...): a config argument that Keras does not know fails here, which is
part of the check. The translations are Keras's own spellings of the same thing: a
regularizer written {l2: 1e-4} is keras.regularizers.L1L2(l2=1e-4); Bidirectional's layer
is built the same way; tfrun's own keys (implementation, call) are not Keras arguments.
Sequential configs become keras.Sequential models; functional ones (model.inputs, call)
keras.Model graphs. The input of each model is the config's data: IMDB token ids
[maxlen] (int32), MNIST and Fashion-MNIST images [28, 28, 1], CIFAR-10 [32, 32, 3], or a
CSV's feature columns; pixels and features reach the model as float32, as tfrun feeds them.

A GAN's discriminator is NAME_discriminator (on the data's images); its generator is not
rebuilt, since tfrun import does not take a model whose output is an image yet. For each model NAME it writes NAME.keras and NAME.json (make_models.py's
format) and
index.json: {"models": {NAME: {"ids": bool}}, "skipped": {NAME: why}}. A Sequential config
that Keras cannot build is an error (exit 1, after writing the others); a functional one
that needs a layer outside keras.layers (keras_hub's PositionEmbedding) or has several
inputs (the conditional GAN's networks) is skipped with the reason.
"""
import glob
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np
import keras
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_models import randomize_bn, save  # noqa: E402

TFRUN_ONLY = {"call", "implementation"}  # tfrun's keys, not Keras arguments
IMAGE_SHAPES = {"mnist": (28, 28, 1), "fashion_mnist": (28, 28, 1), "cifar10": (32, 32, 3)}


class Skip(Exception):
    """A config this script does not rebuild, and why."""


def regularizer(v):
    if isinstance(v, dict):
        v = {k: x for k, x in v.items() if k != "type"}
        return keras.regularizers.L1L2(l1=v.get("l1", 0.0), l2=v.get("l2", 0.0))
    return v  # "l1", "l2": Keras's own names


def layer(spec):
    spec = dict(spec)
    kind = spec.pop("type")
    cls = getattr(keras.layers, kind, None)
    if cls is None:
        raise Skip("layer %s is not in keras.layers" % kind)
    kwargs = {}
    for k, v in spec.items():
        if k in TFRUN_ONLY:
            continue
        if k.endswith("_regularizer"):
            v = regularizer(v)
        elif kind == "Bidirectional" and k == "layer":
            v = layer(v)
        elif isinstance(v, list):
            v = tuple(tuple(x) if isinstance(x, list) else x for x in v)
        kwargs[k] = v
    return cls(**kwargs)


def input_of(cfg):
    """(shape, ids, dtype) of the model's single input, from the config's data."""
    data = cfg.get("data", {})
    if data.get("dataset") == "imdb":
        return (data.get("maxlen", 200),), True, "int32", data.get("num_words", 20000)
    if data.get("dataset") in IMAGE_SHAPES:
        return IMAGE_SHAPES[data["dataset"]], False, "float32", 0
    if data.get("format") == "csv" and data.get("feature_columns"):
        return (len(data["feature_columns"]),), False, "float32", 0
    raise Skip("data %r: no input shape known to this script" % data)


def build(cfg):
    m = cfg["model"]
    if "inputs" not in m:
        shape, ids, dtype, words = input_of(cfg)
        model = keras.Sequential([keras.Input(shape, dtype=dtype)] + [layer(s) for s in m["layers"]], name=cfg["name"])
        return model, {"input": (shape, ids, words)}
    if len(m["inputs"]) != 1:
        raise Skip("%d inputs: this script feeds one" % len(m["inputs"]))
    (in_name, in_spec), = m["inputs"].items()
    _, ids, _, words = input_of(cfg)
    dtype = in_spec.get("dtype", "float32")
    tensors = {in_name: keras.Input(tuple(in_spec["shape"]), dtype=dtype, name=in_name)}
    prev = in_name
    for s in m["layers"]:
        call = s.get("call", prev)
        args = [tensors[c] for c in call] if isinstance(call, list) else [tensors[call]]
        lay = layer(s)
        if s["type"] in ("Add", "Concatenate", "Average", "Maximum", "Minimum", "Multiply", "Subtract", "Dot"):
            out = lay(args)
        else:
            out = lay(*args)
        tensors[s["name"]] = out
        prev = s["name"]
    outs = [tensors[o] for o in m["outputs"]]
    model = keras.Model(tensors[in_name], outs[0] if len(outs) == 1 else outs, name=cfg["name"])
    return model, {in_name: (tuple(in_spec["shape"]), ids, words)}


def gan_networks(cfg):
    """(network, model, feeds) of a GAN config's discriminator, on images of the data's
    shape (the generator's image output is not importable yet)."""
    g = cfg["gan"]
    data = cfg.get("data", {})
    if data.get("dataset") not in IMAGE_SHAPES:
        raise Skip("data %r: no image shape known to this script" % data)
    shapes = {"discriminator": IMAGE_SHAPES[data["dataset"]]}
    # The generator is not rebuilt: its output is an image, and tfrun import takes models
    # whose output is a vector (classifiers and regressors) for now.
    for net in ("discriminator",):
        spec = g[net]
        if "inputs" in spec:
            raise Skip("the %s is functional (%d inputs): this script feeds one" % (net, len(spec["inputs"])))
        model = keras.Sequential([keras.Input(shapes[net])] + [layer(s) for s in spec["layers"]],
                                 name="%s_%s" % (cfg["name"], net))
        yield net, model, {"input": (shapes[net], False, 0)}


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(3)
    index = {"models": {}, "skipped": {}}
    failed = []
    for path in sorted(glob.glob("configs/*.yaml")):
        with open(path) as f:
            cfg = yaml.safe_load(f)
        name = cfg["name"]
        if cfg.get("task") == "gan":
            keras.utils.set_random_seed(3)
            try:
                nets = list(gan_networks(cfg))
            except Skip as e:
                index["skipped"][name] = str(e)
                continue
            except Exception as e:  # a config argument Keras refuses
                failed.append("%s: %s: %s" % (path, type(e).__name__, e))
                continue
            for net, model, feeds in nets:
                randomize_bn(model, rng)
                (shape, _, _), = feeds.values()
                x = rng.uniform(-1, 1, (3,) + shape)  # tanh-scaled pixels, as the GAN feeds them
                save(model, model.name, {"input": x.astype("float32")}, out_dir=out_dir)
                index["models"][model.name] = {"ids": False, "config": path}
            continue
        if cfg.get("task") != "classifier" or "model" not in cfg:
            continue
        keras.utils.set_random_seed(3)
        try:
            model, feeds = build(cfg)
        except Skip as e:
            if "inputs" not in cfg["model"]:
                failed.append("%s: %s" % (path, e))
            index["skipped"][name] = str(e)
            continue
        except Exception as e:  # a config argument Keras refuses
            failed.append("%s: %s: %s" % (path, type(e).__name__, e))
            continue
        randomize_bn(model, rng)
        inputs = {}
        ids = False
        for in_name, (shape, ids, words) in feeds.items():
            if ids:
                x = rng.integers(0, words, (3,) + shape).astype("int32")
                x[:, : shape[0] // 3] = 0  # front padding, as pad_sequences
            else:
                x = rng.uniform(0, 1, (3,) + shape).astype("float32")
            inputs[in_name if "inputs" in cfg["model"] else "input"] = x
        save(model, name, inputs, out_dir=out_dir)
        index["models"][name] = {"ids": bool(ids), "config": path}
    with open(os.path.join(out_dir, "index.json"), "w") as f:
        json.dump(index, f, indent=1)
    for line in failed:
        print("FAILED", line, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
