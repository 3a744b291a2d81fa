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
	"os"
	"path/filepath"
	"strconv"
	"unicode/utf8"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/export"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/runner"
)

const predictUsage = `usage: tfrun predict -config FILE [-run DIR] [-checkpoint latest|best|ckpt-N] [-file F] [TEXT ...]
       tfrun predict -model SAVEDMODEL_DIR [-file F] [TEXT ...]
       tfrun predict (-config FILE [-run DIR] | -model DIR) -images IMAGE ...`

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
	var p export.Predictor
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
	}
	defer p.Close()
	pr, err := newPredictor(p, *images)
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
}

// newPredictor checks that the model is the classifier the inputs need: raw text in
// (string [batch]) or, with images, pixels (uint8 [batch, h, w, c]).
func newPredictor(p export.Predictor, images bool) (*predictor, error) {
	sig, ok := p.Signatures()[export.DefaultSignature]
	if !ok {
		return nil, usageError(fmt.Errorf("the model has no %s signature", export.DefaultSignature))
	}
	if _, ok := sig.Outputs[export.OutputProbability]; !ok {
		if _, gan := sig.Outputs[export.OutputImages]; gan {
			return nil, usageError(errors.New("the model is a GAN's generator: predict classifies; draw images with tfrun generate"))
		}
		return nil, usageError(fmt.Errorf("the model's %s signature has no %q output: not a classifier tfrun exported", export.DefaultSignature, export.OutputProbability))
	}
	text, isText := sig.Inputs[export.InputText]
	img, isImage := sig.Inputs[export.InputImages]
	switch {
	case images && isImage && img.DType == tf.Uint8:
		dims, err := img.Shape.ToSlice()
		if err != nil || len(dims) != 4 || dims[1] < 1 || dims[2] < 1 || (dims[3] != 1 && dims[3] != 3) {
			return nil, usageError(fmt.Errorf("the model takes images of shape %v: want [batch, height, width, 1 or 3]", img.Shape))
		}
		return &predictor{p: p, images: true, h: int(dims[1]), w: int(dims[2]), c: int(dims[3])}, nil
	case !images && isText && text.DType == tf.String:
		return &predictor{p: p}, nil
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
	err   string // why it cannot be classified, found while reading it
}

// inputSource yields the inputs; ok false at the end.
type inputSource interface {
	next() (in input, ok bool, err error)
}

type argInputs struct{ args []string }

func (a *argInputs) next() (input, bool, error) {
	if len(a.args) == 0 {
		return input{}, false, nil
	}
	in := input{value: a.args[0]}
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
	Line          int        `json:"line,omitempty"`
	Probability   *float32j  `json:"probability,omitempty"`
	Label         *string    `json:"label,omitempty"`
	ClassID       *int64     `json:"class_id,omitempty"`
	Probabilities []float32j `json:"probabilities,omitempty"`
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
		results, err := pr.classify(chunk)
		if err != nil {
			return failed, total, err
		}
		for _, r := range results {
			if r.Error != "" {
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

// classify runs one batch: inputs that fail their check get an error result, the others
// one run of the signature.
func (pr *predictor) classify(inputs []input) ([]*result, error) {
	results := make([]*result, len(inputs))
	var ok []int
	var texts []string
	var pixels []uint8
	for i, in := range inputs {
		v := in.value
		r := &result{Line: in.line, Error: in.err}
		switch {
		case pr.images:
			r.Image = &v
			if r.Error != "" {
				break
			}
			if px, err := readImage(v, pr.h, pr.w, pr.c); err != nil {
				r.Error = err.Error()
			} else {
				pixels = append(pixels, px...)
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
	name := export.InputText
	if pr.images {
		name = export.InputImages
		feed, err = graphs.NewTensor(pixels, int64(len(ok)), int64(pr.h), int64(pr.w), int64(pr.c))
	} else {
		feed, err = tf.NewTensor(texts)
	}
	if err != nil {
		return nil, err
	}
	out, err := pr.p.Run(export.DefaultSignature, map[string]*tf.Tensor{name: feed})
	if err != nil {
		return nil, err
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
