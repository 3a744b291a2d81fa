package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerSoftmax, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewSoftmax(name, c.Int("axis")), nil
	})
}

// Softmax is Keras's Softmax layer: exp(x)/Σexp(x) along Axis (Keras's count: 0 is the
// batch, which is refused; -1 the last axis). Shape unchanged.
type Softmax struct {
	base
	Axis int

	perm []int32 // moves the axis last and back (nil: it is last)
}

// NewSoftmax returns a Softmax layer (Keras's default axis is -1).
func NewSoftmax(name string, axis int) *Softmax { return &Softmax{base: base{name: name}, Axis: axis} }

func (l *Softmax) Type() string { return "Softmax" }

func (l *Softmax) Build(s *graphs.Scope, in Shape) (Shape, error) {
	rank := len(in) + 1
	a := l.Axis
	if a < 0 {
		a += rank
	}
	if a <= 0 || a >= rank {
		return nil, fmt.Errorf("layer %q (Softmax): axis %d is not an axis of an input of rank %d besides the batch", l.name, l.Axis, rank)
	}
	l.perm = nil
	if a != rank-1 { // swap the axis with the last one, as tf.nn.softmax does
		l.perm = make([]int32, rank)
		for i := range l.perm {
			l.perm[i] = int32(i)
		}
		l.perm[a], l.perm[rank-1] = int32(rank-1), int32(a)
	}
	l.begin(s)
	return in, nil
}

func (l *Softmax) Call(x tf.Output, training bool) tf.Output {
	s := l.scope
	if l.perm == nil {
		return op.Softmax(s.Op("Softmax"), x)
	}
	t := op.Transpose(s.Op("Transpose"), x, s.Const(l.perm))
	return op.Transpose(s.Op("Transpose"), op.Softmax(s.Op("Softmax"), t), s.Const(l.perm))
}
