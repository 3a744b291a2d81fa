package export

import (
	"errors"
	"os"
	"path/filepath"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/graphs"
)

// VocabularyFile is the vocabulary a text classifier's run writes: <run dir>/vocabulary.json.
func VocabularyFile(runDir string) string { return filepath.Join(runDir, "vocabulary.json") }

func init() { registerKind(configs.TaskClassifier, buildClassifier) }

// buildClassifier compiles the classifier cfg describes (classifier.FromConfig, the graph
// training used) and adds its serving signatures beside the training path:
//
//   - text (IMDB): serving_default takes raw text [batch] string through the in-graph
//     tokenizer (TextTokenizer); token_ids takes the padded ids [batch, maxlen] int32;
//     tokenize returns the ids of raw text;
//   - images: serving_default takes uint8 pixels [batch, h, w, c]; float_images float32
//     pixels in [0, 255]; both scaled in-graph as training scaled them (ScaleToTanh).
//
// Every one returns probability, class_id and label (and probabilities when the model has
// more than one output).
func buildClassifier(m *Model, runDir string, threads int) error {
	cfg := m.Config
	if cfg.Supervised().Model.MultiIO() {
		return buildMultiIO(m, runDir, threads)
	}
	if cfg.Data.Own() {
		return buildOwnClassifier(m, runDir, threads)
	}
	data, ok := builtins[cfg.Data.Dataset]
	if !ok {
		return errorf("building", cfg.File, ErrUnsupported, "data.dataset %q: export knows the inputs of imdb, mnist, fashion_mnist and cifar10", cfg.Data.Dataset)
	}
	names := func(n int) []string { return classNames(cfg.Data.Dataset, n) }
	if data.image == nil {
		return buildTextClassifier(m, runDir, threads, names)
	}
	return buildImageClassifier(m, data.image, ScaleToTanh, names, threads)
}

// buildImageClassifier is buildClassifier for an image classifier taking images of shape
// [height, width, channels], scaled in-graph by scale as training scaled them, its classes
// named by names.
func buildImageClassifier(m *Model, shape builders.Shape, scale func(*graphs.Scope, tf.Output) tf.Output, names func(int) []string, threads int) error {
	cfg := m.Config
	c, err := classifier.FromConfig(servingConfig(cfg), shape, false, cfg.Seed, threads)
	if err != nil {
		return err
	}
	m.adopt(c.Graph(), c.Session(), c.Close)
	m.Kind = KindImageClassifier
	ss := c.Graph().Root().Sub("serving")
	dims := append([]int64{-1}, shape.Int64s()...)
	images := ss.Placeholder("images", tf.Uint8, dims...)
	floats := op.PlaceholderWithDefault(ss.Op("float_images"), op.Cast(ss.Op("Cast"), images, tf.Float), tf.MakeShape(dims...))
	out := classifierHead(ss, c.Model, scale(ss, floats), names)
	m.sigs[DefaultSignature] = &signature{inputs: map[string]tf.Output{InputImages: images}, outputs: out}
	m.sigs[FloatImagesSignature] = &signature{inputs: map[string]tf.Output{InputImages: floats}, outputs: out}
	return ss.Err()
}

// buildTextClassifier is buildClassifier for a text classifier (IMDB or a text_directory):
// the run's vocabulary, checked against the config, and the in-graph tokenizer.
func buildTextClassifier(m *Model, runDir string, threads int, names func(int) []string) error {
	cfg := m.Config
	path := VocabularyFile(runDir)
	vocab, err := datasets.LoadVocabulary(path)
	if errors.Is(err, os.ErrNotExist) {
		return errorf("building", path, ErrNoRunFile, "missing: a text classifier's run writes it when it loads the data (is %s the run directory of %s?)", runDir, cfg.File)
	}
	if err != nil {
		return err
	}
	if vocab.NumWords() != cfg.Data.NumWords {
		return errorf("building", path, ErrNoRunFile, "num_words is %d, %s says data.num_words: %d: the vocabulary is another run's", vocab.NumWords(), cfg.File, cfg.Data.NumWords)
	}
	tok := &TextTokenizer{Vocabulary: vocab, Maxlen: cfg.Data.Maxlen}
	if err := tok.Check(); err != nil {
		return err
	}
	c, err := classifier.FromConfig(servingConfig(cfg), builders.Shape{cfg.Data.Maxlen}, true, cfg.Seed, threads)
	if err != nil {
		return err
	}
	m.adopt(c.Graph(), c.Session(), c.Close)
	m.Kind = KindTextClassifier
	ss := c.Graph().Root().Sub("serving")
	table, fill := tok.Table(ss)
	text := ss.Placeholder("text", tf.String, -1)
	encoded := tok.Encode(ss, table, text)
	ids := op.PlaceholderWithDefault(ss.Op("token_ids"), encoded, tf.MakeShape(-1, int64(cfg.Data.Maxlen)))
	out := classifierHead(ss, c.Model, ids, names)
	m.sigs[DefaultSignature] = &signature{inputs: map[string]tf.Output{InputText: text}, outputs: out}
	m.sigs[TokenIDsSignature] = &signature{inputs: map[string]tf.Output{InputTokenIDs: ids}, outputs: out}
	m.sigs[TokenizeSignature] = &signature{inputs: map[string]tf.Output{InputText: text}, outputs: map[string]tf.Output{OutputTokenIDs: encoded}}
	m.init = fill
	return ss.Err()
}

// servingConfig is cfg compiled for serving: as for batch size 1, so that an LSTM uses the
// fused kernel (builders.LSTMImplementationFor) rather than the unrolled cell large training
// batches get, which builds in a fraction of the time and serves small batches faster. The
// weights are the same; the batch size is not part of the model's fingerprint.
//
// Every LSTM is set to implementation: fused (BlockLSTMV2, the unrolled cell outside
// float32), whatever the config names or autotuning would measure: the SavedModel keeps
// TensorFlow's standard ops, never tfrun's cell kernels.
func servingConfig(cfg *configs.Config) *configs.Config {
	c, s := *cfg, *cfg.Supervised()
	s.Train.BatchSize = 1
	s.Model.Layers = make([]configs.Layer, len(s.Model.Layers))
	for i := range s.Model.Layers {
		l := cfg.Supervised().Model.Layers[i].Clone()
		for _, x := range []*configs.Layer{&l, l.Wrapped()} {
			if x != nil && x.Type == configs.LayerLSTM {
				if err := x.Set("implementation", builders.LSTMFused); err != nil {
					panic(err) // unreachable: LSTM has the argument
				}
			}
		}
		s.Model.Layers[i] = l
	}
	c.Section = &s
	return &c
}

// classifierHead calls the model in inference mode on x and names what it predicts: for a
// sigmoid output [batch, 1], probability (of class 1) and class_id (probability > 0.5, as
// Keras's binary accuracy decides); for a softmax output [batch, k], probabilities, the
// predicted class_id (argmax) and its probability; and the class's label.
func classifierHead(s *graphs.Scope, model builders.Model, x tf.Output, names func(classes int) []string) map[string]tf.Output {
	prob, _ := model.Call(x, false)
	hs := s.Sub("head")
	if !hs.Ok(prob) {
		return nil
	}
	return classHead(hs, prob, model.OutputShape()[0], names)
}

// classHead is classifierHead's outputs of the probabilities prob: [batch, 1] from a
// sigmoid (classes 1), [batch, classes] from a softmax.
func classHead(hs *graphs.Scope, prob tf.Output, classes int, names func(classes int) []string) map[string]tf.Output {
	out := map[string]tf.Output{}
	if classes == 1 {
		p := op.Squeeze(hs.Op("Squeeze"), prob, op.SqueezeAxis([]int64{1}))
		out[OutputProbability] = p
		out[OutputClassID] = op.Cast(hs.Op("Cast"), op.Greater(hs.Op("Greater"), p, hs.Const(float32(0.5))), tf.Int64)
		classes = 2
	} else {
		out[OutputProbabilities] = prob
		out[OutputClassID] = op.ArgMax(hs.Op("ArgMax"), prob, hs.Const(int32(1)), op.ArgMaxOutputType(tf.Int64))
		out[OutputProbability] = op.Max(hs.Op("Max"), prob, hs.Const(int32(1)))
	}
	out[OutputLabel] = op.GatherV2(hs.Op("GatherV2"), hs.Const(names(classes)), out[OutputClassID], hs.Const(int32(0)))
	return out
}
