package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerTimeDistributed, func(c *configs.Layer, name string, wrapped Layer) (Layer, error) {
		return NewTimeDistributed(name, wrapped), nil
	})
}

// TimeDistributed is Keras's TimeDistributed wrapper: Layer applied to every step of
// [batch, time, ...] with one set of weights, [batch, time, ...] → [batch, time, out...].
// Keras calls the layer once per step; here the steps are folded into the batch
// ([batch·time, ...]), one call, then unfolded: the same result for a layer that computes
// each example on its own (configs lists those it takes; not BatchNormalization, whose
// statistics are per step in Keras). The layer's variables live in the wrapper's scope, as
// Keras's paths "time_distributed/dense/kernel". Its penalties (regularizers) are the
// wrapped layer's.
type TimeDistributed struct {
	base
	Layer Layer

	steps int
	out   Shape
}

// NewTimeDistributed wraps layer.
func NewTimeDistributed(name string, layer Layer) *TimeDistributed {
	return &TimeDistributed{base: base{name: name}, Layer: layer}
}

func (t *TimeDistributed) Type() string { return "TimeDistributed" }

func (t *TimeDistributed) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) < 2 || in[0] <= 0 {
		return nil, shapeError(t, in, "(None, time, ...) with a fixed number of steps")
	}
	if t.Layer == nil {
		return nil, argError(t, "layer", "none", "a layer")
	}
	t.begin(s)
	out, err := t.Layer.Build(layerScope(t.scope, t.Layer, false), in[1:])
	if err != nil {
		return nil, err
	}
	t.vars = t.Layer.Variables()
	t.steps, t.out = in[0], append(Shape{}, out...)
	return append(Shape{in[0]}, out...), nil
}

// Call folds the steps into the batch, calls the layer in the type it computes in, and
// unfolds its output.
func (t *TimeDistributed) Call(x tf.Output, training bool) tf.Output {
	s := t.scope
	if !s.Ok(x) {
		return x
	}
	shape := op.Shape(s.Op("Shape"), x, op.ShapeOutType(tf.Int32))
	inner := op.Slice(s.Op("Slice"), shape, s.Const([]int32{2}), s.Const([]int32{-1}))
	folded := op.Reshape(s.Op("Reshape"), x, op.ConcatV2(s.Op("ConcatV2"), []tf.Output{s.Const([]int32{-1}), inner}, s.Const(int32(0))))
	y := s.CastTo(callLayer(s, t.Layer, folded, training), s.DType())
	dims := []int32{-1, int32(t.steps)}
	for _, d := range t.out {
		dims = append(dims, int32(d))
	}
	return op.Reshape(s.Op("Reshape"), y, s.Const(dims))
}

// Penalty is the wrapped layer's penalty, if it has regularizers (see Regularized).
func (t *TimeDistributed) Penalty(s *graphs.Scope, dtype tf.DataType) tf.Output {
	if r, ok := t.Layer.(Regularized); ok {
		return r.Penalty(s, dtype)
	}
	return tf.Output{}
}
