package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerRandomFlip, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		f := NewRandomFlip(name)
		f.Mode = c.String("mode")
		return f, nil
	})
}

// RandomFlip is Keras's RandomFlip (keras/src/layers/preprocessing/image_preprocessing/
// random_flip.py), channels_last: in training each image is flipped when a uniform draw
// is ≤ 0.5, left–right (horizontal), up–down (vertical), or both at once on the same draw
// (horizontal_and_vertical, as Keras 3 does); in inference it is the identity. Shape
// unchanged, no weights. The draws are per example and per step (imageUniform).
type RandomFlip struct {
	base
	Mode string

	in Shape
}

// NewRandomFlip returns a RandomFlip with Keras's default mode, horizontal_and_vertical.
func NewRandomFlip(name string) *RandomFlip {
	return &RandomFlip{base: base{name: name}, Mode: configs.FlipHorizontalAndVertical}
}

func (f *RandomFlip) Type() string { return configs.LayerRandomFlip }

func (f *RandomFlip) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 3 {
		return nil, shapeError(f, in, "(None, height, width, channels)")
	}
	if err := checkChoice(f, "mode", f.Mode, configs.FlipHorizontal, configs.FlipVertical, configs.FlipHorizontalAndVertical); err != nil {
		return nil, err
	}
	f.begin(s)
	f.in = in
	return in, nil
}

func (f *RandomFlip) Call(x tf.Output, training bool) tf.Output {
	if !training {
		return x
	}
	return f.apply(x, imageUniform(f.scope, x, 1, 0, 1))
}

// apply flips the images whose draw u (float32 [batch, 1], uniform in [0, 1)) is ≤ 0.5.
func (f *RandomFlip) apply(x, u tf.Output) tf.Output {
	s := f.scope
	flip := op.LessEqual(s.Op("LessEqual"), u, s.Const(float32(0.5)))
	// [batch, 1] → [batch, h, w, c], as Select wants (its gradient is in the C++ registry).
	flip = op.BroadcastTo(s.Op("BroadcastTo"), op.Reshape(s.Op("Reshape"), flip, s.Const([]int32{-1, 1, 1, 1})), op.Shape(s.Op("Shape"), x))
	y := x
	if f.Mode != configs.FlipVertical {
		y = op.Select(s.Op("Select"), flip, op.ReverseV2(s.Op("ReverseV2"), y, s.Const([]int32{2})), y)
	}
	if f.Mode != configs.FlipHorizontal {
		y = op.Select(s.Op("Select"), flip, op.ReverseV2(s.Op("ReverseV2"), y, s.Const([]int32{1})), y)
	}
	return y
}
