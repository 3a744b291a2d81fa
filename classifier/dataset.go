package classifier

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/graphs"
)

// Dataset is a labelled data set. Example i's features are row i of Ints (token ids) or
// Floats (pixels), of RowLen values each, with shape Shape; or, for an image folder
// streamed from disk, image i of a datasets.ImageStream, decoded when a batch needs it
// (Ints and Floats nil; the labels are in memory).
type Dataset struct {
	Ints   []int32
	Floats []float32
	Shape  builders.Shape
	Labels []float32
	// LabelWidth is the number of labels of each example, row-major in Labels: a CSV's
	// label columns (multi-label or several regression targets); 0 or 1 means one.
	LabelWidth int
	// Weights are the examples' sample weights (a CSV's data.sample_weight column), nil
	// when they have none.
	Weights []float32
	// Source is the file or folder a built-in data set was read from (the path
	// datasets.Locate found), for the run's log; "" for own data.
	Source string

	stream *datasets.ImageStream
}

// Streamed reports whether the examples are read from disk batch by batch.
func (d *Dataset) Streamed() bool { return d.stream != nil }

// Close stops a streamed data set's reading ahead (nothing for one in memory).
func (d *Dataset) Close() error {
	if d == nil || d.stream == nil {
		return nil
	}
	return d.stream.Close()
}

// plan tells a streamed data set the order of the coming batches, so it decodes them
// ahead of the steps (nothing for one in memory).
func (d *Dataset) plan(order []int, batchSize int) error {
	if d.stream == nil {
		return nil
	}
	return d.stream.Plan(order, batchSize)
}

// Len is the number of examples.
func (d *Dataset) Len() int { return len(d.Labels) / d.labelWidth() }

// labelWidth is LabelWidth, at least 1.
func (d *Dataset) labelWidth() int { return max(d.LabelWidth, 1) }

// labelsOf are the labels of the examples at idx, labelWidth each.
func (d *Dataset) labelsOf(idx []int) []float32 {
	m := d.labelWidth()
	out := make([]float32, 0, len(idx)*m)
	for _, i := range idx {
		out = append(out, d.Labels[i*m:(i+1)*m]...)
	}
	return out
}

func (d *Dataset) rowLen() int {
	n := 1
	for _, s := range d.Shape {
		n *= s
	}
	return n
}

// Subset returns the examples at idx, in that order (copied).
func (d *Dataset) Subset(idx []int) *Dataset {
	r := d.rowLen()
	out := &Dataset{Shape: d.Shape, Labels: d.labelsOf(idx), LabelWidth: d.LabelWidth}
	if d.Weights != nil {
		out.Weights = d.weights(idx)
	}
	if d.stream != nil {
		out.stream = d.stream.Subset(idx)
		return out
	}
	if d.Ints != nil {
		out.Ints = make([]int32, len(idx)*r)
	} else {
		out.Floats = make([]float32, len(idx)*r)
	}
	for k, i := range idx {
		if d.Ints != nil {
			copy(out.Ints[k*r:(k+1)*r], d.Ints[i*r:(i+1)*r])
		} else {
			copy(out.Floats[k*r:(k+1)*r], d.Floats[i*r:(i+1)*r])
		}
	}
	return out
}

// weights are the sample weights of the examples at idx (nil without weights).
func (d *Dataset) weights(idx []int) []float32 {
	if d.Weights == nil {
		return nil
	}
	out := make([]float32, len(idx))
	for k, i := range idx {
		out[k] = d.Weights[i]
	}
	return out
}

// Head returns the first n examples (all if n <= 0 or n >= Len).
func (d *Dataset) Head(n int) *Dataset {
	if n <= 0 || n >= d.Len() {
		return d
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return d.Subset(idx)
}

// batch builds the feature and label tensors of the examples at idx.
func (d *Dataset) batch(idx []int) (x, y *tf.Tensor, err error) {
	r := d.rowLen()
	shape := append([]int64{int64(len(idx))}, d.Shape.Int64s()...)
	labels := d.labelsOf(idx)
	switch {
	case d.stream != nil:
		b, serr := d.stream.Batch(idx)
		if serr != nil {
			return nil, nil, serr
		}
		x, err = graphs.NewTensor(b.Images, shape...)
	case d.Ints != nil:
		buf := make([]int32, len(idx)*r)
		for k, i := range idx {
			copy(buf[k*r:(k+1)*r], d.Ints[i*r:(i+1)*r])
		}
		x, err = graphs.NewTensor(buf, shape...)
	default:
		buf := make([]float32, len(idx)*r)
		for k, i := range idx {
			copy(buf[k*r:(k+1)*r], d.Floats[i*r:(i+1)*r])
		}
		x, err = graphs.NewTensor(buf, shape...)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("batch: %w", err)
	}
	if m := d.labelWidth(); m > 1 {
		y, err = graphs.NewTensor(labels, int64(len(idx)), int64(m))
	} else {
		y, err = graphs.NewTensor(labels, int64(len(idx)))
	}
	return x, y, err
}
