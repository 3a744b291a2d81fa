package builders

import (
	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerResizing, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		r := NewResizing(name, c.Int("height"), c.Int("width"))
		r.Interpolation, r.CropToAspectRatio = c.String("interpolation"), c.Bool("crop_to_aspect_ratio")
		return r, nil
	})
}

// Resizing is Keras's Resizing (keras/src/layers/preprocessing/image_preprocessing/
// resizing.py), channels_last, [h, w, c] → [height, width, c], in training and inference
// alike: tf.image.resize without antialiasing (ResizeBilinear or ResizeNearestNeighbor,
// half-pixel centres), after cutting the centred window of the output's aspect ratio when
// CropToAspectRatio. No weights; bilinear and nearest resizing have gradients.
type Resizing struct {
	base
	Height, Width     int
	Interpolation     string
	CropToAspectRatio bool

	in Shape
}

// NewResizing returns a Resizing to height × width with Keras's defaults (bilinear, no
// crop).
func NewResizing(name string, height, width int) *Resizing {
	return &Resizing{base: base{name: name}, Height: height, Width: width, Interpolation: configs.InterpolationBilinear}
}

func (r *Resizing) Type() string { return configs.LayerResizing }

func (r *Resizing) Build(s *graphs.Scope, in Shape) (Shape, error) {
	if len(in) != 3 {
		return nil, shapeError(r, in, "(None, height, width, channels)")
	}
	if err := checkPositive(r, "height", r.Height); err != nil {
		return nil, err
	}
	if err := checkPositive(r, "width", r.Width); err != nil {
		return nil, err
	}
	if err := checkChoice(r, "interpolation", r.Interpolation, configs.InterpolationBilinear, configs.InterpolationNearest); err != nil {
		return nil, err
	}
	r.begin(s)
	r.in = in
	return Shape{r.Height, r.Width, in[2]}, nil
}

func (r *Resizing) Call(x tf.Output, training bool) tf.Output {
	if r.CropToAspectRatio {
		return smartResize(r.scope, x, r.in, r.Height, r.Width, r.Interpolation)
	}
	return resizeImages(r.scope, x, r.in, r.Height, r.Width, r.Interpolation)
}
