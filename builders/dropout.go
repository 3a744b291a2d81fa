package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/dropoutkernel"
	"github.com/tfrun/tfrun/graphs/lstmkernel"
)

func init() {
	registerConfig(configs.LayerDropout, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		d := NewDropout(name, c.Float("rate"))
		if c.Has("noise_shape") {
			d.NoiseShape = c.Ints("noise_shape")
		}
		return d, nil
	})
}

// Dropout is Keras's Dropout: in training, each element is zeroed with probability rate and
// the rest scaled by 1/(1−rate); in inference it is the identity. Shape unchanged.
//
// NoiseShape, when set, is Keras's noise_shape (tf.nn.dropout's): the shape of the
// keep/drop mask with the batch axis, -1 (None) taking the input's dimension, broadcast
// over the input, so an axis of 1 shares one draw ([-1, 1, 1, c]: whole channels of each
// example).
type Dropout struct {
	base
	Rate       float64
	NoiseShape []int
}

// NewDropout returns a Dropout layer.
func NewDropout(name string, rate float64) *Dropout {
	return &Dropout{base: base{name: name}, Rate: rate}
}

func (d *Dropout) Type() string { return "Dropout" }

func (d *Dropout) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if d.NoiseShape != nil {
		if len(d.NoiseShape) != len(in)+1 {
			return nil, argError(d, "noise_shape", d.NoiseShape, fmt.Sprintf("%d entries, one per input axis with the batch axis", len(in)+1))
		}
		for i, n := range d.NoiseShape {
			if n != -1 && n != 1 && (i == 0 || n != in[i-1]) {
				return nil, argError(d, "noise_shape", d.NoiseShape, "entries -1 (None), 1 or the input's dimension")
			}
		}
	}
	d.begin(s)
	return in, nil
}

func (d *Dropout) Call(x tf.Output, training bool) tf.Output {
	if !training || d.Rate == 0 {
		return x
	}
	s := d.scope
	shape := op.Shape(s.Op("Shape"), x)
	if d.NoiseShape != nil {
		shape = noiseShape(s, shape, d.NoiseShape)
	}
	return dropout(s, x, shape, d.Rate)
}

// noiseShape is a concrete noise shape: ns with each -1 (None) replaced by that axis of
// the input's shape xShape, as Keras's backend does before tf.nn.dropout.
func noiseShape(s *graphs.Scope, xShape tf.Output, ns []int) tf.Output {
	take, fixed := make([]int32, len(ns)), make([]int32, len(ns))
	for i, n := range ns {
		if n < 0 {
			take[i] = 1
		} else {
			fixed[i] = int32(n)
		}
	}
	return op.AddV2(s.Op("AddV2"), op.Mul(s.Op("Mul"), xShape, s.Const(take)), s.Const(fixed))
}

// dropout is x·[u ≥ rate]/(1−rate) for uniform draws u over shape (x's, or a noise shape
// broadcast over it): the math of Dropout, the mask drawn by tfrun's own kernel where it
// can be (graphs.Scope.DropoutMask, ownDropoutKernel). The mask is formed apart from x, so
// x meets one Mul forward and its gradient one Mul backward, and the mask can be drawn
// while x is being computed. Its values are 0 or the scale exactly, so x·mask is bit for
// bit (x·[u ≥ rate])·scale, the order it was once computed in.
func dropout(s *graphs.Scope, x, shape tf.Output, rate float64) tf.Output {
	return op.Mul(s.Op("Mul"), x, s.DropoutMask(shape, rate, ownDropoutKernel()))
}

// dropoutOp is dropout with the draws u given (tests fix them).
func dropoutOp(s *graphs.Scope, x, u tf.Output, rate float64) tf.Output {
	return op.Mul(s.Op("Mul"), x, s.KeepMask(u, rate))
}

// ownDropoutKernel reports whether Dropout masks may come from tfrun's own kernel: unless
// lstmkernel.EnvVar turns tfrun's kernels off by name, once the kernel is registered.
func ownDropoutKernel() bool {
	return !lstmkernel.Disabled() && dropoutkernel.Register() == nil
}
