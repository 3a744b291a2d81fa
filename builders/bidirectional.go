package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerBidirectional, func(c *configs.Layer, name string, wrapped Layer) (Layer, error) {
		b := NewBidirectional(name, wrapped)
		b.MergeMode = c.String("merge_mode")
		return b, nil
	})
}

// BidirectionalMergeMode is Keras's default merge_mode (keras/src/layers/rnn/bidirectional.py).
const BidirectionalMergeMode = "concat"

// BidirectionalMergeModes returns the merge modes Bidirectional takes (Keras's, without
// None, which returns two tensors).
func BidirectionalMergeModes() []string { return []string{"concat", "sum", "mul", "ave"} }

// Bidirectional is Keras's Bidirectional wrapper around a recurrent layer (LSTM, GRU or
// SimpleRNN): two copies of it, "forward_<name>" reading the sequence in order and
// "backward_<name>" reading it from its end, each with its own weights, their outputs
// merged by MergeMode: "concat" (default, on the last axis), "sum", "mul" or "ave".
// [batch, time, features] → [batch, 2·units] (concat) or [batch, units]; with the wrapped
// layer's ReturnSequences, [batch, time, 2·units] or [batch, time, units], the backward
// outputs re-reversed in time so that step t of both halves belongs to input step t, as
// Keras does. Layer configures both copies; its name names them and it is not itself
// built. The backward copy reads the sequence reversed by ReverseV2 (which has a
// registered gradient) rather than through go_backwards, which LSTM lacks.
type Bidirectional struct {
	base
	Layer     Layer
	MergeMode string

	forward, backward Layer
	sequences         bool
}

// NewBidirectional wraps layer (an *LSTM, *GRU or *SimpleRNN) with merge mode concat.
func NewBidirectional(name string, layer Layer) *Bidirectional {
	return &Bidirectional{base: base{name: name}, Layer: layer, MergeMode: BidirectionalMergeMode}
}

func (b *Bidirectional) Type() string { return "Bidirectional" }

// Forward and Backward are the two copies of the wrapped layer (after Build).
func (b *Bidirectional) Forward() Layer  { return b.forward }
func (b *Bidirectional) Backward() Layer { return b.backward }

func (b *Bidirectional) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if err := checkChoice(b, "merge_mode", b.MergeMode, BidirectionalMergeModes()...); err != nil {
		return nil, err
	}
	fwd, seq, err := b.copyLayer("forward_")
	if err != nil {
		return nil, err
	}
	bwd, _, _ := b.copyLayer("backward_")
	b.begin(s)
	b.vars = nil
	out, err := fwd.Build(layerScope(b.scope, fwd, false), in)
	if err != nil {
		return nil, err
	}
	if _, err := bwd.Build(layerScope(b.scope, bwd, false), in); err != nil {
		return nil, err
	}
	b.forward, b.backward, b.sequences = fwd, bwd, seq
	b.vars = append(append(b.vars, fwd.Variables()...), bwd.Variables()...)
	out = append(Shape{}, out...)
	if b.MergeMode == "concat" {
		out[len(out)-1] *= 2
	}
	return out, nil
}

// copyLayer returns an unbuilt copy of the wrapped layer (all its arguments) named
// prefix+name, and whether it returns sequences.
func (b *Bidirectional) copyLayer(prefix string) (Layer, bool, error) {
	backwards := func() error {
		return argError(b, "layer.go_backwards", true, "false (the backward copy reads backwards)")
	}
	switch l := b.Layer.(type) {
	case *LSTM:
		c := *l // Build sets the rest
		c.base = base{name: prefix + l.name, frozen: l.frozen}
		c.zeroOutputForMask = c.ReturnSequences // as Keras's Bidirectional sets it
		return &c, c.ReturnSequences, nil
	case *GRU:
		if l.GoBackwards {
			return nil, false, backwards()
		}
		c := *l
		c.base = base{name: prefix + l.name, frozen: l.frozen}
		c.zeroOutputForMask = c.ReturnSequences
		return &c, c.ReturnSequences, nil
	case *SimpleRNN:
		if l.GoBackwards {
			return nil, false, backwards()
		}
		c := *l
		c.base = base{name: prefix + l.name, frozen: l.frozen}
		c.zeroOutputForMask = c.ReturnSequences
		return &c, c.ReturnSequences, nil
	case nil:
		return nil, false, argError(b, "layer", "none", "an LSTM, GRU or SimpleRNN")
	}
	return nil, false, argError(b, "layer", b.Layer.Type(), "an LSTM, GRU or SimpleRNN")
}

// Call runs both copies, each on x in the type it computes in (a wrapped LSTM computes in
// float32 under a mixed policy, see precision.go), and merges their outputs in the type
// Bidirectional computes in.
func (b *Bidirectional) Call(x tf.Output, training bool) tf.Output {
	s := b.scope
	run := func(l Layer) func(tf.Output) tf.Output {
		return func(x tf.Output) tf.Output { return s.CastTo(callLayer(s, l, x, training), s.DType()) }
	}
	return bidirectionalOp(s, x, run(b.forward), run(b.backward), b.MergeMode, b.sequences)
}

// CallMasked is Call with a mask on x: the forward copy reads x and the mask, the backward
// copy both reversed in time (Keras's go_backwards), each carrying its state over the
// masked steps and, with return_sequences, giving zeros there (Keras's Bidirectional sets
// zero_output_for_mask). The output keeps the mask with return_sequences.
func (b *Bidirectional) CallMasked(xs, masks []tf.Output, training bool) (tf.Output, tf.Output) {
	mask := firstMask(masks)
	if mask.Op == nil {
		return b.Call(xs[0], training), tf.Output{}
	}
	s := b.scope
	run := func(l Layer, m tf.Output) func(tf.Output) tf.Output {
		return func(x tf.Output) tf.Output {
			if dt, ok := computeDType(l); ok {
				x = s.CastTo(x, dt)
			}
			out, _ := callMasked(s, l, []tf.Output{x}, []tf.Output{m}, training)
			return s.CastTo(out, s.DType())
		}
	}
	reversed := op.ReverseV2(s.Op("ReverseV2"), mask, s.Const([]int32{1}))
	out := bidirectionalOp(s, xs[0], run(b.forward, mask), run(b.backward, reversed), b.MergeMode, b.sequences)
	return out, rnnOutputMask(mask, b.sequences)
}

// bidirectionalOp is Bidirectional's math on tensors: forward on x, backward on x reversed
// in time, the backward sequence re-reversed when sequences, the two merged by mode.
func bidirectionalOp(s *graphs.Scope, x tf.Output, forward, backward func(tf.Output) tf.Output, mode string, sequences bool) tf.Output {
	timeAxis := s.Const([]int32{1})
	y := forward(x)
	yr := backward(op.ReverseV2(s.Op("ReverseV2"), x, timeAxis))
	if sequences {
		yr = op.ReverseV2(s.Op("ReverseV2"), yr, timeAxis)
	}
	switch mode {
	case "concat":
		return op.ConcatV2(s.Op("ConcatV2"), []tf.Output{y, yr}, s.Const(int32(-1)))
	case "sum":
		return op.AddV2(s.Op("AddV2"), y, yr)
	case "mul":
		return op.Mul(s.Op("Mul"), y, yr)
	case "ave":
		return op.Mul(s.Op("Mul"), op.AddV2(s.Op("AddV2"), y, yr), s.Scalar(0.5))
	}
	s.Fail("builders: unknown merge mode %q (valid: %v)", mode, BidirectionalMergeModes())
	return y
}
