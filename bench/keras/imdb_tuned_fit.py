"""Keras twin of configs/imdb_tuned.yaml trained on the real IMDB reviews, for the masking
comparison in docs/results/masking.md: the config's model with or without
Embedding(mask_zero=True), the config's recipe, test accuracy and loss.

The data are tfrun's (the official aclImdb_v1.tar.gz read, tokenized, ranked and padded as
classifier/imdb.go does; the functions are imdb_transformer.py's, which checks its
vocabulary against a tfrun run's). Each split is shuffled with numpy (tfrun shuffles with
its own generator, so the same reviews come in another order).

The model and recipe, as the config: Embedding(20000, 64[, mask_zero=True]) ->
Dropout(0.3) -> LSTM(64) -> Dropout(0.3) -> Dense(1, sigmoid); RMSprop(0.001),
binary_crossentropy, batch 512, maxlen 200, validation_split 0.1,
ReduceLROnPlateau(val_loss, 0.5, patience 2, min_lr 1e-5) and
EarlyStopping(val_loss, patience 3, restore_best_weights); then evaluated on the test split.

    bench/.venv/bin/python bench/keras/imdb_tuned_fit.py --epochs 3 [--mask-zero] --json /tmp/keras.json
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import imdb_transformer as data  # noqa: E402  (load_reviews, vocabulary, encode; MAXLEN 200)

NUM_WORDS = 20000


def build(mask_zero):
    import keras
    from keras import layers

    model = keras.Sequential([
        keras.Input((data.MAXLEN,), dtype="int32"),
        layers.Embedding(NUM_WORDS, 64, mask_zero=mask_zero),
        layers.Dropout(0.3),
        layers.LSTM(64),
        layers.Dropout(0.3),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default="../shared/data/aclImdb_v1.tar.gz", help="aclImdb_v1.tar.gz")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--limit", type=int, default=0, help="keep the first N training and N test examples")
    p.add_argument("--mask-zero", action="store_true", help="Embedding(mask_zero=True)")
    p.add_argument("--json", default="", help="also write the JSON result to this file")
    args = p.parse_args()

    import numpy as np
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(args.seed)
    reviews = data.load_reviews(args.data)
    vocab = data.vocabulary([toks for toks, _ in reviews["train"]])
    rng = np.random.default_rng(args.seed)
    x_train, y_train = data.encode(reviews["train"], vocab, rng)
    x_test, y_test = data.encode(reviews["test"], vocab, rng)
    if args.limit:
        x_train, y_train, x_test, y_test = x_train[:args.limit], y_train[:args.limit], x_test[:args.limit], y_test[:args.limit]

    model = build(args.mask_zero)
    callbacks = [
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_lr=1e-5),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True),
    ]
    t0 = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=512, epochs=args.epochs, validation_split=0.1,
                        verbose=2, callbacks=callbacks)
    fit_seconds = time.perf_counter() - t0
    loss, acc = model.evaluate(x_test, y_test, batch_size=512, verbose=0)
    result = {
        "model": "imdb_tuned", "mask_zero": args.mask_zero,
        "framework": f"keras {keras.__version__} / tensorflow {tf.__version__}",
        "cpu": data.cpu_model(), "cores": os.cpu_count(),
        "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "unset"),
        "examples": int(len(x_train)), "validation_split": 0.1, "test_examples": int(len(x_test)),
        "epochs": len(history.history["loss"]), "seed": args.seed, "fit_seconds": round(fit_seconds, 1),
        "val_accuracy": [round(float(a), 4) for a in history.history["val_accuracy"]],
        "test_loss": round(float(loss), 4), "test_accuracy": round(float(acc), 4),
    }
    print(json.dumps(result))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
