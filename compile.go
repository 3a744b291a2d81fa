package tfrun

import (
	"fmt"
	"strings"

	"github.com/tfrun/tfrun/configs"
)

// compiled is what Compile records: the train section's loss, optimizer and metrics, and
// the graph's seed and threads.
type compiled struct {
	loss            configs.Loss
	optimizer       configs.Optimizer
	metrics         []string
	metricsGiven    bool
	weightedMetrics []string
	seed            int64
	threads         int

	// a model of several outputs: loss, loss_weights and metrics by output name
	outputLosses  map[string]configs.Loss
	lossWeights   map[string]float64
	outputMetrics map[string][]string
}

// CompileOption is an argument of Compile.
type CompileOption func(c *compiled) error

// DefaultSeed is the seed of a model compiled without Seed: a config's default.
const DefaultSeed = 42

// Loss is Model.compile's loss: a Keras loss by name ("binary_crossentropy", "mse",
// "Huber", ...; configs.LossTypes) with its arguments (Arg("from_logits", true)).
// Default binary_crossentropy.
func Loss(name string, args ...ArgValue) CompileOption {
	return func(c *compiled) error {
		l, err := configs.NewLoss(name)
		if err != nil {
			return fmt.Errorf("loss: %w", err)
		}
		if err := setArgs(&l, "loss "+l.Type, append([]string{}, configs.LookupLoss(l.Type).Args...), args); err != nil {
			return err
		}
		c.loss = l
		return nil
	}
}

// Optimizer is Model.compile's optimizer: a Keras optimizer by class name ("Adam",
// "adam", "SGD", ...; configs.OptimizerTypes) with its arguments
// (Arg("learning_rate", 0.01), Arg("momentum", 0.9)). Default RMSprop.
func Optimizer(typ string, args ...ArgValue) CompileOption {
	return func(c *compiled) error {
		o, err := configs.NewOptimizer(typ)
		if err != nil {
			return fmt.Errorf("optimizer: %w", err)
		}
		spec, _ := configs.LookupOptimizer(o.Type)
		valid := []string{"learning_rate"}
		for _, a := range spec.Args {
			valid = append(valid, a.Key)
		}
		if err := setArgs(&o, "optimizer "+o.Type, valid, args); err != nil {
			return err
		}
		c.optimizer = o
		return nil
	}
}

// Metrics are Model.compile's metrics by Keras's names ("accuracy", "AUC", "mae", ...;
// configs.MetricNames), logged beside the loss. Default [accuracy], none for a
// regression loss.
func Metrics(names ...string) CompileOption {
	return func(c *compiled) error {
		ms, err := canonicalMetrics("metrics", names)
		c.metrics, c.metricsGiven = ms, true
		return err
	}
}

// WeightedMetrics are Model.compile's weighted_metrics.
func WeightedMetrics(names ...string) CompileOption {
	return func(c *compiled) error {
		ms, err := canonicalMetrics("weighted_metrics", names)
		c.weightedMetrics = ms
		return err
	}
}

// Seed seeds the weights' initialisation, dropout and the shuffles of Fit
// (keras.utils.set_random_seed). Default DefaultSeed.
func Seed(seed int64) CompileOption {
	return func(c *compiled) error { c.seed = seed; return nil }
}

// Threads is the number of TensorFlow's intra-op threads (0, the default: TensorFlow's
// choice, one per core).
func Threads(n int) CompileOption {
	return func(c *compiled) error {
		if n < 0 {
			return fmt.Errorf("threads: %d: want >= 0", n)
		}
		c.threads = n
		return nil
	}
}

// canonicalMetrics spells metric names as configs does (Keras takes "auc" as "AUC").
func canonicalMetrics(what string, names []string) ([]string, error) {
	out := []string{}
	for _, n := range names {
		found := ""
		for _, m := range configs.MetricNames() {
			if strings.EqualFold(n, m) {
				found = m
			}
		}
		if found == "" {
			return nil, fmt.Errorf("%s: unknown metric %q (valid: %s)", what, n, strings.Join(configs.MetricNames(), ", "))
		}
		out = append(out, found)
	}
	return out, nil
}

// Compile sets the model's loss, optimizer and metrics (Keras's Model.compile). The graph
// is built by Build, or by the first Fit, Evaluate or Predict, which know the input's shape.
// Compiling again discards a built graph and its weights.
func (m *Model) Compile(opts ...CompileOption) error {
	c := &compiled{seed: DefaultSeed}
	var err error
	if c.loss, err = configs.NewLoss(configs.LossBinaryCrossentropy); err != nil {
		return err
	}
	if c.optimizer, err = configs.NewOptimizer(configs.OptimizerRMSprop); err != nil {
		return err
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return fmt.Errorf("compile: %w", err)
		}
	}
	if len(m.def.Outputs) > 1 && c.metricsGiven && len(c.metrics) > 0 {
		return fmt.Errorf("compile: Metrics %v: a list, but the model has %d outputs (%s); give each output's with OutputMetrics, as Keras 3 requires a mapping",
			c.metrics, len(m.def.Outputs), strings.Join(m.def.Outputs, ", "))
	}
	if !m.multi() && (c.outputLosses != nil || c.lossWeights != nil || c.outputMetrics != nil) {
		return fmt.Errorf("compile: OutputLoss, LossWeights and OutputMetrics are for a model of several inputs or outputs; this one has one of each: use Loss and Metrics")
	}
	if !c.metricsGiven {
		c.metrics = []string{configs.MetricAccuracy}
		if c.loss.Regression() {
			c.metrics = []string{}
		}
	}
	if m.multi() { // the mappings by output name, checked as configs checks a YAML's
		prev := m.compiled
		m.compiled = c
		_, err := m.multiConfig(m.train())
		m.compiled = prev
		if err != nil {
			return fmt.Errorf("compile: %w", err)
		}
	}
	m.release()
	m.compiled = c
	return nil
}
