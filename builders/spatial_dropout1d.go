package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerSpatialDropout1D, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewSpatialDropout1D(name, c.Float("rate")), nil
	})
}

// SpatialDropout1D is Keras's SpatialDropout1D (Tompson et al. 2014,
// https://arxiv.org/abs/1411.4280): Dropout with noise shape [batch, 1, channels], so that
// in training each example's channel is dropped (zeroed at every step) with probability
// rate and the kept ones are scaled by 1/(1−rate); in inference it is the identity.
// [batch, steps, channels] → same. The draws come from the graph's seeded stateless
// stream (graphs.Scope.RandomUniform), as Dropout's do.
type SpatialDropout1D struct {
	base
	Rate float64
}

// NewSpatialDropout1D returns a SpatialDropout1D layer.
func NewSpatialDropout1D(name string, rate float64) *SpatialDropout1D {
	return &SpatialDropout1D{base: base{name: name}, Rate: rate}
}

func (d *SpatialDropout1D) Type() string { return "SpatialDropout1D" }

func (d *SpatialDropout1D) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 2 {
		return nil, shapeError(d, in, "(None, steps, channels)")
	}
	if d.Rate < 0 || d.Rate > 1 {
		return nil, argError(d, "rate", d.Rate, "a number in [0, 1]")
	}
	d.begin(s)
	return in, nil
}

func (d *SpatialDropout1D) Call(x tf.Output, training bool) tf.Output {
	if !training || d.Rate == 0 {
		return x
	}
	s := d.scope
	if d.Rate == 1 { // Keras returns zeros rather than dividing by 0
		return op.ZerosLike(s.Op("ZerosLike"), x)
	}
	// Noise shape [batch, 1, channels]: one draw per example and channel, broadcast over
	// the steps by dropoutOp's Mul.
	return dropout(s, x, stepsBroadcastShape(s, x), d.Rate)
}
