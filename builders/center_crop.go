package builders

import (
	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerCenterCrop, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewCenterCrop(name, c.Int("height"), c.Int("width")), nil
	})
}

// CenterCrop is Keras's CenterCrop (keras/src/layers/preprocessing/image_preprocessing/
// center_crop.py), channels_last, [h, w, c] → [height, width, c], in training and
// inference alike: the window starting at ((h − height) // 2, (w − width) // 2) when the
// image is at least height × width; otherwise Keras's smart_resize (the centred window
// of the output's aspect ratio, resized bilinear). No weights.
type CenterCrop struct {
	base
	Height, Width int

	in Shape
}

// NewCenterCrop returns a CenterCrop to height × width.
func NewCenterCrop(name string, height, width int) *CenterCrop {
	return &CenterCrop{base: base{name: name}, Height: height, Width: width}
}

func (c *CenterCrop) Type() string { return configs.LayerCenterCrop }

func (c *CenterCrop) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 3 {
		return nil, shapeError(c, in, "(None, height, width, channels)")
	}
	if err := checkPositive(c, "height", c.Height); err != nil {
		return nil, err
	}
	if err := checkPositive(c, "width", c.Width); err != nil {
		return nil, err
	}
	c.begin(s)
	c.in = in
	return Shape{c.Height, c.Width, in[2]}, nil
}

func (c *CenterCrop) Call(x tf.Output, training bool) tf.Output {
	if c.in[0] >= c.Height && c.in[1] >= c.Width {
		y, _ := cropImages(c.scope, x, c.in, (c.in[0]-c.Height)/2, (c.in[1]-c.Width)/2, c.Height, c.Width)
		return y
	}
	return smartResize(c.scope, x, c.in, c.Height, c.Width, configs.InterpolationBilinear)
}
