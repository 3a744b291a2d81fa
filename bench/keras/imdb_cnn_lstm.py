"""Keras reference for configs/imdb_cnn_lstm.yaml: Keras's imdb_cnn_lstm example.

Embedding(20000, 128) -> Dropout(0.25) -> Conv1D(64, 5, relu) -> MaxPooling1D(4)
-> LSTM(70) -> Dense(1, sigmoid); Adam (Keras's defaults), binary_crossentropy, batch 30,
maxlen 100. Random token ids stand in for the reviews (see common.py).

    python bench/keras/imdb_cnn_lstm.py --steps 200 --warmup 5 --json /tmp/imdb_cnn_lstm.json
"""

import common

MAXLEN = 100


def build():
    import keras
    from keras import layers

    model = keras.Sequential([
        keras.Input((MAXLEN,), dtype="int32"),
        layers.Embedding(20000, 128),
        layers.Dropout(0.25),
        layers.Conv1D(64, 5, padding="valid", activation="relu", strides=1),
        layers.MaxPooling1D(pool_size=4),
        layers.LSTM(70),
        layers.Dense(1, activation="sigmoid", dtype="float32"),  # float32 output (common.py)
    ])
    model.compile(optimizer=keras.optimizers.Adam(), loss="binary_crossentropy", metrics=["accuracy"])
    return model


if __name__ == "__main__":
    args = common.parse_args("imdb_cnn_lstm", batch=30)
    common.fit_classifier("imdb_cnn_lstm", args, MAXLEN, build)
