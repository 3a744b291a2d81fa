package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerReshape, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewReshape(name, c.Ints("target_shape")...), nil
	})
	registerConfig(configs.LayerFlatten, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewFlatten(name), nil
	})
	registerConfig(configs.LayerLeakyReLU, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewLeakyReLU(name, c.Float("negative_slope")), nil
	})
}

// Reshape is Keras's Reshape: [batch, ...] → [batch, target_shape...] (one entry may be -1).
type Reshape struct {
	base
	TargetShape Shape
	out         Shape
}

// NewReshape returns a Reshape layer.
func NewReshape(name string, target ...int) *Reshape {
	return &Reshape{base: base{name: name}, TargetShape: target}
}

func (r *Reshape) Type() string { return "Reshape" }

func (r *Reshape) Build(s *graphs.Scope, in Shape) (Shape, error) {
	known, unknown := 1, -1
	for i, d := range r.TargetShape {
		if d == -1 {
			unknown = i
		} else {
			known *= d
		}
	}
	out := append(Shape{}, r.TargetShape...)
	if unknown >= 0 {
		if known == 0 || in.Size()%known != 0 {
			return nil, shapeError(r, in, fmt.Sprintf("a size divisible by %d", known))
		}
		out[unknown] = in.Size() / known
	}
	if out.Size() != in.Size() {
		return nil, shapeError(r, in, fmt.Sprintf("%d elements to reshape to %v", out.Size(), r.TargetShape))
	}
	r.begin(s)
	r.out = out
	return out, nil
}

func (r *Reshape) Call(x tf.Output, training bool) tf.Output {
	dims := []int32{-1}
	for _, d := range r.out {
		dims = append(dims, int32(d))
	}
	return op.Reshape(r.scope.Op("Reshape"), x, r.scope.Const(dims))
}

// Flatten is Keras's Flatten: [batch, d1, d2, ...] → [batch, d1·d2·...].
type Flatten struct {
	base
	n int
}

// NewFlatten returns a Flatten layer.
func NewFlatten(name string) *Flatten { return &Flatten{base: base{name: name}} }

func (f *Flatten) Type() string { return "Flatten" }

func (f *Flatten) Build(s *graphs.Scope, in Shape) (Shape, error) {
	f.begin(s)
	f.n = in.Size()
	return Shape{f.n}, nil
}

func (f *Flatten) Call(x tf.Output, training bool) tf.Output {
	return op.Reshape(f.scope.Op("Reshape"), x, f.scope.Const([]int32{-1, int32(f.n)}))
}

// LeakyReLU is Keras's LeakyReLU: x for x ≥ 0, negative_slope·x below (Keras 3's default
// slope 0.3; the GAN assignments use 0.2). Shape unchanged.
type LeakyReLU struct {
	base
	NegativeSlope float64
}

// NewLeakyReLU returns a LeakyReLU layer.
func NewLeakyReLU(name string, slope float64) *LeakyReLU {
	return &LeakyReLU{base: base{name: name}, NegativeSlope: slope}
}

func (l *LeakyReLU) Type() string { return "LeakyReLU" }

func (l *LeakyReLU) Build(s *graphs.Scope, in Shape) (Shape, error) {
	l.begin(s)
	return in, nil
}

func (l *LeakyReLU) Call(x tf.Output, training bool) tf.Output {
	return leakyReLUOp(l.scope, x, l.NegativeSlope)
}
