package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // image decoders for -images
	_ "image/jpeg"
	_ "image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/export"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/runner"
)

const predictUsage = `usage: tfrun predict -config FILE [-run DIR] [-checkpoint latest|best|ckpt-N] [-file F] [TEXT ...]
       tfrun predict -model SAVEDMODEL_DIR [-file F] [TEXT ...]
       tfrun predict (-config FILE [-run DIR] | -model DIR) -images IMAGE ...
       (a CSV classifier or regression: each input is a row of comma-separated feature values;
       a model of named inputs (data.inputs): each input is a JSON object, {"<input>": value, ...})`

// maxTextBytes bounds one text read from standard input or -file.
const maxTextBytes = 1 << 20

// runPredict is `tfrun predict`: one JSON line per text (from the arguments, -file or
// standard input, one per line) or image (-images), classified by a run's model (the
// inference graph export writes) or by an exported SavedModel.
func runPredict(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tfrun predict", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		config  = fs.String("config", "", "the run's config (not needed with -model)")
		runDir  = fs.String("run", "", "the run directory (default runs/<config name>/)")
		model   = fs.String("model", "", "an exported SavedModel: its directory, or the export directory (the highest version)")
		ckpt    = fs.String("checkpoint", export.CheckpointLatest, "with -run: latest, best or ckpt-N")
		file    = fs.String("file", "", "read the inputs from this file, one per line (- for standard input)")
		images  = fs.Bool("images", false, "the inputs are image files (PNG, JPEG, GIF) for an image classifier")
		batch   = fs.Int("batch", 64, "inputs per TensorFlow run")
		threads = fs.Int("threads", 0, "TensorFlow intra-op threads")
	)
	fs.Usage = func() {
		fmt.Fprintln(stderr, predictUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "tfrun: "+format+"\n", a...)
		fmt.Fprintln(stderr, predictUsage)
		return 2
	}
	switch {
	case *model == "" && *config == "":
		return usage("predict needs -config (with the run directory as -run) or -model")
	case *model != "" && (set["run"] || set["checkpoint"]):
		return usage("-model loads an exported SavedModel: -run and -checkpoint choose a run's checkpoint instead")
	case *file != "" && fs.NArg() > 0:
		return usage("give the inputs as arguments or with -file, not both")
	case *batch < 1 || *threads < 0:
		return usage("-batch must be at least 1 and -threads not negative")
	}
	var (
		p     export.Predictor
		load  *datasets.ImageLoadOptions // an image folder's decoding, when -config tells it
		named bool                       // the model is fed by name (-config tells it)
	)
	if *model != "" {
		sm, err := export.Load(*model, *threads)
		if err != nil {
			fmt.Fprintf(stderr, "tfrun: %v\n", err)
			return exitCodeOf(ctx, err)
		}
		p = sm
	} else {
		cfg, err := configs.Load(*config)
		if err != nil {
			fmt.Fprintf(stderr, "tfrun: %v\n", err)
			return 2
		}
		if *runDir == "" {
			*runDir = filepath.Join("runs", cfg.Name)
		}
		m, err := export.Build(cfg, export.Options{RunDir: *runDir, Checkpoint: *ckpt, Threads: *threads})
		if err != nil {
			fmt.Fprintf(stderr, "tfrun: %v\n", err)
			return exitCodeOf(ctx, err)
		}
		p = m
		named = m.Kind == export.KindMultiIO
		if cfg.Data.Format == configs.FormatImageDirectory {
			o := classifier.ImageLoadOptions(cfg.Data)
			load = &o
		}
	}
	defer p.Close()
	pr, err := newPredictor(p, *images, named)
	if pr != nil {
		pr.load = load
	}
	if err != nil {
		fmt.Fprintf(stderr, "tfrun: %v\n", err)
		return exitCodeOf(ctx, err)
	}
	var in inputSource
	switch {
	case fs.NArg() > 0:
		in = &argInputs{args: fs.Args()}
	case *file != "" && *file != "-":
		f, err := os.Open(*file)
		if err != nil {
			fmt.Fprintf(stderr, "tfrun: %v\n", err)
			return 2
		}
		defer f.Close()
		in = &lineInputs{r: bufio.NewReader(f)}
	default:
		in = &lineInputs{r: bufio.NewReader(os.Stdin)}
	}
	failed, total, err := pr.predictAll(ctx, in, *batch, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "tfrun: %v\n", err)
		return exitCodeOf(ctx, err)
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "tfrun: %d of %d inputs could not be classified (see their \"error\")\n", failed, total)
		return 1
	}
	return 0
}

// predictor classifies inputs with a model's serving_default signature.
type predictor struct {
	p      export.Predictor
	images bool
	// image models: the input's height, width and channels.
	h, w, c int
	// floats: the model has the float_images signature, which takes float32 pixels.
	floats bool
	// load, for a model trained on an image folder (known from its config), reads images
	// as training did: datasets.LoadImage, resized to image_size with color_mode.
	load *datasets.ImageLoadOptions
	// features > 0: a table classifier (or regression) of that many features per row.
	features int
	// regression: the model returns predicted values (export.OutputPrediction), not
	// classes.
	regression bool
	// named: a model of named inputs and outputs, fed JSON objects.
	named *namedPredictor
}

// newPredictor checks that the model is the classifier the inputs need: raw text in
// (string [batch]) or, with images, pixels (uint8 [batch, h, w, c]); or, named (a run fed
// by name) or with a signature that is not a single-input classifier's, a model of named
// inputs fed JSON objects.
func newPredictor(p export.Predictor, images, named bool) (*predictor, error) {
	sig, ok := p.Signatures()[export.DefaultSignature]
	if !ok {
		return nil, usageError(fmt.Errorf("the model has no %s signature", export.DefaultSignature))
	}
	if _, gan := sig.Outputs[export.OutputImages]; !gan && (named || !classicSignature(sig)) {
		if images {
			return nil, usageError(errors.New("-images: the model takes named inputs (give each input line as a JSON object of them)"))
		}
		np, err := newNamedPredictor(p, sig)
		if err != nil {
			return nil, err
		}
		return &predictor{p: p, named: np}, nil
	}
	_, regression := sig.Outputs[export.OutputPrediction]
	if _, ok := sig.Outputs[export.OutputProbability]; !ok && !regression {
		if _, gan := sig.Outputs[export.OutputImages]; gan {
			return nil, usageError(errors.New("the model is a GAN's generator: predict classifies; draw images with tfrun generate"))
		}
		return nil, usageError(fmt.Errorf("the model's %s signature has no %q output: not a classifier tfrun exported", export.DefaultSignature, export.OutputProbability))
	}
	text, isText := sig.Inputs[export.InputText]
	img, isImage := sig.Inputs[export.InputImages]
	feat, isTable := sig.Inputs[export.InputFeatures]
	switch {
	case images && isImage && img.DType == tf.Uint8:
		dims, err := img.Shape.ToSlice()
		if err != nil || len(dims) != 4 || dims[1] < 1 || dims[2] < 1 || dims[3] < 1 || dims[3] > 4 || dims[3] == 2 {
			return nil, usageError(fmt.Errorf("the model takes images of shape %v: want [batch, height, width, 1, 3 or 4]", img.Shape))
		}
		fsig, floats := p.Signatures()[export.FloatImagesSignature]
		floats = floats && fsig.Inputs[export.InputImages].DType == tf.Float
		return &predictor{p: p, images: true, h: int(dims[1]), w: int(dims[2]), c: int(dims[3]), floats: floats}, nil
	case !images && isText && text.DType == tf.String:
		return &predictor{p: p}, nil
	case !images && isTable && feat.DType == tf.Float:
		dims, err := feat.Shape.ToSlice()
		if err != nil || len(dims) != 2 || dims[1] < 1 {
			return nil, usageError(fmt.Errorf("the model takes features of shape %v: want [batch, features]", feat.Shape))
		}
		return &predictor{p: p, features: int(dims[1]), regression: regression}, nil
	case images && isTable:
		return nil, usageError(errors.New("-images: the model classifies rows of a table (give each row's feature values, comma-separated, as an argument, with -file or on standard input)"))
	case images:
		return nil, usageError(errors.New("-images: the model classifies text, not images (give the texts as arguments, with -file or on standard input)"))
	case isImage:
		return nil, usageError(errors.New("the model classifies images: give image files with -images"))
	}
	return nil, usageError(fmt.Errorf("the model's %s signature takes %s: not a text or image classifier tfrun exported", export.DefaultSignature, describeTensors(sig.Inputs)))
}

// input is one text or image path to classify.
type input struct {
	value string
	line  int    // its line in -file or standard input (0 for an argument)
	arg   int    // its argument's number (from 1), for an argument
	err   string // why it cannot be classified, found while reading it
}

// inputSource yields the inputs; ok false at the end.
type inputSource interface {
	next() (in input, ok bool, err error)
}

type argInputs struct {
	args []string
	n    int
}

func (a *argInputs) next() (input, bool, error) {
	if len(a.args) == 0 {
		return input{}, false, nil
	}
	a.n++
	in := input{value: a.args[0], arg: a.n}
	a.args = a.args[1:]
	return in, true, nil
}

// lineInputs reads one input per line ("\n" or "\r\n" ends it); a line longer than
// maxTextBytes is an input error, and reading goes on after it.
type lineInputs struct {
	r    *bufio.Reader
	line int
}

func (l *lineInputs) next() (input, bool, error) {
	var buf []byte
	long := false
	for {
		chunk, err := l.r.ReadSlice('\n')
		if !long && len(buf)+len(chunk) <= maxTextBytes+2 {
			buf = append(buf, chunk...)
		} else {
			long = true
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && err != io.EOF {
			return input{}, false, fmt.Errorf("reading the inputs: %w", err)
		}
		if err == io.EOF && len(buf) == 0 && !long {
			return input{}, false, nil
		}
		l.line++
		buf = bytes.TrimSuffix(bytes.TrimSuffix(buf, []byte("\n")), []byte("\r"))
		in := input{value: string(buf), line: l.line}
		if long || len(buf) > maxTextBytes {
			in.value, in.err = "", fmt.Sprintf("line longer than %d bytes", maxTextBytes)
		}
		return in, true, nil
	}
}

// result is one JSON line of output.
type result struct {
	Text          *string    `json:"text,omitempty"`
	Image         *string    `json:"image,omitempty"`
	Row           *string    `json:"row,omitempty"`
	Line          int        `json:"line,omitempty"`
	Probability   *float32j  `json:"probability,omitempty"`
	Label         *string    `json:"label,omitempty"`
	ClassID       *int64     `json:"class_id,omitempty"`
	Probabilities []float32j `json:"probabilities,omitempty"`
	Prediction    *float32j  `json:"prediction,omitempty"`  // a regression's value
	Predictions   []float32j `json:"predictions,omitempty"` // a regression's values (k outputs)
	Error         string     `json:"error,omitempty"`
}

// float32j prints a float32 as the shortest decimal that reads back as the same float32.
type float32j float32

func (f float32j) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(f), 'g', -1, 32), nil
}

// predictAll classifies every input, batch inputs per run, and writes one JSON line per
// input in input order. An input that cannot be classified (text that is not UTF-8 or too
// long, an unreadable image or one of the wrong size) gets a line with its error and the
// others are still classified; it returns how many failed and how many there were.
func (pr *predictor) predictAll(ctx context.Context, in inputSource, batch int, stdout io.Writer) (failed, total int, err error) {
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	for done := false; !done; {
		if err := ctx.Err(); err != nil {
			return failed, total, fmt.Errorf("predict stopped after %d inputs: %w", total, runner.ErrInterrupted)
		}
		var chunk []input
		for len(chunk) < batch {
			x, ok, err := in.next()
			if err != nil {
				return failed, total, err
			}
			if !ok {
				done = true
				break
			}
			chunk = append(chunk, x)
		}
		if len(chunk) == 0 {
			break
		}
		results, err := pr.predict(chunk)
		if err != nil {
			return failed, total, err
		}
		for _, r := range results {
			if r.failed() {
				failed++
			}
			if err := enc.Encode(r); err != nil {
				return failed, total, err
			}
		}
		total += len(chunk)
	}
	return failed, total, nil
}

// outcome is one output line: a result or a namedResult.
type outcome interface{ failed() bool }

func (r *result) failed() bool { return r.Error != "" }

// predict runs one batch with the named predictor or classify.
func (pr *predictor) predict(chunk []input) ([]outcome, error) {
	if pr.named != nil {
		return pr.named.predict(chunk)
	}
	results, err := pr.classify(chunk)
	if err != nil {
		return nil, err
	}
	out := make([]outcome, len(results))
	for i, r := range results {
		out[i] = r
	}
	return out, nil
}

// classify runs one batch: inputs that fail their check get an error result, the others
// one run of the signature.
func (pr *predictor) classify(inputs []input) ([]*result, error) {
	results := make([]*result, len(inputs))
	var ok []int
	var texts []string
	var pixels []float32
	var rows []float32
	for i, in := range inputs {
		v := in.value
		r := &result{Line: in.line, Error: in.err}
		switch {
		case pr.images:
			r.Image = &v
			if r.Error != "" {
				break
			}
			if px, err := pr.readImage(v); err != nil {
				r.Error = err.Error()
			} else {
				pixels = append(pixels, px...)
			}
		case pr.features > 0:
			r.Row = &v
			if r.Error != "" {
				break
			}
			if row, err := parseRow(v, pr.features); err != nil {
				r.Error = err.Error()
			} else {
				rows = append(rows, row...)
			}
		default:
			r.Text = &v
			if r.Error != "" {
				break
			}
			if err := checkText(v); err != nil {
				r.Error = err.Error()
			} else {
				texts = append(texts, v)
			}
		}
		results[i] = r
		if r.Error == "" {
			ok = append(ok, i)
		}
	}
	if len(ok) == 0 {
		return results, nil
	}
	var feed *tf.Tensor
	var err error
	name, sig := export.InputText, export.DefaultSignature
	switch {
	case pr.images && pr.floats:
		name, sig = export.InputImages, export.FloatImagesSignature
		feed, err = graphs.NewTensor(pixels, int64(len(ok)), int64(pr.h), int64(pr.w), int64(pr.c))
	case pr.images:
		name = export.InputImages
		bytes := make([]uint8, len(pixels))
		for i, v := range pixels {
			bytes[i] = uint8(v) // readImage's whole values (the model has no float_images: no resizing)
		}
		feed, err = graphs.NewTensor(bytes, int64(len(ok)), int64(pr.h), int64(pr.w), int64(pr.c))
	case pr.features > 0:
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
		return results, predictions(out[export.OutputPrediction], ok, results)
	}
	probs, _ := out[export.OutputProbability].Value().([]float32)
	labels, _ := out[export.OutputLabel].Value().([]string)
	ids, _ := out[export.OutputClassID].Value().([]int64)
	var all [][]float32
	if t := out[export.OutputProbabilities]; t != nil {
		all, _ = t.Value().([][]float32)
	}
	if len(probs) != len(ok) || len(labels) != len(ok) || len(ids) != len(ok) {
		return nil, fmt.Errorf("predict: the model returned %d probabilities, %d labels, %d class ids for %d inputs", len(probs), len(labels), len(ids), len(ok))
	}
	for k, i := range ok {
		r := results[i]
		p, label, id := float32j(probs[k]), labels[k], ids[k]
		r.Probability, r.Label, r.ClassID = &p, &label, &id
		if k < len(all) {
			for _, q := range all[k] {
				r.Probabilities = append(r.Probabilities, float32j(q))
			}
		}
	}
	return results, nil
}

// predictions fills the results at ok with a regression's predicted values: t is
// float32 [batch] (one output) or [batch, k].
func predictions(t *tf.Tensor, ok []int, results []*result) error {
	if t == nil {
		return fmt.Errorf("predict: the model returned no %q", export.OutputPrediction)
	}
	switch v := t.Value().(type) {
	case []float32:
		if len(v) == len(ok) {
			for k, i := range ok {
				p := float32j(v[k])
				results[i].Prediction = &p
			}
			return nil
		}
	case [][]float32:
		if len(v) == len(ok) {
			for k, i := range ok {
				for _, x := range v[k] {
					results[i].Predictions = append(results[i].Predictions, float32j(x))
				}
			}
			return nil
		}
	}
	return fmt.Errorf("predict: the model returned %v predictions for %d inputs", t.Shape(), len(ok))
}

// checkText refuses what the in-graph tokenizer must not see: text that is not UTF-8
// (Go's tokenizer would read its bad bytes as U+FFFD, TensorFlow's ICU may not) and text
// past maxTextBytes. Empty text is fine: like Keras, it encodes as the start index alone.
func checkText(s string) error {
	if len(s) > maxTextBytes {
		return fmt.Errorf("text longer than %d bytes", maxTextBytes)
	}
	if !utf8.ValidString(s) {
		for i, r := range s {
			if r == utf8.RuneError {
				if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
					return fmt.Errorf("text is not valid UTF-8 (byte %d is 0x%02x); the text shown has it replaced by U+FFFD", i, s[i])
				}
			}
		}
	}
	return nil
}

// readImage reads an image file as the model's pixels in [0, 255]: for a model trained on
// an image folder (pr.load) as training read it, resized to image_size with color_mode
// (datasets.LoadImage); otherwise at the model's size exactly (readImage).
func (pr *predictor) readImage(path string) ([]float32, error) {
	if pr.load != nil {
		img, err := datasets.LoadImage(path, *pr.load)
		if err != nil {
			return nil, err
		}
		if img.Height != pr.h || img.Width != pr.w || img.Channels != pr.c {
			return nil, fmt.Errorf("the image reads as %d×%d×%d, the model takes %d×%d×%d", img.Height, img.Width, img.Channels, pr.h, pr.w, pr.c)
		}
		return img.Pix, nil
	}
	if pr.c == 4 {
		return nil, errors.New("the model takes RGBA images: predict them with -config (the run's config), which reads them as training did")
	}
	px, err := readImage(path, pr.h, pr.w, pr.c)
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
		return nil, fmt.Errorf("%d values, the model takes %d features (comma-separated, in the order of normalization.json's feature_names)", len(fields), n)
	}
	row := make([]float32, n)
	for j, f := range fields {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 32)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("value %d, %q, is not a finite number", j+1, strings.TrimSpace(f))
		}
		row[j] = float32(v)
	}
	return row, nil
}

// readImage reads an image file as the model's pixels: height h, width w, and c channels
// (1: gray, as color.GrayModel converts; 3: RGB without alpha).
func readImage(path string, h, w, c int) ([]uint8, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, format, err := image.Decode(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("cannot read the image: %v (PNG, JPEG and GIF are read)", err)
	}
	b := img.Bounds()
	if b.Dx() != w || b.Dy() != h {
		return nil, fmt.Errorf("the %s image is %d×%d pixels, the model takes %d×%d", format, b.Dx(), b.Dy(), w, h)
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
