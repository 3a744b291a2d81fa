package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerRescaling, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		r := NewRescaling(name, c.Float("scale"))
		r.Offset = c.Float("offset")
		return r, nil
	})
}

// Rescaling is Keras's Rescaling (keras/src/layers/preprocessing/rescaling.py): x·scale +
// offset, scale and offset cast to the type the layer computes in, in training and
// inference alike. Any shape, unchanged; no weights.
type Rescaling struct {
	base
	Scale, Offset float64
}

// NewRescaling returns a Rescaling by scale with Keras's default offset 0.
func NewRescaling(name string, scale float64) *Rescaling {
	return &Rescaling{base: base{name: name}, Scale: scale}
}

func (r *Rescaling) Type() string { return configs.LayerRescaling }

func (r *Rescaling) Build(s *graphs.Scope, in Shape) (Shape, error) {
	r.begin(s)
	return in, nil
}

func (r *Rescaling) Call(x tf.Output, training bool) tf.Output {
	s := r.scope
	return op.AddV2(s.Op("AddV2"), op.Mul(s.Op("Mul"), x, s.Scalar(r.Scale)), s.Scalar(r.Offset))
}
