package graphs

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// Optimizer turns gradients into variable updates, as a Keras optimizer's apply_gradients
// does, with TensorFlow's fused ResourceApply* kernels where one computes Keras 3's
// formula, else with element-wise ops. Each optimizer takes an explicit variable list (a
// GAN has two networks and two optimizers).
type Optimizer interface {
	// Minimize differentiates loss with respect to vars and returns the op that applies
	// one update to all of them and then increments the iteration counter.
	Minimize(s *Scope, loss tf.Output, vars []*Variable) (*tf.Operation, error)
	// LearningRate is the variable callbacks change (ReduceLROnPlateau).
	LearningRate() *Variable
	// Variables are the optimizer's own state: iterations, learning rate and slots.
	Variables() []*Variable
	// SetOptions sets Keras's base-optimizer options (weight decay, clipping) for every
	// Minimize made after it.
	SetOptions(o OptimizerOptions)
}

// OptimizerOptions are the arguments Keras 3's base optimizer gives every optimizer
// (keras/src/optimizers/base_optimizer.py). Zero means unset (Keras's None).
type OptimizerOptions struct {
	// WeightDecay: before each update, var ← var − var·weight_decay·lr (decoupled weight
	// decay, Loshchilov & Hutter 2019, as Keras applies it to every trainable variable).
	WeightDecay float64
	// Clipnorm clips each variable's gradient to this L2 norm: g·c/max(‖g‖, c).
	Clipnorm float64
	// GlobalClipnorm scales all gradients of one update by c/max(‖(g₁, g₂, ...)‖, c), the
	// norm taken over all of them together.
	GlobalClipnorm float64
	// Clipvalue clips each gradient element to [−c, c].
	Clipvalue float64
	// SparseEmbeddingGradients treats the gradient of a variable looked up with
	// Scope.Gather (an Embedding's table) as Keras 3 on TensorFlow does, where it is a
	// tf.IndexedSlices of one row per occurrence of an id: the squares in the update
	// (Adam's and RMSprop's second moments) are summed over the occurrences, Σᵢ gᵢ², where
	// the dense gradient gives (Σᵢ gᵢ)²; the linear terms are the same either way. Adam,
	// AdamW and RMSprop have it; it excludes clipping (Keras clips the occurrences).
	SparseEmbeddingGradients bool
}

// check refuses what Keras's constructor refuses: a negative value, or more than one of
// the three clipping modes.
func (o OptimizerOptions) check() error {
	set := 0
	for _, f := range []struct {
		key string
		v   float64
	}{{"weight_decay", o.WeightDecay}, {"clipnorm", o.Clipnorm}, {"global_clipnorm", o.GlobalClipnorm}, {"clipvalue", o.Clipvalue}} {
		if f.v < 0 {
			return fmt.Errorf("%s must be >= 0, got %g", f.key, f.v)
		}
		if f.key != "weight_decay" && f.v > 0 {
			set++
		}
	}
	if set > 1 {
		return fmt.Errorf("only one of clipnorm, global_clipnorm and clipvalue can be set, got %g, %g and %g",
			o.Clipnorm, o.GlobalClipnorm, o.Clipvalue)
	}
	if o.SparseEmbeddingGradients && set > 0 {
		return fmt.Errorf("sparse_embedding_gradients cannot be combined with clipnorm, global_clipnorm or clipvalue, got %g, %g and %g",
			o.Clipnorm, o.GlobalClipnorm, o.Clipvalue)
	}
	return nil
}

// optimizerBase holds what every optimizer has: its scope, the learning rate, the
// iteration counter, its slots and Keras's base-optimizer options.
type optimizerBase struct {
	// Options are applied by every Minimize made after they are set.
	Options OptimizerOptions

	scope      *Scope
	lr         *Variable
	iterations *Variable
	slots      []*Variable
	// sparse says the optimizer's update takes per-occurrence squares
	// (Options.SparseEmbeddingGradients; see minimizeSparse).
	sparse bool
}

func newOptimizerBase(s *Scope, name string, lr float64) optimizerBase {
	os := s.Sub(name)
	dt := s.g.dtype
	return optimizerBase{
		scope:      os,
		lr:         os.NewVariable("learning_rate", dt, nil, Constant{Value: lr}, false),
		iterations: os.NewVariable("iterations", tf.Int64, nil, Zeros{}, false),
	}
}

func (b *optimizerBase) LearningRate() *Variable { return b.lr }

func (b *optimizerBase) SetOptions(o OptimizerOptions) { b.Options = o }

func (b *optimizerBase) Variables() []*Variable {
	return append([]*Variable{b.iterations, b.lr}, b.slots...)
}

// slot returns the slot variable named "<optimizer>/<variable>/<slot>", created
// zero-initialised on first use: an optimizer minimizing several losses for the same
// variables (a GAN discriminator updated on real, then on generated images) keeps one
// state per variable, as a Keras optimizer called twice does.
func (b *optimizerBase) slot(v *Variable, name string) *Variable {
	return b.slotInit(v, name, Zeros{})
}

// slotInit is slot with another initializer (Adagrad's accumulator starts at
// initial_accumulator_value).
func (b *optimizerBase) slotInit(v *Variable, name string, init Initializer) *Variable {
	return b.state(v.Name+"/"+name, v.DType, v.Shape, init)
}

// state returns the optimizer variable "<optimizer>/<name>", created on first use: a slot,
// or a value of the optimizer's own (Nadam's u_product).
func (b *optimizerBase) state(name string, dtype tf.DataType, shape []int64, init Initializer) *Variable {
	for _, sv := range b.slots {
		if sv.Name == b.scope.Path()+"/"+name {
			return sv
		}
	}
	sv := b.scope.NewVariable(name, dtype, shape, init, false)
	b.slots = append(b.slots, sv)
	return sv
}

// checkTrainable is checked before an optimizer creates slots, so a refused Minimize
// leaves nothing behind in the graph.
func checkTrainable(vars []*Variable) error {
	for _, v := range vars {
		if !v.Trainable {
			return fmt.Errorf("graphs: optimizer: variable %q is not trainable", v.Name)
		}
	}
	return nil
}

// checkMinimize is what every Minimize checks before it adds anything to the graph.
func (b *optimizerBase) checkMinimize(vars []*Variable) error {
	if err := b.Options.check(); err != nil {
		return fmt.Errorf("graphs: optimizer %s: %w", b.scope.Path(), err)
	}
	if b.Options.SparseEmbeddingGradients && !b.sparse {
		return errSparseUnsupported(b.scope.Path())
	}
	return checkTrainable(vars)
}

// minimize computes the gradients, clips them (Options), and emits for each variable the
// weight decay (Options) and then apply(v, grad), ordered after every variable read of
// the graph (so a run's forward pass sees the values from before the update); then it
// increments iterations. Keras 3 does the same, in this order (base_optimizer.py's
// _backend_apply_gradients). The gradients are clipped after the replicas' gradients are
// aggregated: tfrun's replicas split one batch, whose gradient is the one Keras clips on
// one device.
func (b *optimizerBase) minimize(s *Scope, loss tf.Output, vars []*Variable,
	apply func(as *Scope, v *Variable, grad tf.Output) *tf.Operation) (*tf.Operation, error) {
	return b.minimizeSparse(s, loss, vars, func(as *Scope, v *Variable, grad, _ tf.Output) *tf.Operation {
		return apply(as, v, grad)
	})
}

// minimizeSparse is minimize for an update that can take per-occurrence squares: with
// Options.SparseEmbeddingGradients, apply gets for each variable looked up by
// Scope.Gather the Σᵢ gᵢ² of its rows over the occurrences of their ids
// (occurrenceSquares), aggregated across replicas as the gradients are; for every other
// variable, and without the option, a zero Output (the update squares grad itself).
func (b *optimizerBase) minimizeSparse(s *Scope, loss tf.Output, vars []*Variable,
	apply func(as *Scope, v *Variable, grad, squares tf.Output) *tf.Operation) (*tf.Operation, error) {
	if len(vars) == 0 {
		return nil, fmt.Errorf("graphs: optimizer %s: no variables to train", b.scope.Path())
	}
	xs := make([]tf.Output, len(vars))
	for i, v := range vars {
		xs[i] = v.value
	}
	// The lookups' outputs are differentiated too: their gradients are the occurrences'.
	lookups := make([][]gather, len(vars))
	if b.Options.SparseEmbeddingGradients {
		lookups = s.g.lookupsIn(loss, vars)
		for _, ls := range lookups {
			for _, l := range ls {
				xs = append(xs, l.out)
			}
		}
	}
	grads, err := s.Gradients(loss, xs)
	if err != nil {
		return nil, err
	}
	squares := make([]tf.Output, len(vars))
	var sparse []int // the variables with squares
	k := len(vars)
	for i, ls := range lookups {
		if len(ls) == 0 {
			continue
		}
		squares[i] = occurrenceSquares(b.scope, vars[i], ls, grads[k:k+len(ls)])
		sparse = append(sparse, i)
		k += len(ls)
	}
	grads = grads[:len(vars)]
	if agg := s.g.aggregate; agg != nil {
		all := append([]tf.Output(nil), grads...)
		for _, i := range sparse {
			all = append(all, squares[i])
		}
		all = agg(s, all)
		if err := s.Err(); err != nil {
			return nil, err
		}
		grads = all[:len(vars)]
		for j, i := range sparse {
			squares[i] = all[len(vars)+j]
		}
	}
	grads = b.clip(b.scope, grads)
	var reads []*tf.Operation
	for _, v := range s.g.variables {
		reads = append(reads, v.value.Op)
	}
	// One NoOp after every read, and the updates after it: each update's ops depending on
	// every read directly would add (ops per update) × (variables) control edges, which
	// for a model of 1,000 variables is millions of edges and minutes of graph building.
	readsDone := op.NoOp(b.scope.WithControlDependencies(reads...).Op("reads_done"))
	as := b.scope.WithControlDependencies(readsDone)
	applies := make([]*tf.Operation, len(vars))
	for i, v := range vars {
		vs := as
		if b.Options.WeightDecay > 0 {
			vs = as.WithControlDependencies(b.decay(as, v))
		}
		applies[i] = apply(vs, v, grads[i], squares[i])
	}
	done := b.scope.WithControlDependencies(applies...)
	inc := op.AssignAddVariableOp(done.Op("AssignAddVariableOp"), b.iterations.handle, done.Const(int64(1)))
	if err := s.Err(); err != nil {
		return nil, err
	}
	return inc, nil
}

// decay emits Keras's weight decay of v: v ← v − v·weight_decay·lr.
func (b *optimizerBase) decay(s *Scope, v *Variable) *tf.Operation {
	x := read(s, v)
	d := op.Mul(s.Op("Mul"), op.Mul(s.Op("Mul"), x, s.Scalar(b.Options.WeightDecay)), b.lr.value)
	return op.AssignSubVariableOp(s.Op("AssignSubVariableOp"), v.handle, d)
}

// clip applies the one clipping mode Options sets, with Keras 3's formulas
// (base_optimizer.py's _clip_gradients, tf.clip_by_norm, clip_by_global_norm).
func (b *optimizerBase) clip(s *Scope, grads []tf.Output) []tf.Output {
	o := b.Options
	out := make([]tf.Output, len(grads))
	switch {
	case o.Clipnorm > 0:
		c := s.Scalar(o.Clipnorm)
		for i, g := range grads {
			out[i] = op.Div(s.Op("Div"), op.Mul(s.Op("Mul"), g, c), op.Maximum(s.Op("Maximum"), l2norm(s, g), c))
		}
	case o.GlobalClipnorm > 0:
		c := s.Scalar(o.GlobalClipnorm)
		sums := make([]tf.Output, len(grads))
		for i, g := range grads {
			sums[i] = sumSquares(s, g)
		}
		norm := op.Sqrt(s.Op("Sqrt"), op.AddN(s.Op("AddN"), sums))
		// clip_norm · min(1/‖g‖, 1/clip_norm), plus ‖g‖ − ‖g‖ so that a non-finite norm
		// makes every gradient NaN, as Keras's does.
		one := s.Scalar(1)
		scale := op.Mul(s.Op("Mul"), c, op.Minimum(s.Op("Minimum"),
			op.Div(s.Op("Div"), one, norm), op.Div(s.Op("Div"), one, c)))
		scale = op.AddV2(s.Op("AddV2"), scale, op.Sub(s.Op("Sub"), norm, norm))
		for i, g := range grads {
			out[i] = op.Mul(s.Op("Mul"), g, scale)
		}
	case o.Clipvalue > 0:
		lo, hi := s.Scalar(-o.Clipvalue), s.Scalar(o.Clipvalue)
		for i, g := range grads {
			out[i] = op.ClipByValue(s.Op("ClipByValue"), g, lo, hi)
		}
	default:
		return grads
	}
	return out
}

// sumSquares is Σ g², a scalar.
func sumSquares(s *Scope, g tf.Output) tf.Output {
	return op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), g), op.Range(s.Op("Range"), s.Const(int32(0)), op.Rank(s.Op("Rank"), g), s.Const(int32(1))))
}

// l2norm is ‖g‖₂, a scalar.
func l2norm(s *Scope, g tf.Output) tf.Output { return op.Sqrt(s.Op("Sqrt"), sumSquares(s, g)) }

// read is a fresh read of v in s (after s's control dependencies), for an update that
// must see the values an earlier update of the same step wrote.
func read(s *Scope, v *Variable) tf.Output {
	return op.ReadVariableOp(s.Op("ReadVariableOp"), v.handle, v.DType)
}

// group is one op that runs after ops.
func group(s *Scope, ops ...*tf.Operation) *tf.Operation {
	gs := s.WithControlDependencies(ops...)
	return op.NoOp(gs.Op("NoOp"))
}
