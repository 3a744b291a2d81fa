package tfrun

import (
	"errors"
	"fmt"
	"slices"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/export"
	"github.com/tfrun/tfrun/layers"
	"github.com/tfrun/tfrun/plots"
)

// ErrNotCompiled: the model was used before Compile.
var ErrNotCompiled = errors.New("the model is not compiled: call Compile first")

// ErrNotBuilt: the model was asked for what only a built model has (its summary) before
// Build, Fit, Evaluate or Predict gave it its input's shape.
var ErrNotBuilt = errors.New("the model is not built: call Build, Fit, Evaluate or Predict first")

// Model is a Keras model: its definition (a configs.Model, the YAML's model section),
// what Compile set, and once built its graph, session and weights. A Model is not safe
// for concurrent use. Close releases its TensorFlow session.
type Model struct {
	name     string
	def      configs.Model
	compiled *compiled
	cfg      *configs.Config // the config LoadConfig read; nil for a model built in Go

	c        *classifier.Classifier // the built graph; nil before Build
	in       []int                  // the input's example shape, once built
	ints     bool                   // the input is token ids
	labels   int                    // labels per example the graph was built for (1: one)
	adapted  bool                   // Fit adapted the Normalization layers
	weighted bool                   // the graph weighs examples (Data.SampleWeight, a config's weights)

	mo    *classifier.MultiOutput // the built graph of a model of several inputs or outputs
	moSig string                  // the examples it was built for (signature)
	moIO  export.ArraysIO         // their shapes, which Export serves
}

// Sequential returns a keras.Sequential model of the layers, in order. The first error a
// layer's making met is returned, naming the layer as layers[i].
func Sequential(ls ...layers.Layer) (*Model, error) {
	if len(ls) == 0 {
		return nil, fmt.Errorf("sequential: no layers")
	}
	m := &Model{}
	for i, l := range ls {
		c, err := l.Config()
		if err != nil {
			return nil, fmt.Errorf("sequential: layers[%d]: %w", i, err)
		}
		if spec := c.Spec(); spec.Merge {
			return nil, fmt.Errorf("sequential: layers[%d] (%s): a merge layer takes several tensors: it belongs in a functional model", i, c.Type)
		}
		m.def.Layers = append(m.def.Layers, c)
	}
	return m, nil
}

// Definition returns the model's definition, the YAML's model section (a copy).
func (m *Model) Definition() configs.Model {
	d := m.def
	d.Layers = make([]configs.Layer, len(m.def.Layers))
	for i := range m.def.Layers {
		d.Layers[i] = m.def.Layers[i].Clone()
	}
	return d
}

// config is the run config the model is: task classifier, its layers, what Compile set
// and the fit's schedule (train); for a loaded model its config with those changes (its
// data, precision and name stay, so its fingerprint is the config's).
func (m *Model) config(train configs.Train) *configs.Config {
	t := train
	t.Loss, t.Optimizer = m.compiled.loss, m.compiled.optimizer
	t.Metrics, t.WeightedMetrics = m.compiled.metrics, m.compiled.weightedMetrics
	cfg := &configs.Config{Name: m.name, Task: configs.TaskClassifier}
	if m.cfg != nil {
		c := *m.cfg
		cfg = &c
	}
	cfg.Seed = m.compiled.seed
	if cfg.Checkpoint.Keep == 0 {
		cfg.Checkpoint = configs.Checkpoint{Every: 15, Keep: 5} // a config's defaults
	}
	cfg.Section = &configs.Supervised{Model: m.Definition(), Train: t}
	if cfg.Name == "" {
		cfg.Name = "sequential"
	}
	if m.cfg == nil && m.weighted {
		cfg.Data.SampleWeight = "sample_weight" // weighs the loss as a CSV's sample_weight column does
	}
	if m.cfg == nil {
		for i := 1; i < m.labels; i++ { // the data's label columns, as a CSV's (configs.Data.LabelWidth)
			if i == 1 {
				cfg.Data.Label = configs.Columns{"y_0"}
			}
			cfg.Data.Label = append(cfg.Data.Label, fmt.Sprintf("y_%d", i))
		}
	}
	return cfg
}

// train is the train section Fit starts from: the loaded config's, or Keras's fit
// defaults.
func (m *Model) train() configs.Train {
	if m.cfg != nil {
		return m.cfg.Supervised().Train
	}
	return configs.Train{Epochs: 1, BatchSize: defaultBatchSize, Shuffle: true}
}

// Build builds the model's graph for examples like x's (their shape and type; x may hold
// no values) and draws its weights from the compile seed (Keras's model.build). Fit,
// Evaluate and Predict build a model that is not built yet; a built model refuses data of
// another shape or type.
//
// A model is built to weigh examples (Data.SampleWeight) when the data it is first built
// for has weights, or its config weighs them (class_weight, sample_weight); data with
// weights is refused by a model built without.
func (m *Model) Build(x Array) error {
	if m.multi() {
		return fmt.Errorf("build: a model of several inputs or outputs is built by Fit or Evaluate, which know its labels' shapes")
	}
	return m.build(x, 1, defaultBatchSize, false)
}

// build is Build for labels labels per example, choosing the layers' forms (the LSTM's)
// for batches of batchSize.
func (m *Model) build(x Array, labels, batchSize int, weighted bool) error {
	if m.compiled == nil {
		return ErrNotCompiled
	}
	ints := x.Ints != nil
	if m.c != nil {
		if !slices.Equal(m.in, x.Shape) || m.ints != ints {
			return fmt.Errorf("the model was built for examples of shape %v (%s), got %v (%s)", m.in, kind(m.ints), x.Shape, kind(ints))
		}
		if labels != m.labels && labels > 0 {
			return fmt.Errorf("the model was built for %d labels per example, got %d", m.labels, labels)
		}
		if weighted && !m.weighted {
			return fmt.Errorf("the model was built without sample weights, the data has them (give SampleWeight to the first Fit, or Compile again)")
		}
		return nil
	}
	for _, d := range x.Shape {
		if d <= 0 {
			return fmt.Errorf("build: input shape %v: every dimension must be > 0", x.Shape)
		}
	}
	m.labels = max(labels, 1)
	m.weighted = weighted || (m.cfg != nil && m.cfg.Weighted())
	t := m.train()
	t.BatchSize = batchSize
	cfg := m.config(t)
	c, err := classifier.FromConfig(cfg, builders.Shape(slices.Clone(x.Shape)), ints, m.compiled.seed, m.compiled.threads)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	m.c, m.in, m.ints, m.adapted = c, slices.Clone(x.Shape), ints, false
	return nil
}

func kind(ints bool) string {
	if ints {
		return "int32 token ids"
	}
	return "float32"
}

// Summary is Keras's model.summary(): the layers, their output shapes and weight counts.
func (m *Model) Summary() (string, error) {
	if m.mo != nil {
		return m.mo.Model.Summary(), nil
	}
	if m.c == nil {
		return "", ErrNotBuilt
	}
	return m.c.Model.Summary(), nil
}

// PlotModel draws the model's graph to path, as keras.utils.plot_model(model, to_file=path,
// show_shapes=True): a box per layer (name, class, input and output shapes; a shared
// layer once, each input an InputLayer), an arrow per tensor from layer to layer, the
// inputs at the top. path's extension picks the format: .svg, a picture tfrun draws
// itself; .dot, Graphviz's DOT, which plot_model renders through (dot -Tpng model.dot -o
// model.png). Fit with RunDir writes both, as model.svg and model.dot.
func (m *Model) PlotModel(path string) error {
	if m.c == nil {
		return ErrNotBuilt
	}
	return plots.WriteModelGraph(path, builders.PlotGraph(m.c.Model))
}

// Close releases the model's TensorFlow session (its weights go with it).
func (m *Model) Close() error {
	return m.release()
}

// release closes the built graph's session, if any.
func (m *Model) release() error {
	var err error
	if m.mo != nil {
		err = m.mo.Close()
		m.mo, m.moSig = nil, ""
	}
	if m.c == nil {
		return err
	}
	if e := m.c.Close(); err == nil {
		err = e
	}
	m.c = nil
	return err
}
