package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// Regularizers are a layer's Keras regularizers (kernel_regularizer, bias_regularizer,
// activity_regularizer); the zero value is none. A layer embedding it records the
// activity penalty of each Call (activity) and reports its penalties by Penalty.
type Regularizers struct {
	KernelRegularizer, BiasRegularizer, ActivityRegularizer configs.Regularizer

	activity []tf.Output // the activity penalties of the calls since the last Penalty
}

// Regularized is a layer that adds penalties to the training loss (Keras's layer.losses).
type Regularized interface {
	// Penalty is the sum of the layer's penalties as a scalar of dtype, in s: its weights'
	// and the activity penalties of its calls since the last Penalty (which it forgets);
	// the zero Output when it has none.
	Penalty(s *graphs.Scope, dtype tf.DataType) tf.Output
}

// setRegularizers reads the three *_regularizer arguments of c.
func (r *Regularizers) setRegularizers(c *configs.Layer) {
	r.KernelRegularizer = c.Regularizer("kernel_regularizer")
	r.BiasRegularizer = c.Regularizer("bias_regularizer")
	r.ActivityRegularizer = c.Regularizer("activity_regularizer")
}

// recordActivity notes the activity penalty of a call's output y, as Keras 3's
// Layer.__call__ does: the regularizer of y divided by the batch size (divide_no_nan).
// It returns y.
func (r *Regularizers) recordActivity(s *graphs.Scope, y tf.Output) tf.Output {
	if r.ActivityRegularizer.None() || !s.Ok(y) {
		return y
	}
	s = s.Sub("activity_regularizer")
	p := regularizerOp(s, r.ActivityRegularizer, y)
	batch := op.Cast(s.Op("Cast"), op.Slice(s.Op("Slice"), op.Shape(s.Op("Shape"), y), s.Const([]int32{0}), s.Const([]int32{1})), y.DataType())
	batch = op.Reshape(s.Op("Reshape"), batch, s.Const([]int32{}))
	r.activity = append(r.activity, op.DivNoNan(s.Op("DivNoNan"), p, batch))
	return y
}

// penalty sums the weight penalties (kernel, and bias when the layer has one: Keras
// ignores a bias_regularizer without a bias) and the recorded activity penalties, in dtype.
// A frozen layer's weights add none: Keras 3 regularizes trainable weights only
// (Layer._get_regularization_losses); its activity penalty stays.
func (r *Regularizers) penalty(s *graphs.Scope, dtype tf.DataType, kernel, bias *graphs.Variable) tf.Output {
	var terms []tf.Output
	ws := s.WithDType(dtype)
	if !r.KernelRegularizer.None() && kernel != nil && kernel.Trainable {
		terms = append(terms, regularizerOp(ws.Sub("kernel_regularizer"), r.KernelRegularizer, ws.Read(kernel)))
	}
	if !r.BiasRegularizer.None() && bias != nil && bias.Trainable {
		terms = append(terms, regularizerOp(ws.Sub("bias_regularizer"), r.BiasRegularizer, ws.Read(bias)))
	}
	for _, a := range r.activity {
		terms = append(terms, ws.CastTo(a, dtype))
	}
	r.activity = nil
	return sumTerms(s, terms)
}

// regularizerOp is Keras 3's penalty of x: l1·Σ|x| + l2·Σx² over every axis, in x's type.
func regularizerOp(s *graphs.Scope, r configs.Regularizer, x tf.Output) tf.Output {
	s = s.WithDType(x.DataType())
	flat := op.Reshape(s.Op("Reshape"), x, s.Const([]int32{-1}))
	var terms []tf.Output
	if r.L1 != 0 {
		sum := op.Sum(s.Op("Sum"), op.Abs(s.Op("Abs"), flat), s.Const(int32(0)))
		terms = append(terms, op.Mul(s.Op("Mul"), s.Scalar(r.L1), sum))
	}
	if r.L2 != 0 {
		sum := op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), flat), s.Const(int32(0)))
		terms = append(terms, op.Mul(s.Op("Mul"), s.Scalar(r.L2), sum))
	}
	return sumTerms(s, terms)
}

// sumTerms adds scalars; the zero Output for none.
func sumTerms(s *graphs.Scope, terms []tf.Output) tf.Output {
	if len(terms) == 0 {
		return tf.Output{}
	}
	if len(terms) == 1 {
		return terms[0]
	}
	return op.AddN(s.Op("AddN"), terms)
}

// Penalty is the sum of the penalties of layers (those that are Regularized), a scalar of
// loss's type, or the zero Output when none has any: Keras's sum of model.losses.
func Penalty(s *graphs.Scope, dtype tf.DataType, layers []Layer) tf.Output {
	var terms []tf.Output
	for _, l := range layers {
		if r, ok := l.(Regularized); ok {
			if p := r.Penalty(s.Sub(l.Name()), dtype); p.Op != nil {
				terms = append(terms, p)
			}
		}
	}
	return sumTerms(s, terms)
}

// AddPenalty returns loss plus the penalties of layers (Keras's compute_loss adds the sum
// of model.losses to the compiled loss), or loss itself when they have none.
func AddPenalty(s *graphs.Scope, loss tf.Output, layers []Layer) tf.Output {
	if !s.Ok(loss) {
		return loss
	}
	p := Penalty(s.Sub("regularization"), loss.DataType(), layers)
	if p.Op == nil {
		return loss
	}
	return op.AddV2(s.Op("AddV2"), loss, p)
}
