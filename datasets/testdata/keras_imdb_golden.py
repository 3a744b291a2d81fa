"""Records Keras's tokenization of the IMDB training texts for imdb_full_test.go.

Reference: keras_preprocessing 1.1.2 (the Tokenizer that tf.keras.preprocessing.text
re-exported), pure Python, no TensorFlow:

    python3 -m venv /tmp/kp && /tmp/kp/bin/pip install keras-preprocessing==1.1.2
    /tmp/kp/bin/python testdata/keras_imdb_golden.py /path/to/aclImdb_v1.tar.gz \
        > testdata/keras_imdb_golden.json

The training texts are taken in LoadIMDBText's order (neg by id, then pos by id),
with the "<br />", "<br/>" and "<br>" tags replaced by a space after lower-casing,
as datasets.Tokenize does; everything else is Keras's Tokenizer with its defaults.
Indices follow keras.datasets.imdb: rank + 3, start 1, OOV 2, num_words 10000.
"""
import hashlib
import json
import re
import sys
import tarfile

from keras_preprocessing.text import Tokenizer, text_to_word_sequence

NUM_WORDS = 10000
INDEX_FROM = 3
NAME = re.compile(r"^(?:\./)?aclImdb/(train|test)/(neg|pos)/(\d+)_(\d+)\.txt$")


def load(path):
    splits = {"train": [], "test": []}
    with tarfile.open(path) as tar:
        for m in tar:
            g = NAME.match(m.name)
            if not g or not m.isfile():
                continue
            text = tar.extractfile(m).read().decode("utf-8")
            splits[g[1]].append(((g[2] == "pos"), int(g[3]), text))
    return {k: [t for _, _, t in sorted(v)] for k, v in splits.items()}


def prepare(text):
    text = text.lower()
    for tag in ("<br />", "<br/>", "<br>"):
        text = text.replace(tag, " ")
    return text


def encode(tok, text):
    out = [1]
    for w in text_to_word_sequence(prepare(text)):
        i = tok.word_index[w] + INDEX_FROM if w in tok.word_index else 2
        out.append(i if i < NUM_WORDS else 2)
    return out


def main():
    data = load(sys.argv[1])
    train = [prepare(t) for t in data["train"]]
    tok = Tokenizer()
    tok.fit_on_texts(train)
    ranked = sorted(tok.word_index, key=tok.word_index.get)
    golden = {
        "num_train": len(data["train"]),
        "num_test": len(data["test"]),
        "distinct_words": len(ranked),
        "total_tokens": sum(tok.word_counts.values()),
        "top_words": ranked[:100],
        "top_counts": [tok.word_counts[w] for w in ranked[:100]],
        "ranked_words_sha256": hashlib.sha256("\n".join(ranked).encode("utf-8")).hexdigest(),
        "num_words": NUM_WORDS,
        "encoded": {
            "train[0]": encode(tok, data["train"][0]),
            "train[12500]": encode(tok, data["train"][12500]),
            "test[0]": encode(tok, data["test"][0]),
        },
    }
    json.dump(golden, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
