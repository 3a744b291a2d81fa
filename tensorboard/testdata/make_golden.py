"""Writes testdata/records.golden with TensorBoard's own TFRecord writer.

record_test.go checks that WriteRecord produces the same bytes and that
RecordReader reads the same records back. Run it with the checker's venv:

    tensorboard/check/.venv/bin/python tensorboard/testdata/make_golden.py
"""

import os

from tensorboard.summary.writer.record_writer import RecordWriter

# Keep in step with goldenRecords in record_test.go.
RECORDS = [
    b"",
    b"a",
    b"hello, tensorboard",
    bytes(range(256)) + bytes(range(44)),
]


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "records.golden")
    with open(path, "wb") as f:
        writer = RecordWriter(f)
        for data in RECORDS:
            writer.write(data)
        writer.flush()
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
