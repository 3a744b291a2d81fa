package tfrun

import (
	"context"
	"fmt"
	"maps"

	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
)

// LoadConfig reads a YAML run config of task classifier (configs.Load: strict, every
// default Keras's) into a compiled Model: its model section is the model's definition,
// its train section the compile settings (loss, optimizer, metrics; the config's seed and
// precision) and Fit's defaults (epochs, batch size, shuffle, callbacks, fit arguments),
// which Fit's options override. opts are applied over the config's compile settings
// (Threads(1), ...). A run directory of the model is one of the config's: Fit with RunDir
// and Resume continues a run of bin/tfrun, and bin/tfrun -resume one of Fit's.
func LoadConfig(path string, opts ...CompileOption) (*Model, error) {
	cfg, err := configs.Load(path)
	if err != nil {
		return nil, err
	}
	sup := cfg.Supervised()
	if sup == nil {
		return nil, fmt.Errorf("%s: task %q: the Go API trains task %s configs", path, cfg.Task, configs.TaskClassifier)
	}
	m := &Model{name: cfg.Name, def: sup.Model, cfg: cfg}
	c := &compiled{loss: sup.Train.Loss, optimizer: sup.Train.Optimizer, metrics: sup.Train.Metrics, metricsGiven: true,
		weightedMetrics: sup.Train.WeightedMetrics, seed: cfg.Seed}
	if p := sup.Train.PerOutput; sup.Model.MultiIO() { // loss, loss_weights and metrics by output name
		if p.WeightedMetrics != nil {
			return nil, fmt.Errorf("%s: train.weighted_metrics by output name: the Go API does not take it yet (bin/tfrun does)", path)
		}
		c.outputLosses, c.lossWeights, c.outputMetrics = maps.Clone(p.Losses), maps.Clone(p.LossWeights), maps.Clone(p.Metrics)
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, fmt.Errorf("%s: compile: %w", path, err)
		}
	}
	m.compiled = c
	return m, nil
}

// Config returns the config the model was loaded from (LoadConfig), nil for a model
// built in Go. Changing it changes nothing; load a changed copy with configs' types.
func (m *Model) Config() *configs.Config { return m.cfg }

// Splits are a config's data as Fit and Evaluate take them: Train to fit, Validation
// (data.validation_split; empty without one) and Test (the test split, or what
// metrics.json's test evaluation runs on: bin/tfrun's test_data).
type Splits struct {
	Train, Validation, Test Data
	// ClassNames are own data's classes in label order (nil for a built-in data set or a
	// regression).
	ClassNames []string
	// OutputClassNames are, for a model fed by name (data.inputs, data.outputs), each
	// classification output's classes in label order (a regression output has none).
	OutputClassNames map[string][]string
}

// LoadData loads the data of the model's config as bin/tfrun does (classifier.LoadSplits):
// a built-in data set found in dataDir (or where datasets.Locate looks), or the config's own
// files, split and prepared as the config says (a CSV's features normalized with the
// training rows' statistics). limit > 0 keeps the first limit examples of each split.
// Files the data needs later (vocabulary.json, class_names.json, normalization.json) go
// to outDir ("" for none). Image folders must fit in memory (data.cache). A model fed by
// name (data.inputs, data.outputs) gets each split's Inputs and Outputs by name, as
// bin/tfrun reads its CSV (classifier.LoadMultiSplits), and OutputClassNames.
func (m *Model) LoadData(ctx context.Context, dataDir, outDir string, limit int) (*Splits, error) {
	if m.cfg == nil {
		return nil, fmt.Errorf("load data: the model has no config (LoadConfig)")
	}
	if sup := m.cfg.Supervised(); sup != nil && sup.Model.MultiIO() {
		return m.loadNamedData(outDir, limit)
	}
	s, err := classifier.LoadSplits(ctx, m.cfg, dataDir, outDir, limit, m.compiled.seed)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	out := &Splits{ClassNames: s.ClassNames}
	for _, p := range []struct {
		name string
		ds   *classifier.Dataset
		to   *Data
	}{{"train", s.Train, &out.Train}, {"validation", s.Validation, &out.Validation}, {"test", s.Test, &out.Test}} {
		if p.ds == nil {
			continue
		}
		if *p.to, err = fromDataset(p.ds); err != nil {
			return nil, fmt.Errorf("%s: %s data: %w", m.cfg.File, p.name, err)
		}
	}
	return out, nil
}

// fromDataset is a classifier data set in memory as Data.
func fromDataset(ds *classifier.Dataset) (Data, error) {
	if ds.Streamed() {
		return Data{}, fmt.Errorf("streamed from disk: the Go API takes data in memory (data.cache: true)")
	}
	d := Data{X: Array{Shape: []int(ds.Shape), Floats: ds.Floats, Ints: ds.Ints}, Y: Floats(ds.Labels), SampleWeight: ds.Weights}
	if ds.LabelWidth > 1 {
		d.Y.Shape = []int{ds.LabelWidth}
	}
	return d, nil
}

// LoadDataset loads a built-in data set as a config's data section names it (Dataset:
// configs.DatasetIMDB with NumWords and Maxlen, as keras.datasets.imdb.load_data and
// pad_sequences; DatasetMNIST, DatasetFashionMNIST, DatasetCIFAR10 as pixels in [-1, 1]),
// from dataDir or where datasets.Locate looks, the first limit examples of each split
// (limit <= 0: all). It is what bin/tfrun loads for such a config.
func LoadDataset(data configs.Data, dataDir string, limit int) (train, test Data, err error) {
	if data.Own() || data.Dataset == "" {
		return Data{}, Data{}, fmt.Errorf("load dataset: %q: not a built-in data set (valid: %s, %s, %s, %s); a config's own data loads with LoadConfig and Model.LoadData",
			data.Dataset, configs.DatasetIMDB, configs.DatasetMNIST, configs.DatasetFashionMNIST, configs.DatasetCIFAR10)
	}
	tr, te, err := classifier.LoadData(&configs.Config{Task: configs.TaskClassifier, Data: data}, dataDir, "", limit)
	if err != nil {
		return Data{}, Data{}, err
	}
	if train, err = fromDataset(tr); err != nil {
		return Data{}, Data{}, err
	}
	if test, err = fromDataset(te); err != nil {
		return Data{}, Data{}, err
	}
	return train, test, nil
}
