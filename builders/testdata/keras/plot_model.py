"""Writes builders/testdata/keras_plot_model.json: the boxes and arrows Keras 3's
keras.utils.model_to_dot(show_shapes=True) draws for the models TestPlotGraphKeras builds.

Run (model_to_dot needs pydot, which the checks' venv does not carry):
  pip install --target /tmp/pydot pydot
  PYTHONPATH=/tmp/pydot bench/.venv/bin/python builders/testdata/keras/plot_model.py
"""
import json
import os
import re

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
from keras import layers  # noqa: E402


def siamese():
    """Two inputs, a Dense shared by both, an Add of its calls, a residual Add, two outputs."""
    left, right = keras.Input((8,), name="left"), keras.Input((8,), name="right")
    shared = layers.Dense(8, activation="relu", name="shared")
    s = layers.Add(name="add")([shared(left), shared(right)])
    res = layers.Add(name="skip")([s, left])
    outs = [layers.Dense(3, activation="softmax", name="class")(res), layers.Dense(1, name="value")(res)]
    return keras.Model([left, right], outs, name="siamese")


def called_again():
    """A Dense called on the input, then again on Add(its output, the input): a cycle."""
    x = keras.Input((13,), name="features")
    shared = layers.Dense(13, activation="tanh", name="shared")
    h = layers.Add(name="add")([shared(x), x])
    return keras.Model(x, layers.Dense(3, name="head")(shared(h)), name="called_again")


def boxes_and_arrows(model):
    dot = keras.utils.model_to_dot(model, show_shapes=True)
    names, nodes = {}, []
    for n in dot.get_nodes():
        label = n.get_label() or ""
        m = re.search(r"<b>([^<]+)</b> \(([^)]+)\)", label)
        if not m:
            continue
        names[n.get_name()] = m.group(1)
        shapes = re.findall(r"(Input|Output) shape: <b>([^<]+)</b>", label)
        nodes.append({"name": m.group(1), "class": m.group(2), "shapes": {k: v for k, v in shapes}})
    edges = sorted([names[e.get_source()], names[e.get_destination()]] for e in dot.get_edges())
    return {"nodes": nodes, "edges": edges}


out = {f.__name__: boxes_and_arrows(f()) for f in (siamese, called_again)}
path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "keras_plot_model.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(json.dumps(out, indent=1))
