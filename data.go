package tfrun

import (
	"fmt"
	"iter"
	"math"
	"slices"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/classifier"
)

// Array is examples in memory: row-major values (Floats, or Ints for token ids), each
// example of shape Shape (without the batch dimension; empty for one number each).
type Array struct {
	Shape  []int
	Floats []float32
	Ints   []int32
}

// Floats returns float examples of shape shape (features, labels, targets).
func Floats(values []float32, shape ...int) Array { return Array{Shape: shape, Floats: values} }

// Ints returns int32 examples of shape shape: token ids, for a model whose first layer
// is an Embedding.
func Ints(values []int32, shape ...int) Array { return Array{Shape: shape, Ints: values} }

// rowLen is the number of values of one example.
func (a Array) rowLen() int {
	n := 1
	for _, d := range a.Shape {
		n *= d
	}
	return n
}

// values is the number of values.
func (a Array) values() int {
	if a.Ints != nil {
		return len(a.Ints)
	}
	return len(a.Floats)
}

// Len is the number of examples.
func (a Array) Len() int {
	if r := a.rowLen(); r > 0 {
		return a.values() / r
	}
	return 0
}

// head returns the array's first n examples (all of them if it has fewer, or is not
// whole examples: check reports that).
func (a Array) head(n int) Array {
	r := a.rowLen()
	if n >= a.Len() || a.values()%r != 0 {
		return a
	}
	if a.Ints != nil {
		a.Ints = a.Ints[:n*r]
	} else {
		a.Floats = a.Floats[:n*r]
	}
	return a
}

// check reports an array whose values are not whole examples of its shape.
func (a Array) check(what string) error {
	for _, d := range a.Shape {
		if d <= 0 {
			return fmt.Errorf("%s: shape %v: every dimension must be > 0", what, a.Shape)
		}
	}
	if a.Ints != nil && a.Floats != nil {
		return fmt.Errorf("%s: both Floats and Ints are set; give one", what)
	}
	if r := a.rowLen(); a.values()%r != 0 {
		return fmt.Errorf("%s: %d values are not whole examples of shape %v (%d values each)", what, a.values(), a.Shape, r)
	}
	return nil
}

// Data is what Fit and Evaluate take (PredictBatches its Batches): the examples X and their labels Y (class ids, 0/1
// labels or regression targets; an example shape (k) in Y gives k labels per example, as
// a CSV's several label columns), and optionally each example's weight (Keras's fit
// sample_weight).
type Data struct {
	X Array
	Y Array
	// SampleWeight, if set, weighs each example's loss (and the weighted metrics): Σ w·l
	// over the batch size, Keras's reduction; one finite weight >= 0 per example. A model
	// is built weighted or not by the first data it sees (see Build).
	SampleWeight []float32
	// Inputs and Outputs are the data of a functional model of several inputs or
	// outputs, by the names of its inputs (layers.Input) and outputs (the layers giving
	// them), as Keras's dict inputs: each input's examples, each output's labels (one
	// number, or a vector (k), per example). Such a model takes them instead of X and Y.
	Inputs, Outputs map[string]Array
	// Batches, if set, is the data as a Go iterator of batches instead of arrays (Keras's
	// fit on a generator or a keras.utils.PyDataset): Fit calls it at the start of every
	// epoch with the 0-based epoch and trains on the batches it yields until it ends, or
	// on the first StepsPerEpoch of them (an endless iterator needs StepsPerEpoch). An
	// error it yields stops Fit with that error, wrapped with the epoch and batch. The
	// first batch builds the model; every other must have the same shapes and types.
	// Evaluate, PredictBatches and PredictOutputsBatches call it once, with epoch 0, and
	// take its batches until it ends or Steps of them. FromIterator makes one of an
	// iter.Seq2 that ignores the epoch. See
	// docs/guide/go_api.md for resuming (the iterator is called again, at the
	// checkpoint's epoch).
	Batches func(epoch int) iter.Seq2[Batch, error]
}

// Len is the number of examples (of X, or of any of Inputs).
func (d Data) Len() int {
	for _, a := range d.Inputs {
		return a.Len()
	}
	return d.X.Len()
}

// head returns d's first n examples: of each array, and of SampleWeight (Steps on arrays).
func (d Data) head(n int) Data {
	d.X, d.Y = d.X.head(n), d.Y.head(n)
	if len(d.SampleWeight) > n {
		d.SampleWeight = d.SampleWeight[:n]
	}
	for _, g := range []*map[string]Array{&d.Inputs, &d.Outputs} {
		if *g == nil {
			continue
		}
		h := make(map[string]Array, len(*g))
		for name, a := range *g {
			h[name] = a.head(n)
		}
		*g = h
	}
	return d
}

// dataset checks d and returns it as the classifier's data set (copied into float32
// labels), and the number of labels per example.
func (d Data) dataset(what string) (*classifier.Dataset, error) {
	if d.Batches != nil {
		return nil, fmt.Errorf("%s: a batch has no Batches of its own", what)
	}
	if d.Inputs != nil || d.Outputs != nil {
		return nil, fmt.Errorf("%s: Inputs and Outputs are for a model of several inputs or outputs; this one takes X and Y", what)
	}
	if err := d.X.check(what + ".X"); err != nil {
		return nil, err
	}
	if err := d.Y.check(what + ".Y"); err != nil {
		return nil, err
	}
	n := d.X.Len()
	if n == 0 {
		return nil, fmt.Errorf("%s: no examples", what)
	}
	if len(d.Y.Shape) > 1 {
		return nil, fmt.Errorf("%s.Y: shape %v: labels are one number or a vector (k) per example", what, d.Y.Shape)
	}
	if d.Y.Len() != n {
		return nil, fmt.Errorf("%s: %d examples in X, %d in Y", what, n, d.Y.Len())
	}
	labels := d.Y.Floats
	if d.Y.Ints != nil {
		labels = make([]float32, len(d.Y.Ints))
		for i, v := range d.Y.Ints {
			labels[i] = float32(v)
		}
	}
	if d.SampleWeight != nil {
		if len(d.SampleWeight) != n {
			return nil, fmt.Errorf("%s: %d examples, %d sample weights", what, n, len(d.SampleWeight))
		}
		for i, w := range d.SampleWeight {
			if !(w >= 0) || math.IsInf(float64(w), 1) {
				return nil, fmt.Errorf("%s: sample weight %d: %v: want a finite number >= 0", what, i, w)
			}
		}
	}
	ds := &classifier.Dataset{Shape: builders.Shape(slices.Clone(d.X.Shape)), Labels: labels, Ints: d.X.Ints, Floats: d.X.Floats,
		Weights: d.SampleWeight}
	if d.Y.rowLen() > 1 {
		ds.LabelWidth = d.Y.rowLen()
	}
	return ds, nil
}

// unlabelled returns x as a data set with zero labels (Predict).
func unlabelled(x Array) (*classifier.Dataset, error) {
	if err := x.check("x"); err != nil {
		return nil, err
	}
	if x.Len() == 0 {
		return nil, fmt.Errorf("x: no examples")
	}
	return &classifier.Dataset{Shape: builders.Shape(slices.Clone(x.Shape)), Labels: make([]float32, x.Len()), Ints: x.Ints, Floats: x.Floats}, nil
}
