package configs

// Supervised is the section of task classifier: a model trained on labelled data with
// Keras's Model.compile and Model.fit, a classifier or (with a regression loss) a
// regressor.
type Supervised struct {
	// Model is the model: a keras.Sequential stack, or a functional graph. Required.
	Model Model `mapstructure:"model" tfrun:"required"`
	// Train holds the arguments of Keras's Model.compile and Model.fit. Required.
	Train Train `mapstructure:"train" tfrun:"required"`
}

func init() {
	RegisterKind(Kind{
		Name: TaskClassifier,
		New: func() Section {
			s := &Supervised{}
			s.Train.setDefaults()
			return s
		},
	})
}

// Supervised returns the config's section if its task is classifier, else nil.
func (c *Config) Supervised() *Supervised {
	s, _ := c.Section.(*Supervised)
	return s
}

// decoded resolves layer reuse and sets the defaults that depend on what was given.
func (s *Supervised) decoded(raw map[string]any) {
	s.Model.resolveReuse()
	if train, ok := raw["train"].(map[string]any); ok && s.Train.Loss.Regression() {
		if _, given := train["metrics"]; !given {
			s.Train.Metrics = []string{} // Keras's default: a regression has no accuracy to default to
		}
	}
	for _, ms := range [][]string{s.Train.Metrics, s.Train.WeightedMetrics} { // Keras takes "auc" as well as "AUC"
		for i, m := range ms {
			if canon, ok := canonical(m, MetricNames()); ok {
				ms[i] = canon
			}
		}
	}
}

// setPerOutput keeps the train keys given by output name (see outputArgs).
func (s *Supervised) setPerOutput(po PerOutput) { s.Train.PerOutput = po }

// setTopK keeps the k of each top-k metric given with arguments (see metricArgs).
func (s *Supervised) setTopK(k map[string]int) { s.Train.topK = k }

// Validate checks the model, the training and their consistency with the data.
func (s *Supervised) Validate(c *Config) error {
	ch := &checker{file: c.File}
	s.Train.dataValidates = c.Data.Own() && c.Data.ValidationSplit > 0
	s.Train.ownData = c.Data.Own()
	if err := ch.compileOutputs(&s.Model, &s.Train); err != nil {
		return err
	}
	if err := ch.dataIOFitsModel(&c.Data, &s.Model); err != nil {
		return err
	}
	s.Model.multiIO = len(c.Data.Outputs) > 0
	if s.Model.multiIO {
		// Several inputs and outputs by name: the graph's shapes from data.inputs; each
		// output's loss and labels are checked against the data when it is read.
		if err := ch.model(&s.Model); err != nil {
			return err
		}
		if err := ch.multiIOShapes(&c.Data, &s.Model); err != nil {
			return err
		}
		return ch.train(&s.Train)
	}
	if err := ch.model(&s.Model); err != nil {
		return err
	}
	if err := ch.train(&s.Train); err != nil {
		return err
	}
	return ch.classifierConsistency(c)
}

// ModelDefinition is the model's layers (see canonicalModel).
func (s *Supervised) ModelDefinition() map[string]any {
	if len(s.Model.Layers) == 0 {
		return nil
	}
	return map[string]any{"model": canonicalModel(&s.Model)}
}

// estimateMemory collects the model's terms (see memoryWalk).
func (s *Supervised) estimateMemory(m *memoryWalk, c *Config, limit int) error {
	return m.supervised(c, s, limit)
}

func (s *Supervised) batchKey() string { return "train.batch_size" }
