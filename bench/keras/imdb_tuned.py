"""Keras reference for configs/imdb_tuned.yaml: the tuned IMDB LSTM.

Embedding(20000, 64) -> Dropout(0.3) -> LSTM(64) -> Dropout(0.3) -> Dense(1, sigmoid);
RMSprop(learning_rate=0.001), binary_crossentropy, batch 512, maxlen 200. The config's
callbacks act at epoch ends only and are left out: this times training steps. Random token
ids stand in for the reviews (see common.py).

    python bench/keras/imdb_tuned.py --steps 20 --warmup 2 --json /tmp/imdb_tuned.json
"""

import common

MAXLEN = 200


def build():
    import keras
    from keras import layers

    model = keras.Sequential([
        keras.Input((MAXLEN,), dtype="int32"),
        layers.Embedding(20000, 64),
        layers.Dropout(0.3),
        layers.LSTM(64),
        layers.Dropout(0.3),
        layers.Dense(1, activation="sigmoid", dtype="float32"),  # float32 output (common.py)
    ])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


if __name__ == "__main__":
    args = common.parse_args("imdb_tuned", batch=512)
    common.fit_classifier("imdb_tuned", args, MAXLEN, build)
