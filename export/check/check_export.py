"""make export-check: Python TensorFlow 2.18 and Keras 3 serve the SavedModels tfrun exports.

Reads what the Makefile target wrote into RUNS (see README.md):

  models/text, text_predictions.jsonl   an IMDB classifier and `tfrun predict -run`'s answers
  models/image, image_predictions.jsonl an MNIST classifier and `tfrun predict -model -images`'s
  models/cgan, cgan_reference.json      a conditional GAN and its run's own generator's images
  models/go_gan, go_gan_reference.json  examples/gan's generator (a train step written in Go,
                                        exported by Custom.Export) and its images for 16
                                        noise vectors, as Custom.Predict gave them
  models/regression, diabetes_rows.csv, diabetes_targets.txt, regression_predictions.jsonl, regression_model_predictions.jsonl
                                        a CSV regression on diabetes.csv and `tfrun predict`'s
                                        answers from the run and from the export
  models/multi_io, multi_io_inputs.jsonl, multi_io_predictions.jsonl, multi_io_model_predictions.jsonl
                                        a model of two inputs and two outputs fed by name
                                        from one CSV, and `tfrun predict`'s answers (JSON
                                        objects by name) from the run and from the export
  models/cifar_resnet, cifar_images/, cifar_resnet_predictions.jsonl, cifar_resnet_model_predictions.jsonl
                                        a slice of configs/cifar_resnet.yaml (augmentation
                                        layers in the model) and `tfrun predict -images`'s
                                        answers from the run and from the export

and checks, with TensorFlow's own loaders:

  text   tf.saved_model.load(dir).signatures["serving_default"] on the raw review strings
         returns tfrun's probabilities (<= 1e-5), labels and class ids; token_ids on the
         ids of tokenize returns the same; keras.layers.TFSMLayer wraps it (also inside a
         keras.Model on a string Input); the graph holds no training op;
  image  serving_default on the PNGs' pixels (decoded by TensorFlow) and float_images on
         the same pixels as float32 return tfrun's probabilities;
  cgan   serving_default(noise, class_id) returns, for every asked class, the image tfrun's
         generator draws for that noise and class (equal bytes), which no other class's
         image matches;
  go_gan serving_default(x) on the reference's noise returns the Go program's generator
         images (float32 output, <= 1e-5), as does Keras's TFSMLayer; no training op;
  regression  serving_default(features) on the raw diabetes rows returns tfrun predict's
         real numbers (float32, relative <= 1e-6), which -run and -model give alike;
  multi_io  serving_default(numbers=float32 [n, 2], review=string [n]) on the raw JSON
         inputs returns tfrun predict's sentiment probabilities, class ids, labels and
         probability and its stars (float32, equal), which -run and -model give alike;
         token_ids(numbers, review=tokenize(review)) returns the same;
  cifar_resnet  serving_default on 32 CIFAR-10 PNGs' uint8 pixels returns the
         probabilities and labels of `tfrun predict -run` (the checkpoint, <= 1e-5) and of
         `tfrun predict -model`; the graph holds no augmentation op (RandomFlip and
         RandomTranslation are the identity in inference);
  all    saved_model_cli show --all lists the signatures with method
         tensorflow/serving/predict.
"""

import argparse
import base64
import json
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

# Op types the inference graph must not hold: optimizers' updates, random draws (dropout,
# noise), the step counter's increment, gradients.
TRAINING_OPS = ("ResourceApply", "StatelessRandom", "RandomUniform", "RandomStandardNormal",
                "AssignAddVariableOp", "BlockLSTMGradV2", "Conv2DBackpropFilter", "BroadcastGradientArgs")

failures = []


def check(ok, what):
    print(("  ok    " if ok else "  FAIL  ") + what)
    if not ok:
        failures.append(what)


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def graph_ops(model_dir):
    from tensorflow.core.protobuf import saved_model_pb2
    sm = saved_model_pb2.SavedModel()
    with open(os.path.join(model_dir, "saved_model.pb"), "rb") as f:
        sm.ParseFromString(f.read())
    mg = sm.meta_graphs[0]
    return mg, sorted({n.op for n in mg.graph_def.node})


def latest_version(base):
    versions = [int(d) for d in os.listdir(base) if d.isdigit()]
    return os.path.join(base, str(max(versions)))


def check_graph(name, model_dir):
    mg, ops = graph_ops(model_dir)
    bad = [o for o in ops if o.startswith(TRAINING_OPS)]
    check(not bad, f"{name}: inference graph of {len(mg.graph_def.node)} nodes, no training ops (found {bad or 'none'})")
    check(list(mg.meta_info_def.tags) == ["serve"] and mg.saver_def.version == 2,
          f"{name}: one meta graph tagged serve, saver_def V2 ({mg.saver_def.restore_op_name})")


def check_cli(cli, name, model_dir, expect):
    out = subprocess.run([cli, "show", "--all", "--dir", model_dir], capture_output=True, text=True)
    text = out.stdout
    missing = [e for e in expect if e not in text]
    check(out.returncode == 0 and not missing,
          f"{name}: saved_model_cli show --all lists {', '.join(expect)}" + (f" (missing {missing})" if missing else ""))
    return text


def check_text(runs, cli):
    print("text classifier")
    model_dir = latest_version(os.path.join(runs, "models", "text"))
    want = read_jsonl(os.path.join(runs, "text_predictions.jsonl"))
    texts = [w["text"] for w in want]
    m = tf.saved_model.load(model_dir)
    sigs = sorted(k for k in m.signatures.keys())
    check({"serving_default", "token_ids", "tokenize"} <= set(sigs), f"signatures {sigs}")
    f = m.signatures["serving_default"]
    probs, labels, ids = [], [], []
    for i in range(0, len(texts), 64):
        out = f(text=tf.constant(texts[i:i + 64]))
        probs.extend(out["probability"].numpy().tolist())
        labels.extend(x.decode() for x in out["label"].numpy())
        ids.extend(out["class_id"].numpy().tolist())
    # tfrun prints a float32 as the shortest decimal that reads back as it: compare float32s.
    diff = float(np.max(np.abs(np.array(probs, np.float32) - np.array([w["probability"] for w in want], np.float32))))
    check(diff <= 1e-5, f"serving_default on {len(texts)} raw texts (real IMDB reviews, empty, <br />, accents, "
          f"Greek, CJK, emoji): max |probability - tfrun predict| = {diff:.2e} (<= 1e-5)")
    check(labels == [w["label"] for w in want] and ids == [w["class_id"] for w in want],
          f"labels and class ids equal tfrun predict's ({sum(l == 'positive' for l in labels)} positive, "
          f"{sum(l == 'negative' for l in labels)} negative)")
    tok = m.signatures["tokenize"](text=tf.constant(texts[:64]))["token_ids"]
    again = m.signatures["token_ids"](token_ids=tok)["probability"].numpy()
    check(np.array_equal(again, np.array(probs[:64], np.float32)),
          f"token_ids(tokenize(text)) == serving_default(text); token ids {tok.shape}, "
          f"the empty text -> {tok.numpy()[0][-3:].tolist()} (pre-padded start index)")

    import keras
    layer = keras.layers.TFSMLayer(model_dir, call_endpoint="serving_default")
    out = layer(tf.constant(texts[:32]))
    ldiff = float(np.max(np.abs(out["probability"].numpy() - np.array(probs[:32], np.float32))))
    check(ldiff == 0.0, f"keras {keras.__version__} TFSMLayer(call_endpoint='serving_default') wraps it: max diff {ldiff}")
    inp = keras.Input(shape=(), dtype="string", name="text")
    km = keras.Model(inp, layer(inp))
    kout = km(tf.constant(texts[:32]))
    kdiff = float(np.max(np.abs(kout["probability"].numpy() - np.array(probs[:32], np.float32))))
    check(kdiff == 0.0, f"keras.Model(keras.Input(dtype='string') -> TFSMLayer) gives the same: max diff {kdiff}")

    check_graph("text", model_dir)
    check_cli(cli, "text", model_dir, ["signature_def['serving_default']", "signature_def['token_ids']",
                                       "signature_def['tokenize']", "inputs['text']", "DT_STRING",
                                       "Method name is: tensorflow/serving/predict"])
    print(f"  e.g. {json.dumps(texts[1][:60])}... -> {probs[1]:.6f} {labels[1]} (tfrun: {want[1]['probability']})")


def check_image(runs, cli):
    print("image classifier")
    model_dir = latest_version(os.path.join(runs, "models", "image"))
    want = read_jsonl(os.path.join(runs, "image_predictions.jsonl"))
    check_image_model("image", model_dir, want, "tfrun predict -images", channels=1)
    check_cli(cli, "image", model_dir, ["signature_def['serving_default']", "signature_def['float_images']", "DT_UINT8"])


def check_image_model(name, model_dir, want, source, channels):
    """serving_default on the PNGs' uint8 pixels gives want's probabilities and labels;
    float_images on the same pixels as float32 gives the same; returns the outputs."""
    m = tf.saved_model.load(model_dir)
    pixels = tf.stack([tf.io.decode_png(tf.io.read_file(w["image"]), channels=channels) for w in want])
    out = m.signatures["serving_default"](images=pixels)
    diff = float(np.max(np.abs(out["probabilities"].numpy() - np.array([w["probabilities"] for w in want], np.float32))))
    check(pixels.dtype == tf.uint8 and diff <= 1e-5,
          f"serving_default on {len(want)} PNGs decoded by TensorFlow ({pixels.dtype.name} {list(pixels.shape)}): "
          f"max |probabilities - {source}| = {diff:.2e} (<= 1e-5)")
    check([x.decode() for x in out["label"].numpy()] == [w["label"] for w in want], f"labels equal {source}'s")
    fout = m.signatures["float_images"](images=tf.cast(pixels, tf.float32))
    check(np.array_equal(fout["probabilities"].numpy(), out["probabilities"].numpy()),
          "float_images on the same pixels as float32 gives the same probabilities")
    truth = [int(os.path.basename(w["image"]).split("_")[1].split(".")[0]) for w in want]
    acc = np.mean(np.array(truth) == out["class_id"].numpy())
    print(f"  accuracy on these {len(want)} test images: {acc:.2f}")
    check_graph(name, model_dir)
    return out


# Op types of the random augmentation layers (RandomFlip, RandomTranslation, ...), which an
# exported model runs in inference, as the identity: none may be in its graph.
AUGMENTATION_OPS = ("ImageProjectiveTransform", "ReverseV2", "StatelessRandom", "RandomUniform", "StatelessShuffle")


def check_cifar_resnet(runs, cli):
    print("configs/cifar_resnet.yaml (ResNet-20 behind RandomFlip and RandomTranslation), a slice")
    model_dir = latest_version(os.path.join(runs, "models", "cifar_resnet"))
    run = read_jsonl(os.path.join(runs, "cifar_resnet_predictions.jsonl"))
    exported = read_jsonl(os.path.join(runs, "cifar_resnet_model_predictions.jsonl"))
    out = check_image_model("cifar_resnet", model_dir, run, "tfrun predict -run (the checkpoint)", channels=3)
    diff = float(np.max(np.abs(np.array([w["probabilities"] for w in exported], np.float32) - out["probabilities"].numpy())))
    check(diff <= 1e-5, f"tfrun predict -model (the SavedModel) on the same PNGs: max |probabilities - serving_default| = {diff:.2e} (<= 1e-5)")
    spread = float(np.max(out["probabilities"].numpy()) - np.min(out["probabilities"].numpy()))
    check(spread > 0.01, f"the probabilities are not uniform (max - min {spread:.3f}), so the comparison sees the pixels' scaling")
    _, ops = graph_ops(model_dir)
    aug = [o for o in ops if o.startswith(AUGMENTATION_OPS)]
    check(not aug, f"cifar_resnet: no augmentation op in the inference graph (found {aug or 'none'}): flip and shift are training-only")
    check_cli(cli, "cifar_resnet", model_dir, ["signature_def['serving_default']", "signature_def['float_images']", "DT_UINT8", "(-1, 32, 32, 3)"])


def check_cgan(runs, cli):
    print("conditional GAN generator")
    model_dir = latest_version(os.path.join(runs, "models", "cgan"))
    with open(os.path.join(runs, "cgan_reference.json")) as f:
        ref = json.load(f)
    h, w, c = ref["shape"]
    noise = np.array(ref["noise"], np.float32)
    classes = np.array(ref["class_id"], np.int32)
    want = np.stack([np.frombuffer(base64.b64decode(b), np.uint8) for b in ref["images"]]).reshape(-1, h, w, c)
    m = tf.saved_model.load(model_dir)
    got = m.signatures["serving_default"](noise=tf.constant(noise), class_id=tf.constant(classes))["images"].numpy()
    check(got.dtype == np.uint8 and got.shape == want.shape, f"images {got.dtype} {list(got.shape)}")
    diff = np.abs(got.astype(int) - want.astype(int))
    check(int(diff.max()) == 0, f"every image equals the run's generator's for the same noise and class "
          f"({len(got)} images, {len(set(classes.tolist()))} classes; max byte difference {int(diff.max())})")
    # Which class's reference image does each image match? The asked one, and only it.
    n = int(np.sum(classes == classes[0]))
    ok = True
    for i in range(len(got)):
        same_noise = [j for j in range(len(want)) if j % n == i % n]
        matches = [int(classes[j]) for j in same_noise if np.array_equal(got[i], want[j])]
        ok = ok and matches == [int(classes[i])]
    check(ok, "each image matches the reference of its asked class and of no other class")
    check_graph("cgan", model_dir)
    check_cli(cli, "cgan", model_dir, ["inputs['noise']", "inputs['class_id']", "outputs['images']", "DT_UINT8"])


def check_go_gan(runs, cli):
    print("generator of a train step written in Go (examples/gan, Custom.Export)")
    model_dir = latest_version(os.path.join(runs, "models", "go_gan"))
    with open(os.path.join(runs, "go_gan_reference.json")) as f:
        ref = json.load(f)
    noise = np.array(ref["noise"], np.float32)
    want = np.array(ref["output"], np.float32).reshape(-1, *ref["shape"])
    m = tf.saved_model.load(model_dir)
    f = m.signatures["serving_default"]
    args = sorted(f.structured_input_signature[1].keys())
    check(args == ["x"], f"serving_default takes x: {args}")
    got = f(x=tf.constant(noise))["output"].numpy()
    check(got.dtype == np.float32 and got.shape == want.shape, f"output {got.dtype} {list(got.shape)} (want {list(want.shape)})")
    diff = float(np.max(np.abs(got - want)))
    check(diff <= 1e-5, f"serving_default(x=noise) returns the Go program's generator images (Custom.Predict) for "
          f"{len(noise)} noise vectors: max |difference| {diff:.2e} (<= 1e-5)")
    check(float(got.min()) >= -1 and float(got.max()) <= 1, f"values in tanh's range [{got.min():.3f}, {got.max():.3f}]")

    import keras
    layer = keras.layers.TFSMLayer(model_dir, call_endpoint="serving_default")
    ldiff = float(np.max(np.abs(layer(tf.constant(noise))["output"].numpy() - got)))
    check(ldiff == 0.0, f"keras {keras.__version__} TFSMLayer(call_endpoint='serving_default') gives serving_default's: max diff {ldiff}")
    check_graph("go_gan", model_dir)
    check_cli(cli, "go_gan", model_dir, ["inputs['x']", "outputs['output']", "DT_FLOAT", "(-1, 64)", "(-1, 28, 28, 1)"])


def check_regression(runs, cli):
    print("CSV regression (diabetes)")
    model_dir = latest_version(os.path.join(runs, "models", "regression"))
    run = read_jsonl(os.path.join(runs, "regression_predictions.jsonl"))
    served = read_jsonl(os.path.join(runs, "regression_model_predictions.jsonl"))
    with open(os.path.join(runs, "diabetes_rows.csv")) as f:
        rows = np.array([[float(v) for v in line.split(",")] for line in f if line.strip()], np.float32)
    check(len(run) == len(served) == len(rows) and all("prediction" in r and "probability" not in r for r in run + served),
          f"tfrun predict -run and -model: one real-valued prediction per row ({len(rows)} rows, no probability or label)")
    want = np.array([r["prediction"] for r in run], np.float32)
    check(np.array_equal(want, np.array([r["prediction"] for r in served], np.float32)),
          "tfrun predict -model (the SavedModel) equals tfrun predict -run (the checkpoint) on every row")
    m = tf.saved_model.load(model_dir)
    out = m.signatures["serving_default"](features=tf.constant(rows))["prediction"].numpy()
    check(out.dtype == np.float32 and out.shape == (len(rows),), f"serving_default(features float32 {list(rows.shape)}) -> prediction {out.dtype} {list(out.shape)}")
    # tfrun prints a float32 as the shortest decimal that reads back as it: compare float32s.
    diff = float(np.max(np.abs(out - want) / np.maximum(1.0, np.abs(want))))
    check(diff <= 1e-6, f"serving_default on the raw feature rows (normalized in-graph): max relative |prediction - tfrun predict| = {diff:.2e} (<= 1e-6)")
    with open(os.path.join(runs, "diabetes_targets.txt")) as f:
        targets = np.array([float(line) for line in f if line.strip()], np.float32)
    mae = float(np.mean(np.abs(out - targets)))
    check(len(set(np.round(out, 3).tolist())) > len(rows) // 2 and 25 < float(out.mean()) < 346,
          f"real numbers: {len(set(out.tolist()))} distinct values, mean {out.mean():.1f} in the target's range 25..346 (MAE on all 442 rows {mae:.1f})")

    import keras
    layer = keras.layers.TFSMLayer(model_dir, call_endpoint="serving_default")
    # The same 32 rows through both (another batch size may round a MatMul differently).
    same = m.signatures["serving_default"](features=tf.constant(rows[:32]))["prediction"].numpy()
    ldiff = float(np.max(np.abs(layer(tf.constant(rows[:32]))["prediction"].numpy() - same)))
    check(ldiff == 0.0, f"keras {keras.__version__} TFSMLayer(call_endpoint='serving_default') on 32 rows gives serving_default's: max diff {ldiff}")
    print(f"  e.g. row 1 {rows[0].tolist()} -> {out[0]:.4f} (tfrun: {want[0]:.4f}, target {targets[0]:g})")
    check_graph("regression", model_dir)
    check_cli(cli, "regression", model_dir, ["signature_def['serving_default']", "inputs['features']", "outputs['prediction']", "DT_FLOAT"])


def check_multi_io(runs, cli):
    print("model of two inputs and two outputs fed by name (IMDB reviews CSV)")
    model_dir = latest_version(os.path.join(runs, "models", "multi_io"))
    inputs = read_jsonl(os.path.join(runs, "multi_io_inputs.jsonl"))
    run = read_jsonl(os.path.join(runs, "multi_io_predictions.jsonl"))
    served = read_jsonl(os.path.join(runs, "multi_io_model_predictions.jsonl"))
    check(len(run) == len(served) == len(inputs) and run == served,
          f"tfrun predict -model (the SavedModel) equals tfrun predict -run (the checkpoint) on all {len(inputs)} JSON lines")
    m = tf.saved_model.load(model_dir)
    sigs = sorted(k for k in m.signatures.keys())
    check({"serving_default", "token_ids", "tokenize"} <= set(sigs), f"signatures {sigs}")
    f = m.signatures["serving_default"]
    args = sorted(f.structured_input_signature[1].keys())
    check(args == ["numbers", "review"], f"serving_default takes one argument per model input: {args}")
    numbers = np.array([x["numbers"] for x in inputs], np.float32)
    texts = [x["review"] for x in inputs]
    outs = {}
    # Batches of 64, as tfrun predict ran them (another batch size may round a MatMul otherwise).
    for i in range(0, len(texts), 64):
        out = f(numbers=tf.constant(numbers[i:i + 64]), review=tf.constant(texts[i:i + 64]))
        for k, v in out.items():
            outs.setdefault(k, []).append(v.numpy())
    outs = {k: np.concatenate(v) for k, v in outs.items()}
    check(sorted(outs) == ["sentiment", "sentiment_class_id", "sentiment_label", "sentiment_probability", "stars"],
          f"outputs by name: {sorted(outs)}")
    want_p = np.array([r["sentiment"]["probabilities"] for r in run], np.float32)
    want_s = np.array([r["stars"] for r in run], np.float32)
    # tfrun prints a float32 as the shortest decimal that reads back as it: compare float32s.
    dp = float(np.max(np.abs(outs["sentiment"] - want_p)))
    ds = float(np.max(np.abs(outs["stars"] - want_s) / np.maximum(1.0, np.abs(want_s))))
    check(outs["sentiment"].shape == (len(texts), 2) and dp <= 1e-5,
          f"sentiment [{len(texts)}, 2] on the raw inputs (real IMDB test reviews, empty, accents, Greek, CJK, emoji): "
          f"max |probability - tfrun predict| = {dp:.2e} (<= 1e-5)")
    check(outs["stars"].shape == (len(texts), 1) and ds <= 1e-6,
          f"stars [{len(texts)}, 1]: max relative |stars - tfrun predict| = {ds:.2e} (<= 1e-6)")
    labels = [x.decode() for x in outs["sentiment_label"]]
    check(labels == [r["sentiment"]["label"] for r in run]
          and outs["sentiment_class_id"].tolist() == [r["sentiment"]["class_id"] for r in run]
          and np.array_equal(outs["sentiment_probability"], np.array([r["sentiment"]["probability"] for r in run], np.float32)),
          f"sentiment_label, _class_id and _probability equal tfrun predict's "
          f"({labels.count('positive')} positive, {labels.count('negative')} negative)")
    tok = m.signatures["tokenize"](review=tf.constant(texts[:64]))["review"]
    again = m.signatures["token_ids"](numbers=tf.constant(numbers[:64]), review=tok)
    check(np.array_equal(again["sentiment"].numpy(), outs["sentiment"][:64]) and np.array_equal(again["stars"].numpy(), outs["stars"][:64]),
          f"token_ids(numbers, review=tokenize(review)) == serving_default; token ids {tok.shape}")
    check_graph("multi_io", model_dir)
    check_cli(cli, "multi_io", model_dir, ["inputs['numbers']", "inputs['review']", "outputs['sentiment']",
                                           "outputs['sentiment_label']", "outputs['stars']", "DT_STRING", "DT_FLOAT"])
    print(f"  e.g. {json.dumps(texts[1][:50])}... -> {labels[1]} {outs['sentiment_probability'][1]:.6f}, "
          f"stars {outs['stars'][1][0]:.4f} (tfrun: {run[1]['sentiment']['label']} {run[1]['sentiment']['probability']}, {run[1]['stars'][0]})")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", required=True, help="the directory make export-check filled")
    ap.add_argument("--saved-model-cli", default="saved_model_cli")
    args = ap.parse_args()
    print(f"TensorFlow {tf.__version__}")
    check_text(args.runs, args.saved_model_cli)
    check_image(args.runs, args.saved_model_cli)
    check_cgan(args.runs, args.saved_model_cli)
    check_go_gan(args.runs, args.saved_model_cli)
    check_regression(args.runs, args.saved_model_cli)
    check_multi_io(args.runs, args.saved_model_cli)
    check_cifar_resnet(args.runs, args.saved_model_cli)
    if failures:
        print(f"FAILED: {len(failures)} checks")
        sys.exit(1)
    print("OK: Python TensorFlow and Keras serve tfrun's SavedModels with tfrun's numbers")


if __name__ == "__main__":
    main()
