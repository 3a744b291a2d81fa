package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// Keras's recurrent-layer defaults (keras/src/layers/rnn/gru.py, simple_rnn.py, lstm.py).
const (
	RNNActivation          = "tanh"
	RNNRecurrentActivation = "sigmoid"
)

// The recurrent layers (GRU, SimpleRNN) unroll their cell statically over the time steps,
// with ops TensorFlow's C++ gradient registry differentiates (MatMul, BiasAdd, Split,
// Unpack, Pack, Sigmoid, Tanh, Mul, AddV2, Sub): the input projection of every step is one
// MatMul hoisted out of the loop, each step then adds the recurrent projection. The initial
// state is zeros, as Keras's without initial_state. (graphs.UnrolledLSTM, for LSTM, instead
// multiplies each step's input and writes its backward pass out: measured faster at
// imdb_tuned's shape, see docs/results/speed.md; GRU and SimpleRNN were not measured.)

// rnnProject returns x·kernel (+ bias) for every time step of x [batch, steps, features],
// each [batch, width], in processing order: reversed when backwards (Keras's go_backwards).
func rnnProject(s *graphs.Scope, x, kernel, bias tf.Output, in Shape, width int, backwards bool) []tf.Output {
	steps, features := in[0], in[1]
	flat := op.Reshape(s.Op("Reshape"), x, s.Const([]int32{-1, int32(features)}))
	xw := op.MatMul(s.Op("MatMul"), flat, kernel)
	if bias.Op != nil {
		xw = s.BiasAdd(xw, bias)
	}
	xw = op.Reshape(s.Op("Reshape"), xw, s.Const([]int32{-1, int32(steps), int32(width)}))
	xs := op.Unpack(s.Op("Unpack"), xw, int64(steps), op.UnpackAxis(1))
	if backwards && len(xs) == steps {
		for i, j := 0, len(xs)-1; i < j; i, j = i+1, j-1 {
			xs[i], xs[j] = xs[j], xs[i]
		}
	}
	return xs
}

// rnnZeroState returns zeros [batch, units], batch taken from x [batch, ...].
func rnnZeroState(s *graphs.Scope, x tf.Output, units int) tf.Output {
	shape := op.Shape(s.Op("Shape"), x, op.ShapeOutType(tf.Int32))
	batch := op.StridedSlice(s.Op("StridedSlice"), shape, s.Const([]int32{0}), s.Const([]int32{1}), s.Const([]int32{1}))
	dims := op.ConcatV2(s.Op("ConcatV2"), []tf.Output{batch, s.Const([]int32{int32(units)})}, s.Const(int32(0)))
	return op.Fill(s.Op("Fill"), dims, s.Scalar(0))
}

// rnnOutput is a recurrent layer's output from its states hs (one per step, in processing
// order): the last one, or with sequences all of them, [batch, steps, units], in
// processing order as Keras returns them (reversed in time after go_backwards).
func rnnOutput(s *graphs.Scope, hs []tf.Output, sequences bool) tf.Output {
	if len(hs) == 0 {
		s.Fail("builders: a recurrent layer over no time steps")
		return tf.Output{}
	}
	if !sequences {
		return hs[len(hs)-1]
	}
	return op.Pack(s.Op("Pack"), hs, op.PackAxis(1))
}

// rnnInputShape checks a recurrent layer's input: (steps, features), steps fixed.
func rnnInputShape(l Layer, in Shape, units int) error {
	if len(in) != 2 || in[0] <= 0 || in[1] <= 0 {
		return shapeError(l, in, "(None, timesteps, features) with a fixed number of timesteps")
	}
	return checkPositive(l, "units", units)
}

// rnnOutputShape is a recurrent layer's output shape.
func rnnOutputShape(in Shape, units int, sequences bool) Shape {
	if sequences {
		return Shape{in[0], units}
	}
	return Shape{units}
}

// rnnInputDropout is a recurrent layer's dropout as Keras 3 applies it (its default
// implementation 2, keras/src/layers/rnn/dropout_rnn_cell.py): in training, one mask per
// sequence over the input features, drawn once and applied at every step, the kept
// features scaled by 1/(1 − rate). x is [batch, steps, features].
func rnnInputDropout(s *graphs.Scope, x tf.Output, rate float64, training bool) tf.Output {
	if !training || rate == 0 {
		return x
	}
	return dropout(s, x, stepsBroadcastShape(s, x), rate)
}

// stepsBroadcastShape is the noise shape [batch, 1, features] of x [batch, steps,
// features]: one draw per example and feature, broadcast over the steps.
func stepsBroadcastShape(s *graphs.Scope, x tf.Output) tf.Output {
	shape := op.Shape(s.Op("Shape"), x, op.ShapeOutType(tf.Int32))
	noise := op.Mul(s.Op("Mul"), shape, s.Const([]int32{1, 0, 1}))
	return op.AddV2(s.Op("AddV2"), noise, s.Const([]int32{0, 1, 0}))
}
