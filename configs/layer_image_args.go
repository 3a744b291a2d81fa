package configs

// Arguments and checks the image preprocessing and augmentation layers share, with Keras's
// defaults (keras/src/layers/preprocessing/image_preprocessing).

// The fill modes of Keras's affine-transform layers (RandomTranslation, RandomRotation,
// RandomZoom): how pixels from outside the input are filled. TensorFlow's
// ImageProjectiveTransformV3 kernel implements all four.
const (
	FillReflect  = "reflect"
	FillWrap     = "wrap"
	FillConstant = "constant"
	FillNearest  = "nearest"
)

// The interpolations of the image layers.
const (
	InterpolationBilinear = "bilinear"
	InterpolationNearest  = "nearest"
)

func fillModeArg() Arg {
	return Arg{Key: "fill_mode", Kind: KindString, Default: FillReflect, Choices: []string{FillReflect, FillWrap, FillConstant, FillNearest},
		Doc: "fills pixels from outside the image: reflect (d c b a | a b c d | d c b a), wrap, constant (fill_value), nearest"}
}

func interpolationArg(note string) Arg {
	return Arg{Key: "interpolation", Kind: KindString, Default: InterpolationBilinear,
		Choices: []string{InterpolationBilinear, InterpolationNearest}, Note: note, Doc: "how pixels between the input's are computed"}
}

func fillValueArg() Arg {
	return Arg{Key: "fill_value", Kind: KindFloat, Default: 0.0, Doc: "the value outside the image with fill_mode constant"}
}

// factorArg is a random layer's factor: one number f, drawn from [−|f|, |f|] (Keras also
// takes a pair [lower, upper], which tfrun does not).
func factorArg(key, doc string, samples ...any) Arg {
	return Arg{Key: key, Kind: KindFloat, Required: true, Samples: samples, Doc: doc}
}

// checkFactor checks a factor is in (lo, hi], or [lo, hi] when closed, as Keras's layer
// does.
func checkFactor(l *Layer, key string, lo, hi float64, closed bool) error {
	f := l.Float(key)
	if f > hi || f < lo || (!closed && f == lo) {
		if closed {
			return argErr(key, "%g: must be in [%g, %g] (tfrun takes one number, not Keras's [lower, upper] pair)", f, lo, hi)
		}
		return argErr(key, "%g: must be in (%g, %g] (tfrun takes one number, not Keras's [lower, upper] pair)", f, lo, hi)
	}
	return nil
}

// imageShape checks an input is an image [height, width, channels].
func imageShape(in Shape) error {
	if len(in) != 3 || in[0] <= 0 || in[1] <= 0 {
		return shapeErr(in, "(None, height, width, channels)")
	}
	return nil
}

// sameImageShape is the OutputShape of a layer that keeps an image's shape.
func sameImageShape(_ *Layer, in Shape) (Shape, error) {
	if err := imageShape(in); err != nil {
		return nil, err
	}
	return in, nil
}

// heightWidthArgs are the output size of RandomCrop, CenterCrop and Resizing.
func heightWidthArgs() []Arg {
	return []Arg{
		{Key: "height", Kind: KindInt, Required: true, Bound: Positive, Samples: []any{3, 6}, Doc: "of the output"},
		{Key: "width", Kind: KindInt, Required: true, Bound: Positive, Samples: []any{4, 2, 7}, Doc: "of the output"},
	}
}

// heightWidthShape is [height, width, channels] for an image input.
func heightWidthShape(l *Layer, in Shape) (Shape, error) {
	if err := imageShape(in); err != nil {
		return nil, err
	}
	return Shape{l.Int("height"), l.Int("width"), in[2]}, nil
}
