package tfrun

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/export"
	"github.com/tfrun/tfrun/graphs"
)

// ErrUnsuitableModel marks an error of a Predictor whose model cannot be fed as asked: it
// has no serving_default signature, is not a classifier, regression or model of named
// inputs that tfrun exported (a GAN's generator), or takes another kind of input than the
// call gives (PredictTexts on an image classifier).
var ErrUnsuitableModel = errors.New("model unsuitable for prediction")

// ErrBadInput marks the error of one input that cannot be predicted (text that is not
// UTF-8, an unreadable image, a row of the wrong length, a JSON line without an input):
// Prediction.Err and NamedPrediction.Err wrap it, and the other inputs are still predicted.
var ErrBadInput = errors.New("bad input")

// MaxTextBytes bounds one text, and one line that PredictLines reads.
const MaxTextBytes = 1 << 20

// DefaultPredictBatch is the number of inputs per TensorFlow run when
// PredictorOptions.Batch is 0.
const DefaultPredictBatch = 64

// PredictorInput is what a Predictor's model takes, and so which of its Predict methods
// feeds it.
type PredictorInput int

const (
	// PredictorText is a text classifier's model: PredictTexts, one text per line.
	PredictorText PredictorInput = iota + 1
	// PredictorImages is an image classifier's model: PredictImageFiles, one image file
	// (PNG, JPEG, GIF) per line.
	PredictorImages
	// PredictorFeatures is the model of a classifier or regression on a table's rows:
	// PredictRows, one row of comma-separated feature values per line.
	PredictorFeatures
	// PredictorNamed is a model of named inputs and outputs (a config's data.inputs and
	// data.outputs, or a functional model): PredictNamed, one JSON object of the inputs by
	// name per line.
	PredictorNamed
)

// String is the input's name: text, images, features or named.
func (k PredictorInput) String() string {
	switch k {
	case PredictorText:
		return "text"
	case PredictorImages:
		return "images"
	case PredictorFeatures:
		return "features"
	case PredictorNamed:
		return "named"
	}
	return fmt.Sprintf("PredictorInput(%d)", int(k))
}

// PredictorOptions configure LoadPredictor and RunPredictor.
type PredictorOptions struct {
	// Threads sizes TensorFlow's intra-op pool (0: one per core).
	Threads int
	// Batch is the number of inputs per TensorFlow run (0: DefaultPredictBatch).
	Batch int
}

// Predictor predicts with a trained model's serving_default signature, the one tfrun
// export writes: the classifier of text, images or table rows a config trained (class id,
// probability, label), a regression (its predicted values), or a model of named inputs
// and outputs. The tfrun predict command is one of its clients.
//
// Its Predict methods take Go values; PredictLines and PredictArgs take lines of text and
// write one JSON line per input, as tfrun predict prints them. An input that cannot be
// predicted gets its error (wrapping ErrBadInput) and the others are still predicted.
// A Predictor is not safe for concurrent use.
type Predictor struct {
	p     export.Predictor
	input PredictorInput
	batch int

	// image models: the input's height, width and channels.
	h, w, c int
	// floats: the model has the float_images signature, which takes float32 pixels.
	floats bool
	// load, for a model trained on an image folder (known from its config), reads images
	// as training did: datasets.LoadImage, resized to image_size with color_mode.
	load *datasets.ImageLoadOptions
	// features: a table model's number of features per row.
	features int
	// regression: the model returns predicted values (export.OutputPrediction), not
	// classes.
	regression bool
	// named: a model of named inputs and outputs.
	named *namedPredictor
}

// LoadPredictor loads a SavedModel that tfrun exported (tfrun export, Model.Export):
// modelDir is the SavedModel's directory or the export directory above its versions (the
// highest version is loaded, as TensorFlow Serving does). A directory that holds no
// SavedModel is an error wrapping export.ErrNotSavedModel; a model this type cannot feed
// one wrapping ErrUnsuitableModel. An image model loaded this way reads image files at
// its input's size exactly (RunPredictor reads them as training did).
func LoadPredictor(modelDir string, o PredictorOptions) (*Predictor, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	sm, err := export.Load(modelDir, o.Threads)
	if err != nil {
		return nil, err
	}
	return newPredictor(sm, false, nil, o)
}

// RunPredictor builds the model cfg describes with the weights of one of a run's
// checkpoints, the same signatures tfrun export would write: runDir is the run directory
// (runs/<cfg.Name> when empty) and checkpoint is "latest" (also ""), "best" or "ckpt-N".
// No such checkpoint is an error wrapping checkpoints.ErrNoCheckpoint; a model this type
// cannot feed one wrapping ErrUnsuitableModel. A model trained on an image folder reads
// image files as training read them (resized to data.image_size with data.color_mode).
func RunPredictor(cfg *configs.Config, runDir, checkpoint string, o PredictorOptions) (*Predictor, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if runDir == "" {
		runDir = filepath.Join("runs", cfg.Name)
	}
	m, err := export.Build(cfg, export.Options{RunDir: runDir, Checkpoint: checkpoint, Threads: o.Threads})
	if err != nil {
		return nil, err
	}
	var load *datasets.ImageLoadOptions
	if cfg.Data.Format == configs.FormatImageDirectory {
		l := classifier.ImageLoadOptions(cfg.Data)
		load = &l
	}
	return newPredictor(m, m.Kind == export.KindMultiIO, load, o)
}

func (o PredictorOptions) check() error {
	if o.Threads < 0 || o.Batch < 0 {
		return fmt.Errorf("predictor options: threads %d and batch %d must not be negative", o.Threads, o.Batch)
	}
	return nil
}

// Input is what the model takes: which Predict method feeds it, and what PredictLines
// reads a line as.
func (pr *Predictor) Input() PredictorInput { return pr.input }

// Regression reports whether the model is a regression: its Predictions hold Values, not
// a class.
func (pr *Predictor) Regression() bool { return pr.regression }

// ImageSize is an image model's input height, width and channels (zeros for another
// model).
func (pr *Predictor) ImageSize() (height, width, channels int) { return pr.h, pr.w, pr.c }

// Features is a table model's number of features per row (0 for another model).
func (pr *Predictor) Features() int { return pr.features }

// InputNames are a named model's input names, sorted (nil for another model).
func (pr *Predictor) InputNames() []string {
	if pr.named == nil {
		return nil
	}
	return pr.named.inputNames()
}

// Close releases the model's TensorFlow session.
func (pr *Predictor) Close() error { return pr.p.Close() }

// unsuitable marks err as ErrUnsuitableModel, keeping its message.
func unsuitable(err error) error { return unsuitableErr{err} }

type unsuitableErr struct{ error }

func (e unsuitableErr) Unwrap() []error { return []error{e.error, ErrUnsuitableModel} }

// newPredictor checks that p's serving_default is one a Predictor feeds, and which input
// it takes: raw text (string [batch]), pixels (uint8 [batch, h, w, c]), feature rows
// (float32 [batch, n]), or, named (a run fed by name) or with a signature that is not a
// single-input classifier's, inputs by name. It closes p on an error.
func newPredictor(p export.Predictor, named bool, load *datasets.ImageLoadOptions, o PredictorOptions) (*Predictor, error) {
	pr, err := classifyModel(p, named)
	if err != nil {
		p.Close()
		return nil, err
	}
	pr.load = load
	pr.batch = o.Batch
	if pr.batch == 0 {
		pr.batch = DefaultPredictBatch
	}
	return pr, nil
}

func classifyModel(p export.Predictor, named bool) (*Predictor, error) {
	sig, ok := p.Signatures()[export.DefaultSignature]
	if !ok {
		return nil, unsuitable(fmt.Errorf("the model has no %s signature", export.DefaultSignature))
	}
	if _, gan := sig.Outputs[export.OutputImages]; !gan && (named || !classicSignature(sig)) {
		np, err := newNamedPredictor(p, sig)
		if err != nil {
			return nil, err
		}
		return &Predictor{p: p, input: PredictorNamed, named: np}, nil
	}
	_, regression := sig.Outputs[export.OutputPrediction]
	if _, ok := sig.Outputs[export.OutputProbability]; !ok && !regression {
		if _, gan := sig.Outputs[export.OutputImages]; gan {
			return nil, unsuitable(errors.New("the model is a GAN's generator: predict classifies; draw images with tfrun generate"))
		}
		return nil, unsuitable(fmt.Errorf("the model's %s signature has no %q output: not a classifier tfrun exported", export.DefaultSignature, export.OutputProbability))
	}
	text, isText := sig.Inputs[export.InputText]
	img, isImage := sig.Inputs[export.InputImages]
	feat, isTable := sig.Inputs[export.InputFeatures]
	switch {
	case isImage && img.DType == tf.Uint8:
		dims, err := img.Shape.ToSlice()
		if err != nil || len(dims) != 4 || dims[1] < 1 || dims[2] < 1 || dims[3] < 1 || dims[3] > 4 || dims[3] == 2 {
			return nil, unsuitable(fmt.Errorf("the model takes images of shape %v: want [batch, height, width, 1, 3 or 4]", img.Shape))
		}
		fsig, floats := p.Signatures()[export.FloatImagesSignature]
		floats = floats && fsig.Inputs[export.InputImages].DType == tf.Float
		return &Predictor{p: p, input: PredictorImages, h: int(dims[1]), w: int(dims[2]), c: int(dims[3]), floats: floats}, nil
	case isText && text.DType == tf.String:
		return &Predictor{p: p, input: PredictorText}, nil
	case isTable && feat.DType == tf.Float:
		dims, err := feat.Shape.ToSlice()
		if err != nil || len(dims) != 2 || dims[1] < 1 {
			return nil, unsuitable(fmt.Errorf("the model takes features of shape %v: want [batch, features]", feat.Shape))
		}
		return &Predictor{p: p, input: PredictorFeatures, features: int(dims[1]), regression: regression}, nil
	}
	return nil, unsuitable(fmt.Errorf("the model's %s signature takes %s: not a text or image classifier tfrun exported", export.DefaultSignature, predictorTensors(sig.Inputs)))
}

// predictorTensors lists a signature's tensors as "name dtype[shape]".
func predictorTensors(ts map[string]tf.TensorInfo) string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(ts)) {
		ti := ts[name]
		dims, _ := ti.Shape.ToSlice()
		shape := make([]string, len(dims))
		for i, d := range dims {
			shape[i] = fmt.Sprint(d)
			if d < 0 {
				shape[i] = "None"
			}
		}
		parts = append(parts, fmt.Sprintf("%s %s[%s]", name, graphs.DTypeName(ti.DType), strings.Join(shape, ", ")))
	}
	return strings.Join(parts, ", ")
}
