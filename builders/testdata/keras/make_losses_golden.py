"""Records Keras 3's losses on fixed inputs, for loss_golden_test.go: for each case the
labels, the predictions (or the pre-activation z of a final sigmoid or softmax, or logits
for from_logits=True), the optional per-example sample weights (or a class_weight and the sample weights Keras's fit
derives from it), the loss as the Loss
class reduces it (sum_over_batch_size) and tf.GradientTape's gradient of that loss with
respect to the predictions (or z), into builders/testdata/keras_losses.json (float32);
the regression metrics (RootMeanSquaredError, R2Score, MeanSquaredError,
MeanAbsoluteError) over an epoch of three batches, one and two outputs wide; and each loss
class's defaults (the class made without arguments: its function's arguments and
get_config()).

"input" says what the recorded predictions are:
  probabilities  y_pred fed as it is (Keras's clipped probability formulas);
  logits         from_logits=True, y_pred are logits;
  sigmoid        y_pred = keras.activations.sigmoid(z), z recorded (Keras takes the logits
                 from the sigmoid, as it does for a model's final Dense(1, sigmoid));
  softmax        y_pred = keras.activations.softmax(z), z recorded.

Run from the repository root with the bench environment (make bench-env):

    TF_ENABLE_ONEDNN_OPTS=0 bench/.venv/bin/python builders/testdata/keras/make_losses_golden.py
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras.src.trainers.data_adapters import data_adapter_utils  # noqa: E402


def f32(a):
    return np.asarray(a, dtype=np.float32)


def main(out_path):
    rng = np.random.default_rng(22)
    n = 5
    real_true = f32(rng.normal(1.0, 2.0, size=(n, 3)))
    real_pred = f32(real_true + rng.normal(0.0, 1.5, size=(n, 3)))
    real_pred[0, 0] = real_true[0, 0] + 3.0  # beyond huber's delta for sure
    pos_true = f32(rng.uniform(0.0, 5.0, size=(n, 3)))
    pos_pred = f32(rng.uniform(0.1, 5.0, size=(n, 3)))
    pos_true[1, 1] = 0.0  # mape's epsilon, msle's max(y, epsilon)
    col_true = f32(rng.normal(150.0, 70.0, size=(n, 1)))  # a regression target, as diabetes
    col_pred = f32(col_true + rng.normal(0.0, 40.0, size=(n, 1)))
    bin_true = f32([[0, 1], [1, 1], [0, 0], [1, 0], [1, 1]])
    bin_prob = f32(rng.uniform(0.02, 0.98, size=(n, 2)))
    bin_prob[2, 0] = 0.0  # clipped to epsilon
    bin_prob[3, 1] = 1.0  # clipped to 1 - epsilon
    bin_z = f32(rng.normal(0.0, 3.0, size=(n, 2)))
    bin_z[0, 0] = 20.0  # sigmoid(20) is 1 in float32: only the logits form stays finite
    bin_z[1, 1] = -18.0
    one_true = f32(rng.normal(0.0, 1.0, size=(n, 1)) > 0)
    one_z = f32(rng.normal(0.0, 2.0, size=(n, 1)))
    pm_true = f32([[-1, 1, 1], [1, -1, 1], [-1, -1, 1], [1, 1, -1], [1, -1, -1]])
    hinge_pred = f32(rng.normal(0.0, 1.5, size=(n, 3)))
    k = 4
    ids = np.array([0, 3, 1, 2, 3])
    onehot = f32(np.eye(k)[ids])
    cls_z = f32(rng.normal(0.0, 2.0, size=(n, k)))
    cls_z[4] = [-10.0, 25.0, 0.0, 3.0]  # a confident wrong answer
    cls_prob = f32(rng.uniform(0.01, 1.0, size=(n, k)))  # unnormalised, as Keras allows
    dist_true = f32(rng.dirichlet(np.ones(k), size=n))
    dist_pred = f32(rng.dirichlet(np.ones(k), size=n))
    dist_true[0, 2] = 0.0
    weights = f32([1.0, 0.5, 2.0, 0.0, 1.5])

    cases = [
        ("mean_squared_error", "MeanSquaredError", {}, real_true, real_pred, "probabilities"),
        ("mean_squared_error_column", "MeanSquaredError", {}, col_true, col_pred, "probabilities"),
        ("mean_squared_error_weighted", "MeanSquaredError", {}, col_true, col_pred, "probabilities", weights),
        ("mean_absolute_error", "MeanAbsoluteError", {}, real_true, real_pred, "probabilities"),
        ("mean_absolute_error_column", "MeanAbsoluteError", {}, col_true, col_pred, "probabilities"),
        ("mean_absolute_percentage_error", "MeanAbsolutePercentageError", {}, pos_true, pos_pred, "probabilities"),
        ("mean_squared_logarithmic_error", "MeanSquaredLogarithmicError", {}, pos_true, pos_pred - 0.5, "probabilities"),
        ("huber", "Huber", {}, real_true, real_pred, "probabilities"),
        ("huber_delta_2", "Huber", {"delta": 2.0}, real_true, real_pred, "probabilities"),
        ("huber_delta_half_weighted", "Huber", {"delta": 0.5}, real_true, real_pred, "probabilities", weights),
        ("log_cosh", "LogCosh", {}, real_true, real_pred, "probabilities"),
        ("binary_crossentropy_probabilities", "BinaryCrossentropy", {}, bin_true, bin_prob, "probabilities"),
        ("binary_crossentropy_sigmoid", "BinaryCrossentropy", {}, bin_true, bin_z, "sigmoid"),
        ("binary_crossentropy_sigmoid_column", "BinaryCrossentropy", {}, one_true, one_z, "sigmoid"),
        ("binary_crossentropy_logits", "BinaryCrossentropy", {"from_logits": True}, bin_true, bin_z, "logits"),
        ("binary_crossentropy_smoothing", "BinaryCrossentropy", {"label_smoothing": 0.1}, bin_true, bin_prob, "probabilities"),
        ("binary_crossentropy_logits_smoothing", "BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, bin_true, bin_z, "logits"),
        ("binary_crossentropy_sigmoid_weighted", "BinaryCrossentropy", {}, bin_true, bin_z, "sigmoid", weights),
        ("binary_focal_crossentropy", "BinaryFocalCrossentropy", {}, bin_true, bin_prob, "probabilities"),
        ("binary_focal_crossentropy_sigmoid", "BinaryFocalCrossentropy", {}, bin_true, bin_z, "sigmoid"),
        ("binary_focal_crossentropy_logits_balanced", "BinaryFocalCrossentropy",
         {"from_logits": True, "apply_class_balancing": True, "alpha": 0.3, "gamma": 1.5}, bin_true, bin_z, "logits"),
        ("binary_focal_crossentropy_sigmoid_from_logits", "BinaryFocalCrossentropy", {"from_logits": True}, bin_true, bin_z, "sigmoid"),
        ("binary_focal_crossentropy_smoothing_gamma0", "BinaryFocalCrossentropy",
         {"label_smoothing": 0.1, "gamma": 0.0}, bin_true, bin_prob, "probabilities"),
        ("categorical_crossentropy_probabilities", "CategoricalCrossentropy", {}, onehot, cls_prob, "probabilities"),
        ("categorical_crossentropy_softmax", "CategoricalCrossentropy", {}, onehot, cls_z, "softmax"),
        ("categorical_crossentropy_logits", "CategoricalCrossentropy", {"from_logits": True}, onehot, cls_z, "logits"),
        ("categorical_crossentropy_softmax_smoothing", "CategoricalCrossentropy", {"label_smoothing": 0.1}, onehot, cls_z, "softmax"),
        ("categorical_crossentropy_probabilities_smoothing", "CategoricalCrossentropy", {"label_smoothing": 0.3}, onehot, cls_prob, "probabilities"),
        ("sparse_categorical_crossentropy_softmax", "SparseCategoricalCrossentropy", {}, f32(ids), cls_z, "softmax"),
        ("sparse_categorical_crossentropy_logits", "SparseCategoricalCrossentropy", {"from_logits": True}, f32(ids), cls_z, "logits"),
        ("sparse_categorical_crossentropy_probabilities", "SparseCategoricalCrossentropy", {}, f32(ids), cls_prob, "probabilities"),
        ("sparse_categorical_crossentropy_softmax_weighted", "SparseCategoricalCrossentropy", {}, f32(ids), cls_z, "softmax", weights),
        ("kl_divergence", "KLDivergence", {}, dist_true, dist_pred, "probabilities"),
        ("kl_divergence_softmax", "KLDivergence", {}, dist_true, cls_z, "softmax"),
        ("poisson", "Poisson", {}, pos_true, pos_pred, "probabilities"),
        ("hinge", "Hinge", {}, pm_true, hinge_pred, "probabilities"),
        ("hinge_binary_labels", "Hinge", {}, bin_true, bin_z, "probabilities"),
        ("squared_hinge", "SquaredHinge", {}, pm_true, hinge_pred, "probabilities"),
        ("squared_hinge_binary_labels", "SquaredHinge", {}, bin_true, bin_z, "probabilities"),
        ("cosine_similarity", "CosineSimilarity", {}, real_true, real_pred, "probabilities"),
        ("categorical_crossentropy_softmax_weighted", "CategoricalCrossentropy", {}, onehot, cls_z, "softmax", weights),
        ("binary_crossentropy_probabilities_weighted", "BinaryCrossentropy", {}, bin_true, bin_prob, "probabilities", weights),
        ("mean_absolute_error_weighted", "MeanAbsoluteError", {}, real_true, real_pred, "probabilities", weights),
        # Model.fit's class_weight: Keras turns it into sample weights from the labels
        # (data_adapter_utils.class_weight_to_sample_weights: a (batch, 1) label squeezed,
        # one-hot labels by their argmax, classes not listed weigh 1), recorded with it.
        ("binary_crossentropy_sigmoid_column_class_weight", "BinaryCrossentropy", {}, one_true, one_z, "sigmoid", {0: 3.0, 1: 0.5}),
        ("sparse_categorical_crossentropy_softmax_class_weight", "SparseCategoricalCrossentropy", {}, f32(ids), cls_z, "softmax", {0: 2.0, 3: 0.25}),
        ("categorical_crossentropy_softmax_class_weight", "CategoricalCrossentropy", {}, onehot, cls_z, "softmax", {1: 4.0, 3: 0.0}),
    ]
    out = []
    for case in cases:
        name, cls, args, y_true, x, path = case[:6]
        w = case[6] if len(case) > 6 else None
        class_weight = None
        if isinstance(w, dict):
            class_weight = w
            w = data_adapter_utils.class_weight_to_sample_weights(y_true, class_weight)
        loss_obj = getattr(keras.losses, cls)(**args)
        z = tf.Variable(x)
        with tf.GradientTape() as tape:
            if path == "sigmoid":
                y_pred = keras.activations.sigmoid(z)
            elif path == "softmax":
                y_pred = keras.activations.softmax(z)
            else:
                y_pred = tf.convert_to_tensor(z)
            loss = loss_obj(y_true, y_pred, sample_weight=w)
        grad = tape.gradient(loss, z)
        loss, grad = float(loss.numpy()), grad.numpy().astype(np.float32)
        if not np.isfinite(loss) or not np.all(np.isfinite(grad)):
            raise SystemExit(f"{name}: not finite: loss {loss}, gradient {grad}")
        entry = {
            "name": name, "class": cls, "config": args, "input": path,
            "y_true_shape": list(y_true.shape), "y_true": [float(v) for v in y_true.ravel()],
            "y_pred_shape": list(x.shape), "y_pred": [float(v) for v in x.ravel()],
            "loss": loss, "gradient": [float(v) for v in grad.ravel()],
        }
        if w is not None:
            entry["sample_weight"] = [float(v) for v in w]
        if class_weight is not None:
            entry["class_weight"] = {str(k): v for k, v in class_weight.items()}
        out.append(entry)
    # Regression metrics over an epoch of three batches: the stateful ones (RMSE, R2Score)
    # from the epoch's accumulated state, the mean ones weighted by batch size.
    metrics = []
    for width in (1, 2):
        batches = []
        for size in (7, 5, 9):
            y = f32(rng.normal(100.0, 40.0, size=(size, width)))
            batches.append((y, f32(y + rng.normal(0.0, 25.0, size=(size, width)))))
        ms = {"root_mean_squared_error": keras.metrics.RootMeanSquaredError(), "r2_score": keras.metrics.R2Score(),
              "mean_squared_error": keras.metrics.MeanSquaredError(), "mean_absolute_error": keras.metrics.MeanAbsoluteError()}
        for y, p in batches:
            for m in ms.values():
                m.update_state(y, p)
        metrics.append({"width": width,
                        "batches": [{"y_true": [float(v) for v in y.ravel()], "y_pred": [float(v) for v in p.ravel()]} for y, p in batches],
                        "results": {name: float(m.result()) for name, m in ms.items()}})
    # Each loss class's defaults (its config made with no arguments), for configs' test.
    classes = sorted({case[1] for case in cases})
    defaults = {}
    for cls in classes:
        obj = getattr(keras.losses, cls)()
        cfg = dict(obj._fn_kwargs)  # the function's arguments (Huber's get_config omits delta)
        cfg.update(obj.get_config())
        defaults[cls] = {k: v for k, v in cfg.items() if k not in ("name", "dtype")}
    doc = {"generator": "builders/testdata/keras/make_losses_golden.py", "keras": keras.__version__,
           "tensorflow": tf.__version__, "epsilon": keras.config.epsilon(), "cases": out, "metrics": metrics,
           "defaults": defaults}
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(out)} cases to {out_path}")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(os.path.join(here, "..", "keras_losses.json")))
