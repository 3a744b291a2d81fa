package builders

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/internal/gradcheck"
)

// augRun builds layer on images of shape in in a graph of seed seed, and runs its training
// output on x (batch images) at each of the steps (the step counter set, as a restored
// checkpoint sets it), and its inference output once.
func augRun(t *testing.T, seed uint64, layer Layer, in Shape, x []float32, batch int, steps ...int64) (train [][]float64, infer []float64) {
	t.Helper()
	g := graphs.NewGraph(tf.Float, seed)
	if _, err := layer.Build(g.Root(), in); err != nil {
		t.Fatal(err)
	}
	xp := g.Root().Placeholder("x", tf.Float, append([]int64{-1}, in.Int64s()...)...)
	yt := op.Identity(g.Root().Op("Identity"), layer.Call(xp, true))
	yi := op.Identity(g.Root().Op("Identity"), layer.Call(xp, false))
	step := g.StepCounter()
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.InitVariables(); err != nil {
		t.Fatal(err)
	}
	xt, err := graphs.NewTensor(x, append([]int64{int64(batch)}, in.Int64s()...)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range steps {
		v, _ := tf.NewTensor(st)
		if err := sess.Set([]*graphs.Variable{step}, []*tf.Tensor{v}); err != nil {
			t.Fatal(err)
		}
		res, err := sess.Run(map[tf.Output]*tf.Tensor{xp: xt}, []tf.Output{yt})
		if err != nil {
			t.Fatal(err)
		}
		train = append(train, graphs.Float64s(res[0]))
	}
	res, err := sess.Run(map[tf.Output]*tf.Tensor{xp: xt}, []tf.Output{yi})
	if err != nil {
		t.Fatal(err)
	}
	return train, graphs.Float64s(res[0])
}

// distinctImages are batch images of shape in whose every value differs (1, 2, 3, ...),
// so that each output pixel says where it came from.
func distinctImages(batch int, in Shape) []float32 {
	x := make([]float32, batch*in.Size())
	for i := range x {
		x[i] = float32(i + 1)
	}
	return x
}

// pixel is image b's value at (y, x, c), or fill outside the image.
func pixel(img []float64, in Shape, b, y, x, c int, fill float64) float64 {
	if y < 0 || y >= in[0] || x < 0 || x >= in[1] {
		return fill
	}
	return img[((b*in[0]+y)*in[1]+x)*in[2]+c]
}

// findShift returns the shift (dy, dx) within ±maxShift for which output image b is input
// image b shifted (out(y, x) = in(y − dy, x − dx), fill outside), if any.
func findShift(in, out []float64, shape Shape, b, maxDY, maxDX int, fill float64) (int, int, bool) {
	for dy := -maxDY; dy <= maxDY; dy++ {
	next:
		for dx := -maxDX; dx <= maxDX; dx++ {
			for y := range shape[0] {
				for x := range shape[1] {
					for c := range shape[2] {
						if pixel(out, shape, b, y, x, c, 0) != pixel(in, shape, b, y-dy, x-dx, c, fill) {
							continue next
						}
					}
				}
			}
			return dy, dx, true
		}
	}
	return 0, 0, false
}

// RandomFlip in training gives each image or its mirror, both occur, the draws change
// with the step, and are the same for the same step in a new graph of the same seed (what
// makes a resumed run draw what the uninterrupted one drew); in inference, the input.
func TestRandomFlipDraws(t *testing.T) {
	const batch = 64
	in := Shape{3, 4, 2}
	x := distinctImages(batch, in)
	x64 := make([]float64, len(x))
	for i, v := range x {
		x64[i] = float64(v)
	}
	for _, mode := range []string{"horizontal", "vertical", "horizontal_and_vertical"} {
		t.Run(mode, func(t *testing.T) {
			f := NewRandomFlip("random_flip")
			f.Mode = mode
			train, infer := augRun(t, 5, f, in, x, batch, 0, 1, 0)
			if !slices.Equal(infer, x64) {
				t.Errorf("inference output is not the input")
			}
			if !slices.Equal(train[0], train[2]) {
				t.Errorf("step 0 drew differently twice")
			}
			if slices.Equal(train[0], train[1]) {
				t.Errorf("steps 0 and 1 drew the same flips for %d images", batch)
			}
			dy, dx := mode != "horizontal", mode != "vertical"
			flipped := 0
			for b := range batch {
				same, mirror := true, true
				for y := range in[0] {
					for xx := range in[1] {
						for c := range in[2] {
							sy, sx := y, xx
							if dy {
								sy = in[0] - 1 - y
							}
							if dx {
								sx = in[1] - 1 - xx
							}
							got := pixel(train[0], in, b, y, xx, c, 0)
							same = same && got == pixel(x64, in, b, y, xx, c, 0)
							mirror = mirror && got == pixel(x64, in, b, sy, sx, c, 0)
						}
					}
				}
				switch {
				case mirror:
					flipped++
				case !same:
					t.Fatalf("image %d is neither the input nor its mirror", b)
				}
			}
			// 64 fair coins: 0 or 64 heads has probability 2⁻⁶³.
			if flipped == 0 || flipped == batch {
				t.Errorf("%d of %d images flipped", flipped, batch)
			}
			t.Logf("%d of %d flipped", flipped, batch)
			again, _ := augRun(t, 5, NewFlipMode(mode), in, x, batch, 1)
			if !slices.Equal(again[0], train[1]) {
				t.Errorf("step 1 in a new graph of the same seed drew differently")
			}
			other, _ := augRun(t, 6, NewFlipMode(mode), in, x, batch, 1)
			if slices.Equal(other[0], train[1]) {
				t.Errorf("seeds 5 and 6 drew the same flips for %d images", batch)
			}
		})
	}
}

// NewFlipMode is a RandomFlip of mode, for the tests.
func NewFlipMode(mode string) *RandomFlip {
	f := NewRandomFlip("random_flip")
	f.Mode = mode
	return f
}

// RandomTranslation with nearest interpolation and constant fill shifts each image by
// whole pixels (the nearest of u·height, v·width), within the factors, the uncovered
// pixels fill_value; the shifts vary over the batch and the steps. RandomCrop cuts a
// window of each image at a corner that varies likewise.
func TestRandomTranslationAndCropShift(t *testing.T) {
	const batch = 32
	in := Shape{5, 6, 2}
	x := distinctImages(batch, in)
	x64 := make([]float64, len(x))
	for i, v := range x {
		x64[i] = float64(v)
	}
	tr := NewRandomTranslation("random_translation", 0.4, -0.5)
	tr.FillMode, tr.Interpolation, tr.FillValue = "constant", "nearest", -1
	train, infer := augRun(t, 3, tr, in, x, batch, 0, 7)
	if !slices.Equal(infer, x64) {
		t.Errorf("inference output is not the input")
	}
	// |u·5| ≤ 2, |v·6| ≤ 3: the nearest whole shifts.
	shifts := map[string]bool{}
	for s, out := range train {
		for b := range batch {
			dy, dx, ok := findShift(x64, out, in, b, 2, 3, -1)
			if !ok {
				t.Fatalf("step %d: image %d is no whole shift of the input within (±2, ±3)", s, b)
			}
			shifts[fmt.Sprint(dy, dx)] = true
		}
	}
	if len(shifts) < 5 {
		t.Errorf("only %d distinct shifts over %d images", len(shifts), 2*batch)
	}
	t.Logf("%d distinct shifts over %d images", len(shifts), 2*batch)

	crop := NewRandomCrop("random_crop", 3, 4)
	train, _ = augRun(t, 3, crop, in, x, batch, 0)
	out := Shape{3, 4, 2}
	corners := map[string]bool{}
	for b := range batch {
		found := false
		for top := 0; top <= 2 && !found; top++ {
		next:
			for left := 0; left <= 2; left++ {
				for y := range out[0] {
					for xx := range out[1] {
						for c := range out[2] {
							if pixel(train[0], out, b, y, xx, c, 0) != pixel(x64, in, b, y+top, xx+left, c, 0) {
								continue next
							}
						}
					}
				}
				found = true
				corners[fmt.Sprint(top, left)] = true
				break
			}
		}
		if !found {
			t.Fatalf("crop of image %d is no 3×4 window of it", b)
		}
	}
	if len(corners) < 5 { // of 9
		t.Errorf("only %d distinct corners over %d images", len(corners), batch)
	}
	t.Logf("%d of 9 corners over %d images", len(corners), batch)
}

// The layers on a gradient path: their gradients to their input against central
// differences.
func TestPreprocessingGradients(t *testing.T) {
	p := gradParams(23)
	layer := func(l Layer, in Shape, training bool) func(s *graphs.Scope, x []tf.Output) tf.Output {
		return func(s *graphs.Scope, x []tf.Output) tf.Output {
			if _, err := l.Build(s, in); err != nil {
				s.Fail("%v", err)
			}
			return l.Call(x[0], training)
		}
	}
	resize := NewResizing("resizing", 5, 3)
	// A random layer's transform for fixed draws: whole-pixel shifts, read by nearest
	// interpolation, whose gradient (TensorFlow's inverse transform) is exact.
	applied := func(l drawn, in Shape, draws [][]float32) func(s *graphs.Scope, x []tf.Output) tf.Output {
		return func(s *graphs.Scope, x []tf.Output) tf.Output {
			if _, err := l.Build(s, in); err != nil {
				s.Fail("%v", err)
			}
			return l.apply(x[0], s.Const(draws))
		}
	}
	shift := NewRandomTranslation("random_translation", 0.5, 0.5)
	shift.FillMode, shift.Interpolation = "constant", "nearest"
	checkGradients(t, []gradCase{
		{"rescaling", []gradcheck.Param{p("x", 1, 2, 3, 4, 2)}, []int64{2, 3, 4, 2},
			layer(NewRescaling("rescaling", 1/127.5), Shape{3, 4, 2}, true), gradcheck.Options{}},
		{"random_flip_training", []gradcheck.Param{p("x", 1, 4, 3, 4, 2)}, []int64{4, 3, 4, 2},
			layer(NewRandomFlip("random_flip"), Shape{3, 4, 2}, true), gradcheck.Options{}},
		{"random_contrast_training", []gradcheck.Param{p("x", 0.2, 3, 3, 4, 2)}, []int64{3, 3, 4, 2},
			layer(&RandomContrast{base: base{name: "random_contrast"}, Factor: 0.5, ValueRange: [2]int{-1, 1}}, Shape{3, 4, 2}, true), gradcheck.Options{}},
		{"center_crop", []gradcheck.Param{p("x", 1, 2, 5, 6, 2)}, []int64{2, 3, 4, 2},
			layer(NewCenterCrop("center_crop", 3, 4), Shape{5, 6, 2}, true), gradcheck.Options{}},
		// ResizeBilinear computes in float32 whatever its input.
		{"resizing_bilinear", []gradcheck.Param{p("x", 1, 2, 3, 4, 2)}, []int64{2, 5, 3, 2},
			layer(resize, Shape{3, 4, 2}, true), gradFloat32()},
		{"random_crop_inference", []gradcheck.Param{p("x", 1, 2, 5, 6, 2)}, []int64{2, 3, 4, 2},
			layer(NewRandomCrop("random_crop", 3, 4), Shape{5, 6, 2}, false), gradFloat32()},
		{"random_crop_training", []gradcheck.Param{p("x", 1, 2, 5, 6, 2)}, []int64{2, 3, 4, 2},
			applied(NewRandomCrop("random_crop", 3, 4), Shape{5, 6, 2}, [][]float32{{2, 0}, {1, 2}}), gradFloat32()},
		{"random_translation_whole_pixels", []gradcheck.Param{p("x", 1, 2, 5, 6, 2)}, []int64{2, 5, 6, 2},
			applied(shift, Shape{5, 6, 2}, [][]float32{{2, -1}, {-3, 1}}), gradFloat32()},
	})
}

// Each layer refuses an argument Keras refuses (or tfrun does not take) and an input that
// is not an image, naming the layer and the argument.
func TestPreprocessingBuildErrors(t *testing.T) {
	img := Shape{4, 5, 2}
	bad := func(f func(l *RandomTranslation)) Layer {
		l := NewRandomTranslation("random_translation", 0.1, 0.1)
		f(l)
		return l
	}
	two := 2.0
	for _, c := range []struct {
		name  string
		layer Layer
		in    Shape
		want  string
	}{
		{"flip_mode", NewFlipMode("diagonal"), img, "mode"},
		{"flip_rank", NewRandomFlip("random_flip"), Shape{4, 5}, "input shape"},
		{"translation_factor", NewRandomTranslation("random_translation", 1.5, 0.1), img, "height_factor"},
		{"translation_factor_minus_one", NewRandomTranslation("random_translation", 0.1, -1), img, "width_factor"},
		{"translation_fill", bad(func(l *RandomTranslation) { l.FillMode = "mirror" }), img, "fill_mode"},
		{"translation_interpolation", bad(func(l *RandomTranslation) { l.Interpolation = "bicubic" }), img, "interpolation"},
		{"rotation_factor", NewRandomRotation("random_rotation", -1.5), img, "factor"},
		{"zoom_width", &RandomZoom{base: base{name: "random_zoom"}, HeightFactor: 0.1, WidthFactor: &two, affineArgs: defaultAffineArgs()}, img, "width_factor"},
		{"contrast_factor", NewRandomContrast("random_contrast", 1.5), img, "factor"},
		{"contrast_range", &RandomContrast{base: base{name: "random_contrast"}, Factor: 0.1, ValueRange: [2]int{1, 1}}, img, "value_range"},
		{"crop_height", NewRandomCrop("random_crop", 0, 3), img, "height"},
		{"center_crop_rank", NewCenterCrop("center_crop", 2, 2), Shape{6}, "input shape"},
		{"resizing_interpolation", &Resizing{base: base{name: "resizing"}, Height: 2, Width: 2, Interpolation: "area"}, img, "interpolation"},
		{"normalization_scalar", NewNormalization("normalization"), Shape{}, "input shape"},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := graphs.NewGraph(tf.Float, 1)
			_, err := c.layer.Build(g.Root(), c.in)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.layer.Name()) {
				t.Errorf("error %v, want one naming %q and %s", err, c.layer.Name(), c.want)
			}
		})
	}
}

// Normalization.Adapt refuses statistics of another number of features, or of no values.
func TestNormalizationAdaptErrors(t *testing.T) {
	n := NewNormalization("normalization")
	g := graphs.NewGraph(tf.Float, 1)
	if _, err := n.Build(g.Root(), Shape{3}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		count   int64
		sum, sq []float64
	}{
		{4, []float64{1, 2}, []float64{1, 2}},
		{0, []float64{1, 2, 3}, []float64{1, 2, 3}},
	} {
		if _, _, err := n.Adapt(c.count, c.sum, c.sq); err == nil || !strings.Contains(err.Error(), "normalization") {
			t.Errorf("Adapt(%d, %v): error %v", c.count, c.sum, err)
		}
	}
}
