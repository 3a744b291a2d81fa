package builders

import (
	"fmt"
	"sort"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// A loss type that configs knows (configs.LossSpec: its names, arguments and labels) is
// computed here: each loss's file registers, beside its formula, how a config loss
// becomes it (registerLoss in init). NewLoss is the one way from a config to a loss.

// kerasEpsilon is keras.config.epsilon(), the fuzz factor of Keras's clipped formulas.
const kerasEpsilon = 1e-7

// LossInput is what a loss sees of a batch.
type LossInput struct {
	// YTrue are the labels: shaped like YPred, or for sparse_categorical_crossentropy
	// class ids [batch] (float).
	YTrue tf.Output
	// YPred is the model's output [batch, k] (probabilities for a final sigmoid or
	// softmax; logits for from_logits=True).
	YPred tf.Output
	// Logits is the input of the final sigmoid or softmax that made YPred, which Keras
	// uses instead of the probabilities (backend _get_logits); zero otherwise.
	Logits tf.Output
	// Activation is the final activation that made YPred from Logits: "sigmoid",
	// "softmax", or "" when Logits is unset.
	Activation string
}

// logitsOf returns the logits a crossentropy works from, as Keras's _get_logits does:
// those of a final act (sigmoid or softmax) whatever fromLogits says, else YPred itself
// if fromLogits; ok is false when only probabilities are at hand.
func (in LossInput) logitsOf(act string, fromLogits bool) (tf.Output, bool) {
	if in.Activation == act && in.Logits.Op != nil {
		return in.Logits, true
	}
	if fromLogits {
		return in.YPred, true
	}
	return tf.Output{}, false
}

// LossFunc computes a loss's value per example, [batch] (Keras's loss functions: each
// reduces the last axis), from a batch's labels and predictions.
type LossFunc func(s *graphs.Scope, in LossInput) tf.Output

// Loss is a compiled Keras loss: its config and its per-example function.
type Loss struct {
	Config     configs.Loss
	PerExample LossFunc
}

// Call is the loss of a batch as Keras's Loss.__call__ reduces it (sum_over_batch_size):
// the per-example losses, times sampleWeight [batch] if set, summed and divided by the
// batch size.
func (l *Loss) Call(s *graphs.Scope, in LossInput, sampleWeight tf.Output) tf.Output {
	return ReduceLoss(s, l.PerExample(s, in), sampleWeight)
}

// guarded is f that emits nothing after an earlier error (an unset label or prediction:
// the scope holds the error), instead of inspecting a zero output.
func guarded(f LossFunc) LossFunc {
	return func(s *graphs.Scope, in LossInput) tf.Output {
		if !s.Ok(in.YTrue, in.YPred) {
			return tf.Output{}
		}
		return f(s, in)
	}
}

// ReduceLoss is Keras's sum_over_batch_size reduction of per-example losses [batch]: their
// mean, or with sampleWeight [batch] (zero Output: none) Σ wᵢ·lᵢ / batch size: weights
// count per example and do not change the divisor.
func ReduceLoss(s *graphs.Scope, perExample, sampleWeight tf.Output) tf.Output {
	if !s.Ok(perExample) {
		return tf.Output{}
	}
	if sampleWeight.Op == nil {
		return Mean(s, perExample)
	}
	if perExample.Shape().NumDimensions() == 0 {
		s.Fail("a loss of one value per batch (a scalar) cannot weigh examples (sample_weight, class_weight): return one value per example")
		return tf.Output{}
	}
	weighted := op.Mul(s.Op("Mul"), perExample, sampleWeight)
	n := op.Cast(s.Op("Cast"), op.Size(s.Op("Size"), perExample), weighted.DataType())
	return op.RealDiv(s.Op("RealDiv"), Sum(s, weighted), n)
}

// Sum is the sum of all elements.
func Sum(s *graphs.Scope, x tf.Output) tf.Output {
	rank := op.Rank(s.Op("Rank"), x)
	axes := op.Range(s.Op("Range"), s.Const(int32(0)), rank, s.Const(int32(1)))
	return op.Sum(s.Op("Sum"), x, axes)
}

// lossBuilder makes the per-example function of a config loss of its type.
type lossBuilder func(c configs.Loss) LossFunc

// lossBuilders holds the registered losses by function name; only init functions write it.
var lossBuilders = map[string]lossBuilder{}

// registerLoss registers how a configs loss type is computed. A type configs does not
// know, or one registered twice, is a programming error, caught at start-up.
func registerLoss(name string, f lossBuilder) {
	if s := configs.LookupLoss(name); s == nil || s.Name != name {
		panic("builders: registerLoss: configs has no loss " + name)
	}
	if _, dup := lossBuilders[name]; dup {
		panic("builders: registerLoss: " + name + " registered twice")
	}
	lossBuilders[name] = f
}

// NewLoss returns the loss a config describes.
func NewLoss(c configs.Loss) (*Loss, error) {
	f, ok := lossBuilders[c.Type]
	if !ok {
		if cf := lookupCustomLoss(c.Type); cf != nil {
			return &Loss{Config: c, PerExample: guarded(customLossFunc(c.Type, cf))}, nil
		}
		return nil, fmt.Errorf("loss %q has no implementation (valid: %v)", c.Type, LossTypes())
	}
	return &Loss{Config: c, PerExample: guarded(f(c))}, nil
}

// LossTypes returns the loss types NewLoss computes, sorted.
func LossTypes() []string {
	var out []string
	for t := range lossBuilders {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// lastAxisMean is the mean over the last axis: Keras's per-example reduction.
func lastAxisMean(s *graphs.Scope, x tf.Output) tf.Output {
	return op.Mean(s.Op("Mean"), x, s.Const(int32(-1)))
}

// lastAxisSum is the sum over the last axis.
func lastAxisSum(s *graphs.Scope, x tf.Output, keepDims bool) tf.Output {
	return op.Sum(s.Op("Sum"), x, s.Const(int32(-1)), op.SumKeepDims(keepDims))
}

// clip is Keras's ops.clip (tf.clip_by_value): min(max(x, lo), hi), with the gradient
// passing where lo ≤ x ≤ hi.
func clip(s *graphs.Scope, x tf.Output, lo, hi float64) tf.Output {
	return op.Minimum(s.Op("Minimum"), op.Maximum(s.Op("Maximum"), x, s.Scalar(lo)), s.Scalar(hi))
}

// sameRank is Keras's squeeze_or_expand_to_same_rank for the labels: labels [batch] next
// to predictions [batch, 1] become [batch, 1].
func sameRank(s *graphs.Scope, yTrue, yPred tf.Output) tf.Output {
	if yTrue.Shape().NumDimensions() == yPred.Shape().NumDimensions()-1 {
		return op.ExpandDims(s.Op("ExpandDims"), yTrue, s.Const(int32(-1)))
	}
	return yTrue
}

// rawOp adds one op of a type graft has no wrapper for (SelectV2, Softplus), with one
// output.
func rawOp(s *graphs.Scope, typ string, inputs ...tf.Output) tf.Output {
	sc := s.Op(typ)
	in := make([]tf.Input, len(inputs))
	for i, x := range inputs {
		in[i] = x
	}
	o := sc.AddOperation(tf.OpSpec{Type: typ, Input: in})
	if o == nil {
		return tf.Output{}
	}
	return o.Output(0)
}
