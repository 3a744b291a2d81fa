"""Keras reference for configs/imdb_lstm.yaml: IMDB sentiment with a small LSTM.

Embedding(20000, 32) -> LSTM(32) -> Dense(1, sigmoid); RMSprop (Keras's defaults),
binary_crossentropy, batch 32, maxlen 80. Random token ids stand in for the reviews (see
common.py).

    python bench/keras/imdb_lstm.py --steps 200 --warmup 5 --json /tmp/imdb_lstm.json
"""

import common

MAXLEN = 80


def build():
    import keras
    from keras import layers

    model = keras.Sequential([
        keras.Input((MAXLEN,), dtype="int32"),
        layers.Embedding(20000, 32),
        layers.LSTM(32),
        layers.Dense(1, activation="sigmoid", dtype="float32"),  # float32 output (common.py)
    ])
    model.compile(optimizer=keras.optimizers.RMSprop(), loss="binary_crossentropy", metrics=["accuracy"])
    return model


if __name__ == "__main__":
    args = common.parse_args("imdb_lstm", batch=32)
    common.fit_classifier("imdb_lstm", args, MAXLEN, build)
