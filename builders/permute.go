package builders

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerPermute, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewPermute(name, c.Ints("dims")...), nil
	})
}

// Permute is Keras's Permute: the axes of each example reordered by Dims (counted from 1;
// the batch axis stays first), [batch, d1, …, dk] → [batch, d_Dims[0], …].
type Permute struct {
	base
	Dims []int
}

// NewPermute returns a Permute layer.
func NewPermute(name string, dims ...int) *Permute {
	return &Permute{base: base{name: name}, Dims: dims}
}

func (p *Permute) Type() string { return "Permute" }

func (p *Permute) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(p.Dims) != len(in) {
		return nil, shapeError(p, in, fmt.Sprintf("%d axes besides the batch, as dims %v", len(p.Dims), p.Dims))
	}
	out := make(Shape, len(in))
	seen := make([]bool, len(in)+1)
	for i, d := range p.Dims {
		if d < 1 || d > len(in) || seen[d] {
			return nil, argError(p, "dims", p.Dims, fmt.Sprintf("a permutation of 1 … %d", len(in)))
		}
		seen[d] = true
		out[i] = in[d-1]
	}
	p.begin(s)
	return out, nil
}

func (p *Permute) Call(x tf.Output, training bool) tf.Output {
	s := p.scope
	perm := []int32{0}
	for _, d := range p.Dims {
		perm = append(perm, int32(d))
	}
	return op.Transpose(s.Op("Transpose"), x, s.Const(perm))
}
