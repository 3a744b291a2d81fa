package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerAttention, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		a := NewAttention(name)
		a.UseScale, a.Dropout, a.UseCausalMask = c.Bool("use_scale"), c.Float("dropout"), c.Bool("use_causal_mask")
		return a, nil
	})
}

// Attention is Keras's Attention with score_mode "dot" (Luong-style dot-product
// attention), called on [query, value] or [query, value, key] (key defaults to value):
// query [batch, T, dim], value [batch, S, value dim], key [batch, S, dim] → [batch, T,
// value dim]. The scores q·kᵀ (times the learnt scalar "scale", initialized to 1, with
// UseScale) go through a softmax over the keys (Dropout on the weights in training), which
// weigh the values. Masks as Keras's: a masked value step (or one after the query step,
// with UseCausalMask) has its score lowered by 1e9; a masked query step's output is zero;
// the output carries the query's mask.
type Attention struct {
	base
	UseScale      bool
	Dropout       float64
	UseCausalMask bool

	ins   []Shape
	scale *graphs.Variable
}

// NewAttention returns an Attention layer with Keras's defaults (no scale, no dropout).
func NewAttention(name string) *Attention { return &Attention{base: base{name: name}} }

func (a *Attention) Type() string { return "Attention" }

// Build is BuildMerge on [x, x].
func (a *Attention) Build(s *graphs.Scope, in Shape) (Shape, error) {
	return a.BuildMerge(s, []Shape{in, in})
}

func (a *Attention) BuildMerge(s *graphs.Scope, ins []Shape) (Shape, error) {
	if err := mergeCount(a, len(ins), 2, 3); err != nil {
		return nil, err
	}
	for i, in := range ins {
		if len(in) != 2 || in[0] <= 0 || in[1] <= 0 {
			return nil, shapeError(a, in, fmt.Sprintf("(None, steps, features) for input %d", i))
		}
	}
	key := ins[1]
	if len(ins) == 3 {
		key = ins[2]
		if key[0] != ins[1][0] {
			return nil, fmt.Errorf("layer %q (%s): value %v and key %v have different numbers of steps", a.name, a.Type(), ins[1], key)
		}
	}
	if key[1] != ins[0][1] {
		return nil, fmt.Errorf("layer %q (%s): query %v and key %v have different feature sizes", a.name, a.Type(), ins[0], key)
	}
	if a.Dropout < 0 || a.Dropout >= 1 {
		return nil, argError(a, "dropout", a.Dropout, "a rate in [0, 1)")
	}
	a.ins = append([]Shape(nil), ins...)
	a.begin(s)
	a.vars, a.scale = nil, nil
	if a.UseScale {
		a.scale = a.variable("scale", []int64{}, graphs.Ones{}, true)
	}
	return Shape{ins[0][0], ins[1][1]}, nil
}

func (a *Attention) Call(x tf.Output, training bool) tf.Output {
	return a.CallMerge([]tf.Output{x, x}, training)
}

func (a *Attention) CallMerge(xs []tf.Output, training bool) tf.Output {
	out, _ := a.CallMasked(xs, nil, training)
	return out
}

// CallMasked attends with the query's and value's masks (Keras's Attention takes no key
// mask) and returns the output with the query's.
func (a *Attention) CallMasked(xs, masks []tf.Output, training bool) (tf.Output, tf.Output) {
	s := a.scope
	if len(xs) != len(a.ins) {
		s.Fail("builders: layer %q (%s) was built for %d inputs, called on %d", a.name, a.Type(), len(a.ins), len(xs))
		return tf.Output{}, tf.Output{}
	}
	var qMask, vMask tf.Output
	if len(masks) > 0 {
		qMask = masks[0]
	}
	if len(masks) > 1 {
		vMask = masks[1]
	}
	q, v, k := xs[0], xs[1], xs[1]
	if len(xs) == 3 {
		k = xs[2]
	}
	scores := op.BatchMatMulV2(s.Op("BatchMatMulV2"), q, k, op.BatchMatMulV2AdjY(true)) // [batch, T, S]
	if a.scale != nil {
		scores = op.Mul(s.Op("Mul"), scores, s.Read(a.scale))
	}
	var allowed tf.Output
	if vMask.Op != nil {
		allowed = op.ExpandDims(s.Op("ExpandDims"), vMask, s.Const(int32(-2)))
	}
	if a.UseCausalMask {
		allowed = andMasks(s, []tf.Output{allowed, causalMask(s, a.ins[0][0], a.ins[1][0])})
	}
	if allowed.Op != nil { // Keras's _apply_scores: scores − 1e9 where not allowed
		lowered := op.Sub(s.Op("Sub"), scores, s.Scalar(1e9))
		scores = rawOp(s, "SelectV2", allowed, scores, lowered)
	}
	weights := op.Softmax(s.Op("Softmax"), scores)
	if training && a.Dropout > 0 {
		weights = dropout(s, weights, op.Shape(s.Op("Shape"), weights), a.Dropout)
	}
	out := op.BatchMatMulV2(s.Op("BatchMatMulV2"), weights, v)
	if qMask.Op != nil {
		out = op.Mul(s.Op("Mul"), out, maskAsFloat(s, qMask))
	}
	return out, qMask
}
