package importer

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/kerasfile"
)

// spec is how an imported model is fed, as a run of tfrun's: the data section its input
// calls for, and its loss.
type spec struct {
	shape   []int
	ids     bool   // the input is token ids
	data    string // the data section's YAML
	loss    string
	classes bool // a classifier (class_names.json), not a regression
	multi   bool // several inputs or outputs, by name (data.inputs, data.outputs)
}

// runSpec chooses the data section for m's one input, which tells export and predict how
// to feed it: a vector of numbers is a CSV's feature columns (serving_default takes
// features, float32 [batch, n]; normalize: false, the model gets the values as given),
// an image [height, width, 1|3|4] an image folder (images, uint8, scaled to [0, 1] in the
// graph as data.scale unit says), token ids [maxlen] a text folder. The paths are
// placeholders for a run that trains the imported model further.
func runSpec(m *kerasfile.Model) (spec, error) {
	if len(m.Inputs) != 1 || len(m.Outputs) != 1 {
		return multiSpec(m)
	}
	in := m.Inputs[0]
	s := spec{shape: []int(in.Shape), ids: in.DType == configs.DTypeInt32}
	s.loss, s.classes = loss(m, m.Outputs[0])
	switch {
	case s.ids && len(in.Shape) == 1:
		words := 0
		for _, l := range m.Layers {
			if l.Class == configs.LayerEmbedding {
				words = l.Config.Int("input_dim")
				break
			}
		}
		if words < 1 {
			return spec{}, fmt.Errorf("%s: %w: token ids in but no Embedding to tell num_words", m.File, ErrNotImportable)
		}
		s.data = fmt.Sprintf("  format: text_directory\n  path: texts\n  num_words: %d\n  maxlen: %d\n", words, in.Shape[0])
	case !s.ids && len(in.Shape) == 1:
		cols := make([]string, in.Shape[0])
		for i := range cols {
			cols[i] = fmt.Sprintf("x%d", i)
		}
		s.data = fmt.Sprintf("  format: csv\n  path: data.csv\n  label: y\n  feature_columns: [%s]\n  normalize: false\n", strings.Join(cols, ", "))
	case !s.ids && len(in.Shape) == 3 && (in.Shape[2] == 1 || in.Shape[2] == 3 || in.Shape[2] == 4):
		mode := map[int]string{1: configs.ColorModeGrayscale, 3: configs.ColorModeRGB, 4: configs.ColorModeRGBA}[in.Shape[2]]
		s.data = fmt.Sprintf("  format: image_directory\n  path: images\n  image_size: [%d, %d]\n  color_mode: %s\n", in.Shape[0], in.Shape[1], mode)
	default:
		return spec{}, fmt.Errorf("%s: %w: input of shape %v (%s): a run directory holds models of a vector of numbers, token ids, or images [height, width, 1, 3 or 4] for now", m.File, ErrNotImportable, []int(in.Shape), in.DType)
	}
	return s, nil
}

// multiSpec is runSpec for a model of several inputs or outputs: a CSV's columns feed each
// input (a vector of numbers), a label column each output (data.inputs, data.outputs),
// as tfrun trains such a model.
func multiSpec(m *kerasfile.Model) (spec, error) {
	s := spec{multi: true}
	var b strings.Builder
	b.WriteString("  format: csv\n  path: data.csv\n  normalize: false\n  inputs:\n")
	for _, in := range m.Inputs {
		if in.DType != configs.DTypeFloat32 || len(in.Shape) != 1 {
			return spec{}, fmt.Errorf("%s: %w: input %s of shape %v (%s): a run directory holds a model of several inputs when each is a vector of numbers (a CSV's columns) for now", m.File, ErrNotImportable, in.Name, []int(in.Shape), in.DType)
		}
		cols := make([]string, in.Shape[0])
		for i := range cols {
			cols[i] = fmt.Sprintf("%s_%d", in.Name, i)
		}
		fmt.Fprintf(&b, "    %s: [%s]\n", in.Name, strings.Join(cols, ", "))
	}
	b.WriteString("  outputs:\n")
	var losses []string
	for _, out := range m.Outputs {
		fmt.Fprintf(&b, "    %s: %s_label\n", out, out)
		l, _ := loss(m, out)
		losses = append(losses, out+": "+l)
	}
	s.data = b.String()
	s.loss = "{" + strings.Join(losses, ", ") + "}"
	return s, nil
}

// loss is the model's compile loss if Keras saved one, else the loss its output's
// activation suits: softmax sparse_categorical_crossentropy, sigmoid binary_crossentropy,
// anything else mean_squared_error (a regression).
func loss(m *kerasfile.Model, output string) (string, bool) {
	name := m.Loss
	if name == "" {
		switch outputActivation(m, output) {
		case configs.ActivationSoftmax:
			name = "sparse_categorical_crossentropy"
		case configs.ActivationSigmoid:
			name = "binary_crossentropy"
		default:
			name = "mean_squared_error"
		}
	}
	spec := configs.LookupLoss(name)
	if spec == nil {
		return "mean_squared_error", false
	}
	return spec.Name, spec.Labels != configs.LabelsReal
}

// outputActivation is the activation of m's output layer ("" when it has none).
func outputActivation(m *kerasfile.Model, out string) string {
	for _, l := range m.Layers {
		if l.Name != out {
			continue
		}
		cfg := l.Config
		switch {
		case l.Class == configs.LayerSoftmax:
			return configs.ActivationSoftmax
		case cfg.Spec() != nil:
			if _, ok := cfg.Spec().Arg("activation"); ok {
				return cfg.String("activation")
			}
		}
	}
	return ""
}

// configYAML is the run config of an imported model, written into the run directory dir:
// its train.initial_weights is dir, so that a run of the config (its data set) fine-tunes
// the imported weights, as Keras's load_model(...).fit(...) does, instead of starting
// from the initializers.
func configYAML(m *kerasfile.Model, name, dir string, s spec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Imported by tfrun import from %s (Keras %s).\n", m.File, m.KerasVersion)
	b.WriteString("# The data paths are placeholders: set them to train the model further (from its weights).\n")
	fmt.Fprintf(&b, "name: %s\ntask: classifier\nseed: 42\n\ndata:\n%s\n", name, s.data)
	b.WriteString(m.ModelYAML())
	fmt.Fprintf(&b, "\ntrain:\n  # A run of this config starts from the imported weights (a path relative to the\n  # working directory, as tfrun import was given it).\n  initial_weights: %s\n", quoteYAML(filepath.Clean(dir)))
	fmt.Fprintf(&b, "  epochs: 1\n  batch_size: 32\n  loss: %s\n  optimizer: {type: Adam}\n", s.loss)
	return b.String()
}

// quoteYAML is path as a YAML scalar: as it is when plain, else double-quoted.
func quoteYAML(path string) string {
	for _, r := range path {
		if !(r == '/' || r == '.' || r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return strconv.Quote(path)
		}
	}
	return path
}
