"""Keras twin of configs/imdb_transformer.yaml: Keras's text_classification_with_transformer
example with the padding masked and a recipe for 0.88, trained on the same IMDB data as tfrun.

The data: the official archive aclImdb_v1.tar.gz read as tfrun reads it (classifier/imdb.go,
datasets/): the reviews of each split in tfrun's order (neg then pos, by ascending id),
Keras's text_to_word_sequence with its defaults after removing <br /> tags, the words of
the training reviews ranked by count (ties by first appearance), num_words 20000 with
keras.datasets.imdb's layout (0 padding, 1 start, 2 out-of-vocabulary, words from 3), each
split shuffled, then pad_sequences(maxlen) (padding and truncating at the front: the last
maxlen tokens of a review).

The model, as the config. --recipe tuned (since session 10): TokenAndPositionEmbedding(20000,
400, 32, mask_zero=True) named "embeddings" (keras_hub's computation and weight names,
defined here with a compute_mask so that its mask reaches the pooling; see
token_and_position_embedding_class), then the block below, masked: the attention ignores
padded keys and the pooling averages unmasked steps. --recipe example: Embedding(20000, 32,
mask_zero=True) + a learnt position
embedding with keras_hub's PositionEmbedding semantics (imported from keras_hub when
installed, else the same computation defined here: weight "embeddings" [maxlen, 32],
glorot_uniform, the first length rows for every example), Add, one Transformer block
(MultiHeadAttention(2 heads, key_dim 32), Dropout(0.1), Add, LayerNormalization(1e-6),
Dense(32, relu), Dense(32), Dropout(0.1), Add, LayerNormalization(1e-6)),
GlobalAveragePooling1D, Dropout(0.1), Dense(20, relu), Dropout(0.1), Dense(2, softmax);
sparse categorical cross-entropy, batch 32, validated on the test set. The recipes:

  --recipe tuned (default, configs/imdb_transformer.yaml): maxlen 400 (664,158 parameters),
      AdamW(weight_decay=0.01) on CosineDecay(0.0, decay_steps=1364, warmup_target=1e-3,
      warmup_steps=200), 2 epochs (3 epochs, decay_steps 2146, until session 11);
  --recipe example (configs/examples/imdb_transformer_keras_example.yaml, the example's):
      maxlen 200 (657,758 parameters), Adam(0.001), 2 epochs.

--no-mask drops mask_zero (the example as published). Note: in Keras 3.15.1 mask_zero has
no effect on this model's output: the position embedding has no mask, so
Add([token_embedding, position_embedding]) has none (Merge.compute_mask) and the block
attends to and averages the padding either way (the same loss to the last digit with and
without it; docs/results/imdb_transformer.md, 2026-12-06 session 10).

    bench/.venv/bin/python bench/keras/imdb_transformer.py --data ../shared/data/aclImdb_v1.tar.gz \
        --json /tmp/imdb_transformer_keras.json

prints Keras's verbose=2 epoch lines, then one JSON line: test accuracy and loss, seconds of
each epoch (wall time of fit's epoch, validation included), the versions, the CPU and the
thread counts.
"""

import argparse
import json
import os
import re
import tarfile
import time

from common import cpu_model

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

NUM_WORDS = 20000
EMBED_DIM = 32
NUM_HEADS = 2
FF_DIM = 32

# The two recipes, as configs/imdb_transformer.yaml ("tuned", the default) and
# configs/examples/imdb_transformer_keras_example.yaml ("example"). Both: batch 32.
RECIPES = {
    "tuned": {"maxlen": 400, "epochs": 2, "optimizer": "adamw_cosine", "embedding": "token_and_position"},
    "example": {"maxlen": 200, "epochs": 2, "optimizer": "adam"},
}
MAXLEN = RECIPES["tuned"]["maxlen"]  # set by main from --recipe
# The tuned recipe's schedule, as the config's: linear warm-up from 0 to 1e-3 over the first
# 200 steps, then cosine decay to 0 over 1364 more (2 epochs of 782 steps = 1564 steps).
WARMUP_STEPS = 200
DECAY_STEPS = 1364

FILTERS = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n"  # Keras's Tokenizer default
_SEPARATORS = str.maketrans({c: " " for c in FILTERS})
_BR = re.compile(r"<br />|<br/>|<br>")
_NAME = re.compile(r"aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")


def tokenize(text):
    """tfrun's datasets.Tokenize: lower, <br> tags and Keras's filters to spaces, split on " "."""
    s = _BR.sub(" ", text.lower()).translate(_SEPARATORS)
    return [w for w in s.split(" ") if w]


def load_reviews(path):
    """{split: [(tokens, label)]} in tfrun's order: neg then pos, by ascending id."""
    found = {"train": {"neg": [], "pos": []}, "test": {"neg": [], "pos": []}}
    with tarfile.open(path) as tar:
        for m in tar:
            g = _NAME.search(m.name)
            if not g or not m.isfile():
                continue
            text = tar.extractfile(m).read().decode("utf-8")
            found[g.group(1)][g.group(2)].append((int(g.group(3)), tokenize(text)))
    out = {}
    for split in ("train", "test"):
        out[split] = [(toks, label) for label, folder in enumerate(("neg", "pos"))
                      for _, toks in sorted(found[split][folder], key=lambda r: r[0])]
    return out


def vocabulary(texts):
    """word → index: ranked by descending count, ties by first appearance, from index 4."""
    counts, order = {}, []
    for toks in texts:
        for w in toks:
            if w not in counts:
                counts[w] = 0
                order.append(w)
            counts[w] += 1
    ranked = sorted(order, key=lambda w: -counts[w])  # stable: ties keep first appearance
    return {w: r + 4 for r, w in enumerate(ranked[:NUM_WORDS - 4])}


def encode(reviews, vocab, rng):
    import numpy as np
    import keras

    seqs = [[1] + [vocab.get(w, 2) for w in toks] for toks, _ in reviews]
    labels = np.array([label for _, label in reviews], dtype="int32")
    order = rng.permutation(len(seqs))
    x = keras.utils.pad_sequences([seqs[i] for i in order], maxlen=MAXLEN)  # pre, pre
    return x.astype("int32"), labels[order]


def position_embedding_class():
    import keras

    try:  # keras_hub's own layer, when installed
        import keras_hub

        return keras_hub.layers.PositionEmbedding
    except Exception:
        pass

    class PositionEmbedding(keras.layers.Layer):
        """keras_hub.layers.PositionEmbedding's computation for inputs no longer than
        sequence_length: a learnt [sequence_length, features] table, its first length rows
        broadcast over the batch. No masking (as keras_hub's)."""

        def __init__(self, sequence_length, initializer="glorot_uniform", **kwargs):
            super().__init__(**kwargs)
            self.sequence_length = int(sequence_length)
            self.initializer = keras.initializers.get(initializer)

        def build(self, input_shape):
            self.position_embeddings = self.add_weight(
                name="embeddings", shape=[self.sequence_length, input_shape[-1]],
                initializer=self.initializer, trainable=True)

        def call(self, inputs):
            shape = keras.ops.shape(inputs)
            rows = keras.ops.slice(self.position_embeddings, (0, 0), (shape[-2], shape[-1]))
            return keras.ops.broadcast_to(rows, shape)

        def compute_output_shape(self, input_shape):
            return input_shape

    return PositionEmbedding


def token_and_position_embedding_class():
    """keras_hub.layers.TokenAndPositionEmbedding's computation (tie_weights, uniform
    initializer): Embedding "token_embedding" + position table "position_embedding", the
    sum carrying the ids' mask (ids != 0) with mask_zero. Unlike keras_hub 0.32.0's layer,
    which sets its mask in call only, it has a compute_mask, so in Keras 3.15.1 the mask
    survives MultiHeadAttention (which deletes its inputs' masks) into the residual Add and
    the pooling, as an Embedding's does and as tfrun's TokenAndPositionEmbedding keeps it
    (builders/testdata/keras/make_token_position_golden.py records both)."""
    import keras

    PositionEmbedding = position_embedding_class()

    class TokenAndPositionEmbedding(keras.layers.Layer):
        def __init__(self, vocabulary_size, sequence_length, embedding_dim, mask_zero=False, **kwargs):
            super().__init__(**kwargs)
            self.token_embedding = keras.layers.Embedding(
                vocabulary_size, embedding_dim, embeddings_initializer="uniform", mask_zero=mask_zero,
                name="token_embedding")
            self.position_embedding = PositionEmbedding(
                sequence_length=sequence_length, initializer="uniform", name="position_embedding")
            self.mask_zero = mask_zero
            self.embedding_dim = embedding_dim
            self.supports_masking = mask_zero

        def build(self, input_shape):
            self.token_embedding.build(input_shape)
            self.position_embedding.build(tuple(input_shape) + (self.embedding_dim,))

        def call(self, inputs):
            tok = self.token_embedding(inputs)
            return tok + self.position_embedding(tok)

        def compute_mask(self, inputs, mask=None):
            return keras.ops.not_equal(inputs, 0) if self.mask_zero else None

        def compute_output_shape(self, input_shape):
            return tuple(input_shape) + (self.embedding_dim,)

    return TokenAndPositionEmbedding


def optimizer(kind, dense_gradients=False):
    """The recipe's optimizer. With dense_gradients, every gradient reaches it dense: an
    Embedding's tf.IndexedSlices (one slice per occurrence of an id) are summed per id first,
    as tfrun's gradients are, so Adam's second moment gets (sum of g)^2 instead of Keras's
    sum of g^2 (docs/results/imdb_transformer.md, session 10's item 3)."""
    import keras
    import tensorflow as tf

    if kind == "adam":
        base = keras.optimizers.Adam
        kwargs = {"learning_rate": 0.001}
    else:
        base = keras.optimizers.AdamW
        kwargs = {"weight_decay": 0.01, "learning_rate": keras.optimizers.schedules.CosineDecay(
            initial_learning_rate=0.0, decay_steps=DECAY_STEPS, alpha=0.0,
            warmup_target=1e-3, warmup_steps=WARMUP_STEPS)}
    if not dense_gradients:
        return base(**kwargs)

    class Dense(base):
        def apply(self, grads, trainable_variables=None):
            grads = [tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g for g in grads]
            return super().apply(grads, trainable_variables)

    return Dense(**kwargs)


def build(mask, opt="adamw_cosine", dropout=0.1, num_words=NUM_WORDS, embedding="add"):
    """The twin's model, compiled with the recipe's optimizer (opt: a key of optimizer, or a
    keras optimizer). dropout and num_words are the recipe's unless a test changes them
    (importer/testdata/make_transformer_golden.py: dropout 0 and a small vocabulary).
    embedding "add": Embedding + PositionEmbedding + Add (unmasked in Keras 3, the example's
    and the tuned recipe's before session 10); "token_and_position": one
    TokenAndPositionEmbedding "embeddings" (configs/imdb_transformer.yaml since session 10),
    masked with mask."""
    import keras
    from keras import layers

    tokens = keras.Input((MAXLEN,), dtype="int32", name="tokens")
    if embedding == "token_and_position":
        x = token_and_position_embedding_class()(num_words, MAXLEN, EMBED_DIM, mask_zero=mask, name="embeddings")(tokens)
    else:
        PositionEmbedding = position_embedding_class()
        tok = layers.Embedding(num_words, EMBED_DIM, mask_zero=mask, name="token_embedding")(tokens)
        pos = PositionEmbedding(sequence_length=MAXLEN, name="position_embedding")(tok)
        x = layers.Add(name="embeddings")([tok, pos])
    att = layers.MultiHeadAttention(num_heads=NUM_HEADS, key_dim=EMBED_DIM, name="attention")(x, x)
    att = layers.Dropout(dropout, name="attention_dropout")(att)
    x = layers.LayerNormalization(epsilon=1e-6, name="norm")(layers.Add(name="residual")([x, att]))
    ff = layers.Dense(FF_DIM, activation="relu", name="feed_forward")(x)
    ff = layers.Dense(EMBED_DIM, name="feed_forward_out")(ff)
    ff = layers.Dropout(dropout, name="feed_forward_dropout")(ff)
    x = layers.LayerNormalization(epsilon=1e-6, name="norm_1")(layers.Add(name="residual_1")([x, ff]))
    x = layers.GlobalAveragePooling1D(name="pool")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    x = layers.Dense(20, activation="relu", name="hidden")(x)
    x = layers.Dropout(dropout, name="dropout_1")(x)
    out = layers.Dense(2, activation="softmax", name="head")(x)
    model = keras.Model(tokens, out, name="imdb_transformer")
    model.compile(optimizer=optimizer(opt) if isinstance(opt, str) else opt,
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default="../shared/data/aclImdb_v1.tar.gz", help="aclImdb_v1.tar.gz")
    p.add_argument("--recipe", choices=sorted(RECIPES), default="tuned",
                   help="tuned: configs/imdb_transformer.yaml; example: the Keras example's recipe "
                        "(configs/examples/imdb_transformer_keras_example.yaml)")
    p.add_argument("--epochs", type=int, default=0, help="0: the recipe's")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--limit", type=int, default=0, help="keep the first N training and N test examples (smoke runs)")
    p.add_argument("--threads", type=int, default=0, help="TensorFlow intra-op threads (0: TensorFlow's default)")
    p.add_argument("--no-mask", action="store_true", help="Embedding without mask_zero (the published example)")
    p.add_argument("--dense-embedding-gradients", action="store_true",
                   help="sum an Embedding's per-occurrence gradients before the optimizer, as tfrun does")
    p.add_argument("--json", default="", help="also write the JSON result to this file")
    p.add_argument("--vocabulary", default="",
                   help="a tfrun run's vocabulary.json: check that this script ranks the same words")
    args = p.parse_args()

    import numpy as np
    import keras
    import tensorflow as tf

    global MAXLEN
    recipe = RECIPES[args.recipe]
    MAXLEN = recipe["maxlen"]
    epochs = args.epochs or recipe["epochs"]

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    keras.utils.set_random_seed(args.seed)
    t0 = time.perf_counter()
    reviews = load_reviews(args.data)
    vocab = vocabulary([toks for toks, _ in reviews["train"]])
    if args.vocabulary:
        with open(args.vocabulary) as f:
            words = json.load(f)["words"]
        ours = sorted(vocab, key=vocab.get)
        if ours != words:
            first = next((i for i, (a, b) in enumerate(zip(ours, words)) if a != b), min(len(ours), len(words)))
            raise SystemExit(f"vocabulary differs from {args.vocabulary} at rank {first + 1}: "
                             f"{ours[first:first + 3]} vs {words[first:first + 3]}")
        print(f"vocabulary: the same {len(words)} words as {args.vocabulary}")
    rng = np.random.default_rng(args.seed)
    x_train, y_train = encode(reviews["train"], vocab, rng)
    x_test, y_test = encode(reviews["test"], vocab, rng)
    if args.limit:
        x_train, y_train, x_test, y_test = x_train[:args.limit], y_train[:args.limit], x_test[:args.limit], y_test[:args.limit]
    data_seconds = time.perf_counter() - t0

    opt = optimizer(recipe["optimizer"], dense_gradients=args.dense_embedding_gradients)
    model = build(mask=not args.no_mask, opt=opt, embedding=recipe.get("embedding", "add"))
    model.summary()

    class EpochTimes(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds.append(time.perf_counter() - self.start)

    seconds = []
    history = model.fit(x_train, y_train, batch_size=args.batch, epochs=epochs,
                        validation_data=(x_test, y_test), verbose=2, callbacks=[EpochTimes()])
    loss, acc = model.evaluate(x_test, y_test, batch_size=args.batch, verbose=0)
    result = {
        "model": "imdb_transformer", "recipe": args.recipe, "maxlen": MAXLEN, "mask_zero": not args.no_mask,
        "framework": f"keras {keras.__version__} / tensorflow {tf.__version__}",
        "cpu": cpu_model(), "cores": os.cpu_count(), "intra_op_threads": args.threads or "default",
        "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "unset"),
        "train_examples": int(len(x_train)), "test_examples": int(len(x_test)),
        "epochs": epochs, "batch_size": args.batch, "seed": args.seed,
        "dense_embedding_gradients": args.dense_embedding_gradients,
        "data_seconds": round(data_seconds, 1), "epoch_seconds": [round(s, 1) for s in seconds],
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
