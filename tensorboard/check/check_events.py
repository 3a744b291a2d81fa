#!/usr/bin/env python3
"""Checks a tfrun run's TensorBoard logs with TensorBoard's own loader.

Usage:

    check_events.py --logdir RUN/logs --history RUN/history.json
                    [--images TAG] [--graph] [--histograms]

The logs follow Keras's TensorBoard callback: LOGDIR/train holds the tag
epoch_<metric> for every training metric of history.json (learning_rate
included), LOGDIR/validation holds epoch_<metric> for every val_<metric>, and
the step of epoch e is e - 1. The "seconds" metric is not logged.

The script loads both runs with
tensorboard.backend.event_processing.event_accumulator.EventAccumulator,
keeping every event and purging none, and checks that

  * each metric's tag is in its run, with one point for each epoch of
    history.json whose value is a number (a null or NaN value may be logged
    or not and is not compared), at step epoch - 1, in order, equal to
    history.json up to float32 rounding (relative 1e-6);
  * no tag of either run has a step twice;
  * with --images TAG: the run(s) hold images under TAG, and each is a PNG
    whose size matches the width and height stored with it;
  * with --graph: the train run holds a GraphDef with at least one node;
  * with --histograms: the train run holds a histogram tag with one
    histogram per epoch, each counting num values in its buckets.

It stops at the first failure with a message on stderr and exit status 1,
and prints a one-line summary on success.
"""

import argparse
import io
import json
import math
import os
import struct
import sys

from tensorboard.backend.event_processing import event_accumulator

try:
    from PIL import Image
except ImportError:  # Pillow is optional; fall back to reading the PNG header.
    Image = None

TRAIN = "train"
VALIDATION = "validation"
NOT_LOGGED = {"seconds"}
REL_TOL = 1e-6
# float32 keeps about 7 significant digits; values below its smallest normal
# number (about 1.2e-38) lose relative precision, so allow that much absolute.
ABS_TOL = 1.2e-38
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class CheckError(Exception):
    """A check failed; the message says which and why."""


class Runs:
    """The runs of a logdir, each loaded once, when first asked for."""

    def __init__(self, logdir):
        if not os.path.isdir(logdir):
            raise CheckError(f"logdir {logdir}: no such directory")
        self.logdir = logdir
        self.loaded = {}

    def get(self, run):
        """Returns the EventAccumulator of LOGDIR/RUN, which must exist."""
        if run not in self.loaded:
            self.loaded[run] = load_run(os.path.join(self.logdir, run))
        return self.loaded[run]

    def exists(self, run):
        return os.path.isdir(os.path.join(self.logdir, run))


def load_run(path):
    """Loads every event of the run in path with TensorBoard's EventAccumulator."""
    if not os.path.isdir(path):
        raise CheckError(f"run {path}: no such directory")
    acc = event_accumulator.EventAccumulator(
        path,
        # 0 keeps every event of every kind (no reservoir sampling).
        size_guidance=dict.fromkeys(event_accumulator.DEFAULT_SIZE_GUIDANCE, 0),
        # Keep out-of-order steps, so that duplicates show up instead of
        # being purged.
        purge_orphaned_data=False,
    )
    acc.Reload()
    return acc


def scalar_points(acc, tag):
    """Returns [(step, value)] of a scalar tag, or None if the run lacks it.

    Reads simple_value scalars (what tfrun writes) and scalar tensors (what
    Keras's TensorBoard callback writes through tf.summary.scalar).
    """
    tags = acc.Tags()
    if tag in tags[event_accumulator.SCALARS]:
        return [(e.step, e.value) for e in acc.Scalars(tag)]
    if tag in tags[event_accumulator.TENSORS]:
        from tensorboard.util import tensor_util

        return [
            (e.step, float(tensor_util.make_ndarray(e.tensor_proto).item()))
            for e in acc.Tensors(tag)
        ]
    return None


def load_history(path):
    """Returns (epochs, metrics) of history.json."""
    try:
        with open(path) as f:
            history = json.load(f)
    except (OSError, ValueError) as e:
        raise CheckError(f"history {path}: {e}")
    epochs = history.get("epochs")
    metrics = history.get("metrics")
    if not isinstance(epochs, list) or not isinstance(metrics, dict):
        raise CheckError(f'history {path}: want {{"epochs": [...], "metrics": {{...}}}}')
    for name, values in metrics.items():
        if not isinstance(values, list) or len(values) != len(epochs):
            raise CheckError(
                f"history {path}: metrics.{name} has {len(values) if isinstance(values, list) else values!r}"
                f" values, want one per epoch ({len(epochs)})"
            )
    return epochs, metrics


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v)


def check_metric(runs, name, epochs, values):
    """Checks one history metric against its tag; returns (run, tag) or None."""
    if name.startswith("val_"):
        run, tag = VALIDATION, "epoch_" + name[len("val_"):]
    else:
        run, tag = TRAIN, "epoch_" + name
    expected = {e - 1: v for e, v in zip(epochs, values) if is_number(v)}
    if not expected:
        return None  # nothing to compare: the metric was never a number
    where = f"{run}/{tag} (history metric {name})"
    acc = runs.get(run)
    points = scalar_points(acc, tag)
    if points is None:
        have = sorted(acc.Tags()[event_accumulator.SCALARS] + acc.Tags()[event_accumulator.TENSORS])
        raise CheckError(f"{where}: tag missing (run has {', '.join(have) or 'no scalar tags'})")
    steps = [s for s, _ in points]
    allowed = [e - 1 for e in epochs]
    if steps != sorted(set(steps)) or not set(steps) <= set(allowed) or not set(expected) <= set(steps):
        raise CheckError(f"{where}: steps {steps}, want {allowed} (epoch - 1 for each epoch, in order)")
    for step, got in points:
        if step not in expected:
            continue
        want = expected[step]
        if not math.isclose(got, want, rel_tol=REL_TOL, abs_tol=ABS_TOL):
            raise CheckError(f"{where}: step {step} (epoch {step + 1}) is {got!r}, want {want!r}")
    return run, tag


def check_no_duplicate_steps(run, acc):
    """Fails if any tag of the run has a step twice."""
    tags = acc.Tags()
    kinds = [
        (event_accumulator.SCALARS, acc.Scalars),
        (event_accumulator.TENSORS, acc.Tensors),
        (event_accumulator.HISTOGRAMS, acc.Histograms),
        (event_accumulator.IMAGES, acc.Images),
        (event_accumulator.AUDIO, acc.Audio),
    ]
    for kind, items in kinds:
        for tag in tags[kind]:
            seen = set()
            for e in items(tag):
                if e.step in seen:
                    raise CheckError(f"{run}/{tag}: step {e.step} logged more than once ({kind})")
                seen.add(e.step)


def png_size(data):
    """Returns (width, height) of a PNG, decoding it fully if Pillow is here."""
    if Image is not None:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != "PNG":
                raise ValueError(f"format {img.format}, want PNG")
            img.load()
            return img.size
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("no PNG signature and IHDR chunk")
    return struct.unpack(">II", data[16:24])


def check_images(runs, tag):
    """Checks every image of tag in the train and validation runs."""
    count = 0
    for run in (TRAIN, VALIDATION):
        if not runs.exists(run):
            continue
        acc = runs.get(run)
        if tag not in acc.Tags()[event_accumulator.IMAGES]:
            continue
        for e in acc.Images(tag):
            where = f"{run}/{tag} step {e.step}"
            try:
                width, height = png_size(e.encoded_image_string)
            except Exception as err:
                raise CheckError(f"{where}: not a PNG: {err}")
            if (width, height) != (e.width, e.height):
                raise CheckError(f"{where}: PNG is {width}x{height}, summary says {e.width}x{e.height}")
            count += 1
    if count == 0:
        raise CheckError(f"images {tag}: no image events in {TRAIN} or {VALIDATION}")
    return count


def check_graph(train):
    try:
        graph = train.Graph()
    except ValueError as e:
        raise CheckError(f"{TRAIN}: no graph: {e}")
    if len(graph.node) == 0:
        raise CheckError(f"{TRAIN}: the GraphDef has no nodes")
    return len(graph.node)


def check_histograms(train, epochs):
    want = [e - 1 for e in epochs]
    tags = train.Tags()[event_accumulator.HISTOGRAMS]
    complete = []
    for tag in tags:
        events = train.Histograms(tag)
        for e in events:
            h = e.histogram_value
            if h.num <= 0 or sum(h.bucket) != h.num or len(h.bucket) != len(h.bucket_limit):
                raise CheckError(
                    f"{TRAIN}/{tag} step {e.step}: num {h.num}, {len(h.bucket)} buckets holding"
                    f" {sum(h.bucket)}, {len(h.bucket_limit)} limits"
                )
        train.CompressedHistograms(tag)  # TensorBoard's own processing accepts them
        if [e.step for e in events] == want:
            complete.append(tag)
    if not complete:
        raise CheckError(
            f"{TRAIN}: no histogram tag has one histogram per epoch at steps {want}"
            f" (histogram tags: {', '.join(tags) or 'none'})"
        )
    return complete


def check(args):
    """Runs every requested check; returns the summary line."""
    epochs, metrics = load_history(args.history)
    runs = Runs(args.logdir)
    checked = []
    for name, values in metrics.items():
        if name in NOT_LOGGED:
            continue
        got = check_metric(runs, name, epochs, values)
        if got:
            checked.append("/".join(got))

    summary = [f"{len(epochs)} epochs", f"{len(checked)} scalar tags ({', '.join(checked)})"]
    if args.images:
        summary.append(f"{check_images(runs, args.images)} PNG images in {args.images}")
    if args.graph:
        summary.append(f"graph of {check_graph(runs.get(TRAIN))} nodes")
    if args.histograms:
        summary.append(f"histograms per epoch: {', '.join(check_histograms(runs.get(TRAIN), epochs))}")
    for run, acc in sorted(runs.loaded.items()):
        check_no_duplicate_steps(run, acc)
    return f"check_events: OK: {args.logdir}: " + "; ".join(summary)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Check a tfrun run's TensorBoard logs against its history.json with TensorBoard's loader."
    )
    parser.add_argument("--logdir", required=True, help="the run's logs directory (holding train/ and validation/)")
    parser.add_argument("--history", required=True, help="the run's history.json")
    parser.add_argument("--images", metavar="TAG", help="check that every image of TAG is a PNG of its stated size")
    parser.add_argument("--graph", action="store_true", help="check that train/ has a non-empty GraphDef")
    parser.add_argument("--histograms", action="store_true", help="check that train/ has a histogram tag per epoch")
    args = parser.parse_args(argv)
    try:
        print(check(args))
    except CheckError as e:
        print(f"check_events: FAIL: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
