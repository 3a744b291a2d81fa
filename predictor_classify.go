package tfrun

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // image decoders for PredictImageFiles
	_ "image/jpeg"
	"image/png"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/export"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/runner"
)

// Prediction is what a classifier or a regression predicts for one input.
type Prediction struct {
	// ClassID is the class predicted: the most probable one, or for a binary classifier
	// (one sigmoid unit) 1 when Probability is at least 0.5.
	ClassID int64
	// Probability is the predicted class's probability, or for a binary classifier the
	// probability of class 1.
	Probability float32
	// Label is the class's name (the class names the run saved, or the class id).
	Label string
	// Probabilities are every class's probabilities, when the model has more than one
	// class unit.
	Probabilities []float32
	// Values are a regression's predicted values, one per output unit.
	Values []float32
	// Err is why the input could not be predicted (wrapping ErrBadInput); the other
	// fields are then zero.
	Err error

	// scalar: the regression's output is [batch] (one unit), printed as "prediction".
	scalar bool
}

// badInput is one input's error: its message, wrapping ErrBadInput (and err, when a
// library's error is the cause).
type badInput struct {
	msg string
	err error
}

func (e *badInput) Error() string        { return e.msg }
func (e *badInput) Is(target error) bool { return target == ErrBadInput }
func (e *badInput) Unwrap() error        { return e.err }

func badInputf(format string, a ...any) error { return &badInput{msg: fmt.Sprintf(format, a...)} }

// asBadInput marks err, a library's error about one input, as ErrBadInput.
func asBadInput(err error) error { return &badInput{msg: err.Error(), err: err} }

// classicInput is one input of a text, image or table model.
type classicInput struct {
	text string      // PredictorText
	path string      // PredictorImages: the image file
	img  image.Image // PredictorImages: the image itself (PredictImages)
	row  []float32   // PredictorFeatures
	err  error       // found while reading it
}

// PredictTexts classifies texts with a text classifier (Input PredictorText). Text that
// is not UTF-8 or longer than MaxTextBytes gets a Prediction whose Err says why; empty
// text is fine (like Keras, it encodes as the start index alone).
func (pr *Predictor) PredictTexts(ctx context.Context, texts []string) ([]Prediction, error) {
	ins := make([]classicInput, len(texts))
	for i, t := range texts {
		ins[i].text = t
	}
	return pr.predictClassic(ctx, "PredictTexts", PredictorText, ins)
}

// PredictImageFiles classifies image files (PNG, JPEG, GIF) with an image classifier
// (Input PredictorImages). A missing or unreadable file, or an image whose size is not
// the model's, gets a Prediction whose Err says why.
func (pr *Predictor) PredictImageFiles(ctx context.Context, paths []string) ([]Prediction, error) {
	ins := make([]classicInput, len(paths))
	for i, p := range paths {
		ins[i].path = p
	}
	return pr.predictClassic(ctx, "PredictImageFiles", PredictorImages, ins)
}

// PredictImages classifies images held in memory with an image classifier (Input
// PredictorImages), as PredictImageFiles classifies PNG files of them: for a run trained
// on an image folder (RunPredictor) converted to its color_mode and resized to its
// image_size, otherwise at the model's size exactly. A nil image, or one of another size
// than a SavedModel's, gets a Prediction whose Err says why.
func (pr *Predictor) PredictImages(ctx context.Context, imgs []image.Image) ([]Prediction, error) {
	ins := make([]classicInput, len(imgs))
	for i, img := range imgs {
		ins[i].img = img
		if img == nil {
			ins[i].err = badInputf("no image (nil)")
		}
	}
	return pr.predictClassic(ctx, "PredictImages", PredictorImages, ins)
}

// PredictRows predicts table rows with a classifier or regression of features (Input
// PredictorFeatures): each row holds Features() values in raw units, in the order of the
// run's normalization.json feature_names (the model normalizes them). A row of another
// length or with a value that is not finite gets a Prediction whose Err says why.
func (pr *Predictor) PredictRows(ctx context.Context, rows [][]float32) ([]Prediction, error) {
	ins := make([]classicInput, len(rows))
	for i, r := range rows {
		ins[i].row = r
		if len(r) != pr.features {
			ins[i].err = badInputf("%d values, the model takes %d features", len(r), pr.features)
			continue
		}
		for j, v := range r {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				ins[i].err = badInputf("value %d, %v, is not a finite number", j+1, v)
				break
			}
		}
	}
	return pr.predictClassic(ctx, "PredictRows", PredictorFeatures, ins)
}

// wrongInput is the error of a Predict method called on a model that takes another input.
func (pr *Predictor) wrongInput(method string, want PredictorInput) error {
	if pr.input == want {
		return nil
	}
	return unsuitable(fmt.Errorf("%s: the model takes %s inputs, not %s", method, pr.input, want))
}

// predictClassic predicts ins in batches of pr.batch.
func (pr *Predictor) predictClassic(ctx context.Context, method string, want PredictorInput, ins []classicInput) ([]Prediction, error) {
	if err := pr.wrongInput(method, want); err != nil {
		return nil, err
	}
	out := make([]Prediction, 0, len(ins))
	for start := 0; start < len(ins); start += pr.batch {
		if err := ctx.Err(); err != nil {
			return out, stopped(ctx, start)
		}
		ps, err := pr.classify(ins[start:min(start+pr.batch, len(ins))])
		if err != nil {
			return out, err
		}
		out = append(out, ps...)
	}
	return out, nil
}

// classify runs one batch: inputs that fail their check get an error, the others one run
// of the signature.
func (pr *Predictor) classify(inputs []classicInput) ([]Prediction, error) {
	results := make([]Prediction, len(inputs))
	var ok []int
	var texts []string
	var pixels []float32
	var rows []float32
	for i, in := range inputs {
		err := in.err
		if err == nil {
			switch pr.input {
			case PredictorImages:
				var px []float32
				if in.img != nil {
					px, err = pr.imagePixels(in.img)
				} else {
					px, err = pr.readImage(in.path)
				}
				if err == nil {
					pixels = append(pixels, px...)
				}
			case PredictorFeatures:
				rows = append(rows, in.row...)
			default:
				if err = checkText(in.text); err == nil {
					texts = append(texts, in.text)
				}
			}
		}
		if err != nil {
			results[i].Err = err
			continue
		}
		ok = append(ok, i)
	}
	if len(ok) == 0 {
		return results, nil
	}
	var feed *tf.Tensor
	var err error
	name, sig := export.InputText, export.DefaultSignature
	switch {
	case pr.input == PredictorImages && pr.floats:
		name, sig = export.InputImages, export.FloatImagesSignature
		feed, err = graphs.NewTensor(pixels, int64(len(ok)), int64(pr.h), int64(pr.w), int64(pr.c))
	case pr.input == PredictorImages:
		name = export.InputImages
		bytes := make([]uint8, len(pixels))
		for i, v := range pixels {
			bytes[i] = uint8(v) // readImage's whole values (the model has no float_images: no resizing)
		}
		feed, err = graphs.NewTensor(bytes, int64(len(ok)), int64(pr.h), int64(pr.w), int64(pr.c))
	case pr.input == PredictorFeatures:
		name = export.InputFeatures
		feed, err = graphs.NewTensor(rows, int64(len(ok)), int64(pr.features))
	default:
		feed, err = tf.NewTensor(texts)
	}
	if err != nil {
		return nil, err
	}
	out, err := pr.p.Run(sig, map[string]*tf.Tensor{name: feed})
	if err != nil {
		return nil, err
	}
	if pr.regression {
		return results, regressionValues(out[export.OutputPrediction], ok, results)
	}
	probs, _ := graphs.Value(out[export.OutputProbability]).([]float32)
	labels, _ := graphs.Value(out[export.OutputLabel]).([]string)
	ids, _ := graphs.Value(out[export.OutputClassID]).([]int64)
	var all [][]float32
	if t := out[export.OutputProbabilities]; t != nil {
		all, _ = graphs.Value(t).([][]float32)
	}
	if len(probs) != len(ok) || len(labels) != len(ok) || len(ids) != len(ok) {
		return nil, fmt.Errorf("predict: the model returned %d probabilities, %d labels, %d class ids for %d inputs", len(probs), len(labels), len(ids), len(ok))
	}
	for k, i := range ok {
		r := &results[i]
		r.Probability, r.Label, r.ClassID = probs[k], labels[k], ids[k]
		if k < len(all) {
			r.Probabilities = all[k]
		}
	}
	return results, nil
}

// regressionValues fills the results at ok with a regression's predicted values: t is
// float32 [batch] (one output) or [batch, k].
func regressionValues(t *tf.Tensor, ok []int, results []Prediction) error {
	if t == nil {
		return fmt.Errorf("predict: the model returned no %q", export.OutputPrediction)
	}
	switch v := graphs.Value(t).(type) {
	case []float32:
		if len(v) == len(ok) {
			for k, i := range ok {
				results[i].Values, results[i].scalar = []float32{v[k]}, true
			}
			return nil
		}
	case [][]float32:
		if len(v) == len(ok) {
			for k, i := range ok {
				results[i].Values = v[k]
			}
			return nil
		}
	}
	return fmt.Errorf("predict: the model returned %v predictions for %d inputs", t.Shape(), len(ok))
}

// checkText refuses what the in-graph tokenizer must not see: text that is not UTF-8
// (Go's tokenizer would read its bad bytes as U+FFFD, TensorFlow's ICU may not) and text
// past MaxTextBytes. Empty text is fine: like Keras, it encodes as the start index alone.
func checkText(s string) error {
	if len(s) > MaxTextBytes {
		return badInputf("text longer than %d bytes", MaxTextBytes)
	}
	if !utf8.ValidString(s) {
		for i, r := range s {
			if r == utf8.RuneError {
				if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
					return badInputf("text is not valid UTF-8 (byte %d is 0x%02x); the text shown has it replaced by U+FFFD", i, s[i])
				}
			}
		}
	}
	return nil
}

// readImage reads an image file as the model's pixels in [0, 255]: for a model trained on
// an image folder (pr.load) as training read it, resized to image_size with color_mode
// (datasets.LoadImage); otherwise at the model's size exactly (decodeImageFile).
func (pr *Predictor) readImage(path string) ([]float32, error) {
	if pr.load != nil {
		img, err := datasets.LoadImage(path, *pr.load)
		if err != nil {
			return nil, asBadInput(err)
		}
		if img.Height != pr.h || img.Width != pr.w || img.Channels != pr.c {
			return nil, badInputf("the image reads as %d×%d×%d, the model takes %d×%d×%d", img.Height, img.Width, img.Channels, pr.h, pr.w, pr.c)
		}
		return img.Pix, nil
	}
	if pr.c == 4 {
		return nil, badInputf("the model takes RGBA images: predict them with -config (the run's config), which reads them as training did")
	}
	px, err := decodeImageFile(path, pr.h, pr.w, pr.c)
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(px))
	for i, v := range px {
		out[i] = float32(v)
	}
	return out, nil
}

// parseRow reads a table row: n comma-separated numbers, the feature columns in the
// model's order (normalization.json's feature_names).
func parseRow(line string, n int) ([]float32, error) {
	fields := strings.Split(line, ",")
	if len(fields) != n {
		return nil, badInputf("%d values, the model takes %d features (comma-separated, in the order of normalization.json's feature_names)", len(fields), n)
	}
	row := make([]float32, n)
	for j, f := range fields {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 32)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, badInputf("value %d, %q, is not a finite number", j+1, strings.TrimSpace(f))
		}
		row[j] = float32(v)
	}
	return row, nil
}

// decodeImageFile reads an image file as the model's pixels: height h, width w, and c
// channels (1: gray, as color.GrayModel converts; 3: RGB without alpha).
func decodeImageFile(path string, h, w, c int) ([]uint8, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, asBadInput(err)
	}
	defer f.Close()
	img, format, err := image.Decode(bufio.NewReader(f))
	if err != nil {
		return nil, badInputf("cannot read the image: %v (PNG, JPEG and GIF are read)", err)
	}
	return pixelsOf(img, "the "+format+" image", h, w, c)
}

// pixelsOf is img's pixels at the model's size exactly: height h, width w, and c channels
// (1: gray, as color.GrayModel converts; 3: RGB without alpha). what names the image in
// an error.
func pixelsOf(img image.Image, what string, h, w, c int) ([]uint8, error) {
	b := img.Bounds()
	if b.Dx() != w || b.Dy() != h {
		return nil, badInputf("%s is %d×%d pixels, the model takes %d×%d", what, b.Dx(), b.Dy(), w, h)
	}
	px := make([]uint8, 0, h*w*c)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if c == 1 {
				px = append(px, color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y)
			} else {
				n := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
				px = append(px, n.R, n.G, n.B)
			}
		}
	}
	return px, nil
}

// imagePixels is readImage for an image in memory: for a model trained on an image
// folder, the image encoded as a PNG and read as training would read that file; otherwise
// its pixels at the model's size exactly.
func (pr *Predictor) imagePixels(img image.Image) ([]float32, error) {
	var px []uint8
	switch {
	case pr.load != nil:
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			return nil, asBadInput(err)
		}
		d, err := datasets.DecodeImage(b.Bytes(), *pr.load)
		if err != nil {
			return nil, asBadInput(err)
		}
		if d.Height != pr.h || d.Width != pr.w || d.Channels != pr.c {
			return nil, badInputf("the image reads as %d×%d×%d, the model takes %d×%d×%d", d.Height, d.Width, d.Channels, pr.h, pr.w, pr.c)
		}
		return d.Pix, nil
	case pr.c == 4:
		return nil, badInputf("the model takes RGBA images: predict them with a run's Predictor (RunPredictor), which reads them as training did")
	default:
		var err error
		if px, err = pixelsOf(img, "the image", pr.h, pr.w, pr.c); err != nil {
			return nil, err
		}
	}
	out := make([]float32, len(px))
	for i, v := range px {
		out[i] = float32(v)
	}
	return out, nil
}

// stoppedError is the error of a prediction that ctx stopped: it wraps ctx's error and
// runner's ErrInterrupted, as an interrupted training does.
type stoppedError struct {
	done int
	errs []error
}

func (e *stoppedError) Error() string {
	return fmt.Sprintf("predict stopped after %d inputs: %v", e.done, e.errs[0])
}

func (e *stoppedError) Unwrap() []error { return e.errs }

// stopped is the error of a prediction ctx stopped after done inputs.
func stopped(ctx context.Context, done int) error {
	return &stoppedError{done: done, errs: []error{runner.ErrInterrupted, ctx.Err()}}
}
