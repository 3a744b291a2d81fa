package classifier

import (
	"fmt"
	"os"
	"time"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/distributed"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/autotune"
	tfmetrics "github.com/tfrun/tfrun/metrics"
	"github.com/tfrun/tfrun/runner"
)

// Classifier is a compiled Sequential model of task classifier: a classifier (binary,
// or multi-class with integer labels) or, with a regression loss, a regression on
// real-valued targets; one graph holding the model's training path (loss, accuracy if
// any, metrics, optimizer update) and its inference path, in a session.
type Classifier struct {
	Model builders.Model
	Opt   graphs.Optimizer
	// Loss is the compiled loss.
	Loss configs.Loss

	accuracy string // what "accuracy" means for the loss and output; "" for a regression

	graph               *graphs.Graph
	x, y                tf.Output
	w                   tf.Output         // the examples' weights [batch]; unset when nothing is weighted
	weightedLoss        bool              // the loss multiplies each example's by w
	weighted            map[string]string // weighted metrics: log name → metric (resolved accuracy)
	train, advance      *tf.Operation
	trainLoss, trainAcc tf.Output
	evalLoss, evalAcc   tf.Output
	trainMet, evalMet   metricOutputs // the compiled metrics, training and inference
	evalProb            tf.Output
	evalFeatures        tf.Output // the input of the last layer (inference)
	sess                *graphs.Session
	rep                 *replica          // set when training as a replica of a cluster
	kernelForms         map[string]string // see KernelForms
	tuner               *autotune.Tuner   // chose the convolutions' forms; nil: the fixed rules
}

// ClassifierSpec says what to compile.
type ClassifierSpec struct {
	// Model, when set, is the model to train (a Functional); else a Sequential of Layers.
	Model     builders.Model
	Layers    []builders.Layer
	Input     builders.Shape
	IntInput  bool // token ids (int32) rather than float features
	NewOpt    func(s *graphs.Scope) (graphs.Optimizer, error)
	Seed      uint64
	Threads   int
	ModelName string
	// Loss is Model.compile's loss. nil: sparse_categorical_crossentropy on a Dense(k,
	// softmax) output when Categorical, else binary_crossentropy on Dense(1, sigmoid).
	Loss *configs.Loss
	// Categorical selects sparse_categorical_crossentropy on a Dense(k, softmax) output
	// with integer class labels, instead of binary_crossentropy on Dense(1, sigmoid),
	// when Loss is nil.
	Categorical bool
	// Metrics are Model.compile's metrics (configs.Metric* names) that the logs report
	// beside the loss; nil means [accuracy] (a config's default), an empty list none.
	// Accuracy is computed either way (Evaluate, metrics.json).
	Metrics []string
	// TopK is the k of a top-k metric in Metrics (nil: configs.DefaultTopK).
	TopK func(metric string) int
	// Server, if set, makes the classifier one replica of the server's cluster (see
	// replica.go): its session runs on the server, its training steps take their slice
	// of each global batch and all-reduce gradients and metrics, each collective bounded
	// by CollectiveTimeout (0: DefaultCollectiveTimeout). Threads is then the server's.
	Server            *distributed.Server
	CollectiveTimeout time.Duration
	// Autotune chooses the convolutions' kernel forms (graphs.Autotune); nil: the fixed rules.
	Autotune *graphs.Autotune
	// Precision is the Keras dtype policy (configs.Precision*); "" is float32.
	Precision string
	// LabelMode is data.label_mode (configs.LabelMode*), how the class ids fed become
	// the loss's labels: categorical one-hot encodes them, int and binary keep them
	// (shaped (batch, 1) for a one-unit output). "": the loss's own mode, as before
	// label_mode existed (one-hot for an output wider than 1 unless the loss is sparse).
	LabelMode string
	// LabelWidth > 1 feeds that many labels per example, (batch, LabelWidth), as the loss
	// takes them: a CSV's several label columns, multi-label 0/1 targets (one sigmoid per
	// column) or regression targets. 0 or 1: one label per example.
	LabelWidth int
	// Weighted makes the loss weigh each example by a weight fed with its batch
	// (train.class_weight, data.sample_weight): Σ wᵢ·lᵢ / batch size, Keras's reduction.
	Weighted bool
	// LossWeight is train.loss_weights' weight of the one output's loss (Keras multiplies
	// the loss by it before adding the layers' penalties); 0 means 1.
	LossWeight float64
	// WeightedMetrics are Model.compile's weighted_metrics (configs.Metric* names):
	// averaged with the fed weights (Σ w·v / Σ w over the epoch), logged under their
	// name, or weighted_<name> when Metrics lists them too.
	WeightedMetrics []string
}

// metricOutputs are a graph's compiled metrics by log name: the batch means (the
// accuracies, mse, mae) and the additive counts of the stateful ones (AUC, Precision,
// Recall, root_mean_squared_error, r2_score).
type metricOutputs struct {
	names  []string // log names, in compile order
	means  map[string]tf.Output
	counts map[string]tf.Output
}

// targets are what a graph's metrics compare the predictions with: the labels shaped like
// the output (binary: [batch, 1]; k outputs: one-hot [batch, k]; regression: the targets,
// [batch, 1]), and the class ids [batch] as fed.
type targets struct {
	kind   configs.LabelKind // the loss's labels
	width  int               // the output's width
	shaped tf.Output         // labels shaped like the output (unset for sparse labels)
	ids    tf.Output         // the labels as fed, [batch]
}

// accuracy is what Keras's "accuracy" string means for these labels
// (compile_utils.get_metric): binary_accuracy for one output, sparse_categorical_accuracy
// for class ids against k outputs, categorical_accuracy for one-hot labels; "" for a
// regression loss, which has none.
func (t targets) accuracy() string {
	switch {
	case t.kind == configs.LabelsReal:
		return ""
	case t.kind == configs.LabelsSparse:
		return configs.MetricSparseCategoricalAccuracy
	case t.width == 1:
		return configs.MetricBinaryAccuracy
	}
	return configs.MetricCategoricalAccuracy
}

// buildMetrics compiles Keras's metrics on the predictions prob against t; topK gives a
// top-k metric's k (nil: configs.DefaultTopK).
func buildMetrics(s *graphs.Scope, metrics []string, t targets, prob tf.Output, topK func(string) int) (metricOutputs, error) {
	out := metricOutputs{means: map[string]tf.Output{}, counts: map[string]tf.Output{}}
	for _, m := range metrics {
		name := configs.MetricLogName(m)
		ms := s.Sub(name)
		if m == configs.MetricAccuracy {
			m = t.accuracy()
		}
		binary := t.kind != configs.LabelsSparse && t.width == 1
		classes := t.kind == configs.LabelsSparse || t.kind == configs.LabelsOneHot || (t.kind == configs.LabelsBinary && t.width > 1)
		shaped := t.kind != configs.LabelsSparse
		switch {
		case m == configs.MetricSparseCategoricalAccuracy && classes, m == configs.MetricCategoricalAccuracy && classes:
			// With one-hot labels categorical_accuracy compares argmaxes, the same as
			// comparing the prediction's argmax with the class id fed.
			out.means[name] = builders.SparseCategoricalAccuracy(ms, prob, t.ids)
		case configs.IsTopKMetric(m) && classes:
			k := configs.DefaultTopK
			if topK != nil {
				k = topK(m)
			}
			out.means[name] = builders.TopKAccuracy(ms, prob, t.ids, k)
		case m == configs.MetricBinaryAccuracy && binary, m == configs.MetricBinaryAccuracy && t.kind == configs.LabelsBinary && t.shaped.Op != nil:
			out.means[name] = builders.BinaryAccuracy(ms, prob, t.shaped)
		case m == configs.MetricAUC && t.kind == configs.LabelsBinary && t.shaped.Op != nil: // several outputs: flattened, as Keras's AUC()
			out.counts[name] = builders.ConfusionCounts(ms, prob, t.shaped, tfmetrics.AUCThresholds(tfmetrics.AUCThresholdCount))
		case (m == configs.MetricPrecision || m == configs.MetricRecall) && t.kind == configs.LabelsBinary && t.shaped.Op != nil:
			out.counts[name] = builders.ConfusionCounts(ms, prob, t.shaped, []float64{tfmetrics.DefaultThreshold})
		case (m == configs.MetricMeanSquaredError || m == configs.MetricMSE) && shaped:
			out.means[name] = builders.Mean(ms, builders.MeanSquaredError(ms, t.shaped, prob))
		case (m == configs.MetricMeanAbsoluteError || m == configs.MetricMAE) && shaped:
			out.means[name] = builders.Mean(ms, builders.MeanAbsoluteError(ms, t.shaped, prob))
		case m == configs.MetricRootMeanSquaredError && shaped:
			out.counts[name] = builders.SquaredErrorCounts(ms, t.shaped, prob)
		case m == configs.MetricR2Score && shaped:
			out.counts[name] = builders.R2Counts(ms, t.shaped, prob)
		case configs.IsCustomMetric(m):
			yTrue := t.shaped
			if yTrue.Op == nil {
				yTrue = t.ids
			}
			v, _ := builders.CustomMetric(ms, m, yTrue, prob)
			if err := ms.Err(); err != nil {
				return out, assemble.ModelError(err)
			}
			out.means[name] = v
		default:
			return out, assemble.ModelErrorf("metric %q: not one this model's loss can report (valid: %v)", m, configs.MetricNames())
		}
		out.names = append(out.names, name)
	}
	return out, nil
}

// fetches lists the outputs to run: the means, then the counts, each in name order.
func (m metricOutputs) fetches() (outs []tf.Output, means, counts []string) {
	for _, name := range m.names {
		if o, ok := m.means[name]; ok {
			outs, means = append(outs, o), append(means, name)
		}
	}
	for _, name := range m.names {
		if o, ok := m.counts[name]; ok {
			outs, counts = append(outs, o), append(counts, name)
		}
	}
	return outs, means, counts
}

// countedValue is a stateful metric's value from its summed counts.
func countedValue(name string, counts []float64) (float64, error) {
	switch name {
	case configs.MetricLogName(configs.MetricRootMeanSquaredError):
		return builders.RootMeanSquaredErrorValue(counts)
	case configs.MetricLogName(configs.MetricR2Score):
		return builders.R2ScoreValue(counts)
	}
	c, err := tfmetrics.ConfusionFromVector(counts)
	if err != nil {
		return 0, err
	}
	switch name {
	case configs.MetricLogName(configs.MetricAUC):
		return c.ROCAUC(), nil
	case configs.MetricLogName(configs.MetricPrecision):
		return c.Precision(0), nil
	case configs.MetricLogName(configs.MetricRecall):
		return c.Recall(0), nil
	}
	return 0, fmt.Errorf("no stateful metric %q", name)
}

// CountedLogs turns stateful metrics' confusion counts summed over batches into their
// values (runner.CountingModel).
func (c *Classifier) CountedLogs(sums runner.Counts) (runner.Logs, error) {
	logs := runner.Logs{}
	for name, v := range sums {
		x, err := c.counted(name, v)
		if err != nil {
			return nil, err
		}
		logs[name] = x
	}
	return logs, nil
}

// NewClassifier builds the graph (the spec's loss, by default binary cross-entropy on a
// sigmoid output with Keras's binary accuracy, or sparse categorical cross-entropy on a
// softmax output with sparse_categorical_accuracy) and a session with initialised
// variables.
func NewClassifier(spec ClassifierSpec) (*Classifier, error) {
	if spec.Model == nil && len(spec.Layers) == 0 {
		return nil, assemble.ModelError(fmt.Errorf("the model has no layers"))
	}
	g := graphs.NewGraph(tf.Float, spec.Seed)
	g.SetAutotune(spec.Autotune)
	if err := builders.SetPrecision(g, spec.Precision); err != nil {
		return nil, assemble.ModelError(err)
	}
	s := g.Root()
	m := spec.Model
	if m == nil {
		m = builders.NewSequential(spec.ModelName, spec.Layers...)
	}
	if err := m.Build(s, spec.Input); err != nil {
		return nil, assemble.ModelError(err)
	}
	lc := spec.loss()
	loss, err := builders.NewLoss(lc)
	if err != nil {
		return nil, assemble.ModelError(err)
	}
	out := m.OutputShape()
	act := finalActivation(m.OutputLayer())
	if err := checkOutput(lc, spec.LabelMode, spec.LabelWidth, out, act); err != nil {
		return nil, err
	}
	c := &Classifier{graph: g, Model: m, Loss: lc}
	if spec.Server != nil {
		c.rep = newReplica(g, spec.Server, spec.CollectiveTimeout)
	}
	dt := tf.Float
	if spec.IntInput {
		dt = tf.Int32
	}
	c.x = s.Placeholder("x", dt, append([]int64{-1}, spec.Input.Int64s()...)...)
	if spec.LabelWidth > 1 {
		c.y = s.Placeholder("y", tf.Float, -1, int64(spec.LabelWidth))
	} else {
		c.y = s.Placeholder("y", tf.Float, -1)
	}
	if spec.Weighted || len(spec.WeightedMetrics) > 0 {
		c.w = s.Placeholder("sample_weight", tf.Float, -1)
		c.weightedLoss = spec.Weighted
	}
	t, yTrue, err := newTargets(s, lc, spec.LabelMode, spec.LabelWidth, out, c.y)
	if err != nil {
		return nil, err
	}
	c.accuracy = t.accuracy()
	lossAcc := func(ls *graphs.Scope, prob, logits tf.Output) (tf.Output, tf.Output) {
		in := builders.LossInput{YTrue: yTrue, YPred: prob}
		if logits.Op != nil {
			in.Logits, in.Activation = logits, act
		}
		var w tf.Output
		if c.weightedLoss {
			w = c.w
		}
		l := loss.Call(ls, in, w)
		if spec.LossWeight != 0 && spec.LossWeight != 1 {
			l = op.Mul(ls.Op("LossWeight"), l, ls.Scalar(spec.LossWeight))
		}
		if c.accuracy == "" {
			return l, ls.Scalar(0) // no accuracy: HasAccuracy says so
		}
		acc, err := buildMetrics(ls.Sub("accuracy"), []string{configs.MetricAccuracy}, t, prob, nil)
		if err != nil {
			ls.Fail("%v", err)
			return l, tf.Output{}
		}
		return l, acc.means[configs.MetricAccuracy]
	}

	ts := s.Sub("train")
	prob, logits := m.Call(c.x, true)
	c.trainLoss, c.trainAcc = lossAcc(ts, prob, logits)
	c.trainLoss = builders.AddPenalty(ts, c.trainLoss, m.AllLayers()) // Keras adds model.losses
	metrics := spec.Metrics
	if metrics == nil {
		metrics = []string{configs.MetricAccuracy}
	}
	if c.trainMet, err = buildMetrics(ts.Sub("metrics"), metrics, t, prob, spec.TopK); err != nil {
		return nil, err
	}
	if c.weighted, err = buildWeightedMetrics(ts.Sub("weighted_metrics"), &c.trainMet, spec.WeightedMetrics, metrics, t, prob, c.w); err != nil {
		return nil, err
	}

	es := s.Sub("eval")
	prob, logits = m.Call(c.x, false)
	c.evalProb = prob
	c.evalFeatures = m.Penultimate()
	c.evalLoss, c.evalAcc = lossAcc(es, prob, logits)
	c.evalLoss = builders.AddPenalty(es, c.evalLoss, m.AllLayers()) // as Keras's evaluate does
	if c.evalMet, err = buildMetrics(es.Sub("metrics"), metrics, t, prob, spec.TopK); err != nil {
		return nil, err
	}
	if _, err = buildWeightedMetrics(es.Sub("weighted_metrics"), &c.evalMet, spec.WeightedMetrics, metrics, t, prob, c.w); err != nil {
		return nil, err
	}

	minimized := c.trainLoss
	if c.rep != nil {
		minimized = c.replicaLogs(ts.Sub("replica"))
	}
	opt, err := spec.NewOpt(s)
	if err != nil {
		return nil, err
	}
	c.Opt = opt
	if err := checkSomethingTrains(m); err != nil {
		return nil, err
	}
	c.train, err = opt.Minimize(s, minimized, m.TrainableVariables())
	if err != nil {
		return nil, err
	}
	c.advance = s.AdvanceStep(append(m.Updates(), c.train)...)
	if err := s.Err(); err != nil {
		return nil, err
	}
	if c.rep != nil {
		opts, err := spec.Server.SessionOptions()
		if err != nil {
			return nil, err
		}
		c.sess, err = graphs.StartSessionOn(g, opts)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	if c.sess, err = graphs.StartSessionWith(g, sessionThreads(m.AllLayers(), spec.Threads, g.Platform())); err != nil {
		return nil, err
	}
	return c, nil
}

// newTargets makes the labels y, fed as class ids or targets [batch] (or [batch,
// labelWidth] for several label columns), into what loss lc and the metrics compare an
// output of shape out with (data.label_mode labelMode), and the loss's y_true.
func newTargets(s *graphs.Scope, lc configs.Loss, labelMode string, labelWidth int, out builders.Shape, y tf.Output) (targets, tf.Output, error) {
	t := targets{kind: lc.Labels(), width: out[0], ids: y}
	switch {
	case labelWidth > 1:
		// several labels per example, shaped like the output; the id-based accuracies
		// compare argmaxes, as Keras's categorical_accuracy on them does
		if out[0] != labelWidth {
			return targets{}, tf.Output{}, assemble.ModelErrorf("%s on %d label columns needs a model output of shape (None, %d), got %v", lc, labelWidth, labelWidth, out)
		}
		t.shaped = y
		t.ids = op.Cast(s.Op("Cast"), op.ArgMax(s.Op("ArgMax"), y, s.Const(int32(-1))), tf.Float)
	case t.kind == configs.LabelsSparse: // class ids, whatever the mode (Keras squeezes (batch, 1) labels)
	case labelMode == configs.LabelModeCategorical || t.width > 1:
		// one label per class: the class ids one-hot encoded (label_mode categorical,
		// keras.utils.to_categorical)
		t.shaped = op.OneHot(s.Op("OneHot"), op.Cast(s.Op("Cast"), y, tf.Int32), s.Const(int32(t.width)), s.Scalar(1), s.Scalar(0))
	default: // one unit: the labels (batch, 1), label_mode binary (or int ids as numbers)
		t.shaped = op.ExpandDims(s.Op("ExpandDims"), y, s.Const(int32(1)))
	}
	yTrue := t.shaped
	if t.kind == configs.LabelsSparse {
		yTrue = y
	}
	return t, yTrue, nil
}

// replicaLogs turns the training loss and metrics into the global batch's: each batch
// mean weighted by this replica's share of the global batch, then summed across the
// replicas, as the stateful metrics' counts are. It returns this replica's weighted loss,
// the one to minimize (the all-reduce has no gradient; the gradients are summed instead).
func (c *Classifier) replicaLogs(s *graphs.Scope) tf.Output {
	local := c.rep.scaled(s, c.trainLoss)
	outs := []tf.Output{local, c.rep.scaled(s, c.trainAcc)}
	for _, name := range c.trainMet.names {
		if o, ok := c.trainMet.means[name]; ok {
			outs = append(outs, c.rep.scaled(s, o))
		}
	}
	for _, name := range c.trainMet.names {
		if o, ok := c.trainMet.counts[name]; ok {
			outs = append(outs, c.rep.counted(s, o))
		}
	}
	sums := c.rep.AllReduce.Sum(s.Sub("allreduce_logs"), outs...)
	if !s.Ok(sums...) {
		return local
	}
	c.trainLoss, c.trainAcc, sums = sums[0], sums[1], sums[2:]
	for _, name := range c.trainMet.names {
		if _, ok := c.trainMet.means[name]; ok {
			c.trainMet.means[name], sums = sums[0], sums[1:]
		}
	}
	for _, name := range c.trainMet.names {
		if _, ok := c.trainMet.counts[name]; ok {
			c.trainMet.counts[name], sums = sums[0], sums[1:]
		}
	}
	return local
}

// Close releases the session; after a failed step of a replica it leaves it to the
// process's exit (closing waits for every run, and a run given up on may never end).
func (c *Classifier) Close() error {
	if c.rep != nil && c.rep.Lost() {
		return nil
	}
	return c.sess.Close()
}

// Session is the classifier's session.
func (c *Classifier) Session() *graphs.Session { return c.sess }

// Graph is the classifier's graph.
func (c *Classifier) Graph() *graphs.Graph { return c.graph }

// Variables are every variable of the graph: what a checkpoint holds.
func (c *Classifier) Variables() []*graphs.Variable { return c.graph.Variables() }

// Weights are the model's weights, trainable and not.
func (c *Classifier) Weights() []*graphs.Variable { return c.Model.Variables() }

// TrainBatch runs one optimizer step on a batch and returns its loss and accuracy (computed
// with the weights before the update, as Keras reports them).
func (c *Classifier) TrainBatch(x, y *tf.Tensor) (loss, acc float64, err error) {
	feeds, err := c.feeds(x, y, nil)
	if err != nil {
		return 0, 0, err
	}
	out, err := c.sess.Run(feeds, []tf.Output{c.trainLoss, c.trainAcc}, c.train, c.advance)
	if err != nil {
		return 0, 0, fmt.Errorf("training step: %w", err)
	}
	return graphs.Scalar64(out[0]), graphs.Scalar64(out[1]), nil
}

// TrainBatchLogs runs one optimizer step on a batch and returns its logs (loss and the
// compiled metrics' batch means, computed with the weights before the update, as Keras
// reports them) and the stateful metrics' counts.
func (c *Classifier) TrainBatchLogs(x, y *tf.Tensor) (runner.Logs, runner.Counts, error) {
	return c.TrainWeightedBatchLogs(x, y, nil)
}

// TrainWeightedBatchLogs is TrainBatchLogs with the examples' weights w [batch] (nil:
// each weighs 1), which a Weighted classifier's loss and its weighted metrics use.
func (c *Classifier) TrainWeightedBatchLogs(x, y, w *tf.Tensor) (runner.Logs, runner.Counts, error) {
	feeds, err := c.feeds(x, y, w)
	if err != nil {
		return nil, nil, err
	}
	return c.trainBatchLogs(feeds)
}

// trainBatchLogs is TrainBatchLogs with the feeds made.
func (c *Classifier) trainBatchLogs(feeds map[tf.Output]*tf.Tensor) (runner.Logs, runner.Counts, error) {
	mets, means, counts := c.trainMet.fetches()
	fetches := append([]tf.Output{c.trainLoss}, mets...)
	var out []*tf.Tensor
	var err error
	if c.rep != nil {
		err = c.rep.Run(func() error {
			var err error
			out, err = c.sess.Run(feeds, fetches, c.train, c.advance)
			return err
		})
	} else {
		out, err = c.sess.Run(feeds, fetches, c.train, c.advance)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("training step: %w", err)
	}
	logs := runner.Logs{"loss": graphs.Scalar64(out[0])}
	for i, name := range means {
		logs[name] = graphs.Scalar64(out[1+i])
	}
	var cs runner.Counts
	for i, name := range counts {
		if cs == nil {
			cs = runner.Counts{}
		}
		cs[name] = graphs.Float64s(out[1+len(means)+i])
	}
	return logs, cs, nil
}

// Evaluate returns the loss and accuracy over ds in inference mode, in batches, each
// batch weighted by its size (Keras's evaluate).
func (c *Classifier) Evaluate(ds *Dataset, batchSize int) (loss, acc float64, err error) {
	loss, acc, _, err = c.evaluate(ds, batchSize)
	return loss, acc, err
}

// EvaluateLogs returns the loss and the compiled metrics over ds in inference mode, as
// Keras's evaluate: means weighted by batch size, the stateful metrics from the counts of
// the whole set.
func (c *Classifier) EvaluateLogs(ds *Dataset, batchSize int) (runner.Logs, error) {
	_, _, logs, err := c.evaluate(ds, batchSize)
	return logs, err
}

// evaluate is one inference pass over ds: the loss, the accuracy and the metrics' logs.
func (c *Classifier) evaluate(ds *Dataset, batchSize int) (loss, acc float64, logs runner.Logs, err error) {
	n := ds.Len()
	if n == 0 {
		return 0, 0, nil, fmt.Errorf("evaluate: empty data set")
	}
	mets, means, counts := c.evalMet.fetches()
	sums := make([]float64, len(means))
	countSums := runner.Counts{}
	lo, hi := 0, n
	if c.rep != nil { // each replica evaluates its part; the totals are summed below
		lo, hi = c.rep.Part(n)
		for _, name := range counts {
			dims, err := c.evalMet.counts[name].Shape().ToSlice()
			if err != nil || len(dims) != 1 || dims[0] < 0 {
				return 0, 0, nil, fmt.Errorf("evaluate: %s's counts have no static length", name)
			}
			countSums[name] = make([]float64, dims[0])
		}
	}
	idx := make([]int, 0, min(batchSize, hi-lo)) // a batch_size beyond the data is one batch
	for start := lo; start < hi; start += batchSize {
		idx = idx[:0]
		for i := start; i < min(start+batchSize, hi); i++ {
			idx = append(idx, i)
		}
		x, y, err := ds.batch(idx)
		if err != nil {
			return 0, 0, nil, err
		}
		var sw *tf.Tensor
		if ds.Weights != nil && c.w.Op != nil { // Keras weighs evaluation by sample_weight only
			if sw, err = graphs.NewTensor(ds.weights(idx), int64(len(idx))); err != nil {
				return 0, 0, nil, err
			}
		}
		feeds, err := c.feeds(x, y, sw)
		if err != nil {
			return 0, 0, nil, err
		}
		out, err := c.sess.Run(feeds, append([]tf.Output{c.evalLoss, c.evalAcc}, mets...))
		if err != nil {
			return 0, 0, nil, fmt.Errorf("evaluate: %w", err)
		}
		w := float64(len(idx))
		loss += w * graphs.Scalar64(out[0])
		acc += w * graphs.Scalar64(out[1])
		for i := range means {
			sums[i] += w * graphs.Scalar64(out[2+i])
		}
		for i, name := range counts {
			v := graphs.Float64s(out[2+len(means)+i])
			if countSums[name] == nil {
				countSums[name] = make([]float64, len(v))
			}
			for j, x := range v {
				countSums[name][j] += x
			}
		}
	}
	if c.rep != nil {
		totals := append([]float64{loss, acc}, sums...)
		for _, name := range counts {
			totals = append(totals, countSums[name]...)
		}
		if totals, err = c.rep.sum(c.sess, totals); err != nil {
			return 0, 0, nil, fmt.Errorf("evaluate: %w", err)
		}
		loss, acc, totals = totals[0], totals[1], totals[2:]
		copy(sums, totals)
		totals = totals[len(sums):]
		for _, name := range counts {
			copy(countSums[name], totals)
			totals = totals[len(countSums[name]):]
		}
	}
	logs, err = c.CountedLogs(countSums)
	if err != nil {
		return 0, 0, nil, err
	}
	for i, name := range means {
		logs[name] = sums[i] / float64(n)
	}
	logs["loss"] = loss / float64(n)
	return loss / float64(n), acc / float64(n), logs, nil
}

// Features returns the inference-mode input of the model's last layer (its penultimate
// features) for ds, [n, d] row-major, and d.
func (c *Classifier) Features(ds *Dataset, batchSize int) ([]float64, int, error) {
	var feats []float64
	d := 0
	for start := 0; start < ds.Len(); start += batchSize {
		var idx []int
		for i := start; i < min(start+batchSize, ds.Len()); i++ {
			idx = append(idx, i)
		}
		x, _, err := ds.batch(idx)
		if err != nil {
			return nil, 0, err
		}
		out, err := c.sess.Run(map[tf.Output]*tf.Tensor{c.x: x}, []tf.Output{c.evalFeatures})
		if err != nil {
			return nil, 0, fmt.Errorf("features: %w", err)
		}
		shape := out[0].Shape()
		d = int(shape[len(shape)-1])
		feats = append(feats, graphs.Float64s(out[0])...)
	}
	return feats, d, nil
}

// Predict returns the model's probabilities for ds (inference mode).
func (c *Classifier) Predict(ds *Dataset, batchSize int) ([]float64, error) {
	var probs []float64
	for start := 0; start < ds.Len(); start += batchSize {
		var idx []int
		for i := start; i < min(start+batchSize, ds.Len()); i++ {
			idx = append(idx, i)
		}
		x, _, err := ds.batch(idx)
		if err != nil {
			return nil, err
		}
		out, err := c.sess.Run(map[tf.Output]*tf.Tensor{c.x: x}, []tf.Output{c.evalProb})
		if err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		probs = append(probs, graphs.Float64s(out[0])...)
	}
	return probs, nil
}

// LearningRate is the optimizer's learning rate.
func (c *Classifier) LearningRate() (float64, error) { return c.sess.Scalar(c.Opt.LearningRate()) }

// SetLearningRate sets the optimizer's learning rate.
func (c *Classifier) SetLearningRate(lr float64) error {
	return c.sess.SetScalar(c.Opt.LearningRate(), lr)
}

// loss is the spec's loss: Loss, or what Categorical selects.
func (spec ClassifierSpec) loss() configs.Loss {
	if spec.Loss != nil {
		return *spec.Loss
	}
	name := configs.LossBinaryCrossentropy
	if spec.Categorical {
		name = configs.LossSparseCategoricalCrossentropy
	}
	l, _ := configs.NewLoss(name) // a constant: no error
	return l
}

// checkOutput checks that the model's output (shape out, final activation act) suits the
// loss: one vector per example; binary labels need one unit (one per class for one-hot
// labels, label_mode categorical); binary_crossentropy and
// sparse_categorical_crossentropy on probabilities need a final sigmoid or softmax.
func checkOutput(l configs.Loss, mode string, width int, out builders.Shape, act string) error {
	switch {
	case len(out) != 1:
		return assemble.ModelErrorf("%s needs a model output of shape (None, k), got %v", l, out)
	case l.Labels() == configs.LabelsBinary && mode != configs.LabelModeCategorical && width <= 1 && out[0] != 1:
		return assemble.ModelErrorf("%s needs a model output of shape (None, 1), got %v", l, out)
	}
	want := ""
	switch {
	case l.Type == configs.LossBinaryCrossentropy && !l.FromLogits:
		want = "sigmoid"
	case l.Type == configs.LossSparseCategoricalCrossentropy && !l.FromLogits:
		want = "softmax"
	}
	if want != "" && act != want {
		return assemble.ModelErrorf("%s needs a %s output (a last Dense or Activation with activation=%s), got %q", l, want, want, act)
	}
	return nil
}

// HasAccuracy reports whether the model reports an accuracy (Evaluate, metrics.json):
// every classification loss does, a regression loss does not.
func (c *Classifier) HasAccuracy() bool { return c.accuracy != "" }

// finalActivation is the activation a model's last layer applies ("" if none).
func finalActivation(l builders.Layer) string {
	switch l := l.(type) {
	case *builders.Dense:
		return l.Activation
	case *builders.Activation:
		return l.Activation
	}
	return ""
}

// FromConfig compiles the classifier a classifier config describes for inputs of shape in
// (token ids when intInput): its layers with Keras's default names, the LSTM
// implementation for its batch size, its loss and optimizer, weights drawn from seed. Run,
// evaluate-gan and the benchmark all build classifiers through it.
func FromConfig(cfg *configs.Config, in builders.Shape, intInput bool, seed int64, threads int) (*Classifier, error) {
	c, err := fromConfig(cfg, in, intInput, seed, threads, nil, 0, kernelChoice{autotune: true, warn: os.Stderr})
	if err != nil {
		return nil, err
	}
	if err := c.tuner.Finish(""); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// fromConfig is FromConfig, as a replica of srv's cluster when srv is set.
// k is a resumed run's kernel forms.
func fromConfig(cfg *configs.Config, in builders.Shape, intInput bool, seed int64, threads int, srv *distributed.Server, timeout time.Duration, k kernelChoice) (*Classifier, error) {
	sup := cfg.Supervised()
	if sup == nil {
		return nil, fmt.Errorf("%s: task %q: not a classifier", cfg.File, cfg.Task)
	}
	model, layers, err := assemble.Model(&sup.Model, "", in)
	if err != nil {
		return nil, assemble.ModelError(fmt.Errorf("%s: %w", cfg.File, err))
	}
	p, err := graphs.LocalPlatform()
	if err != nil {
		return nil, err
	}
	if k.measureLSTMs, err = k.measuring(srv, p); err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.File, err)
	}
	if err := chooseLSTMs(layers, sup.Train.BatchSize, p, k); err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.File, err)
	}
	tuner, err := k.tuner(sup.Train.BatchSize, sessionThreads(layers, threads, p), threads, p, srv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.File, err)
	}
	c, err := NewClassifier(ClassifierSpec{
		Model: model, Layers: layers, Input: in, IntInput: intInput, Seed: uint64(seed), Threads: threads,
		Loss: &sup.Train.Loss, Metrics: sup.Train.Metrics, TopK: sup.Train.TopK,
		LabelMode: cfg.Data.LabelMode, Weighted: cfg.Weighted(), WeightedMetrics: sup.Train.WeightedMetrics, LabelWidth: cfg.Data.LabelWidth(),
		LossWeight: sup.Train.LossWeight(sup.Model.OutputNames()[0]), Precision: cfg.Precision,
		NewOpt: func(s *graphs.Scope) (graphs.Optimizer, error) { return assemble.Optimizer(s, sup.Train.Optimizer) },
		Server: srv, CollectiveTimeout: timeout, Autotune: tuner.Graph(),
	})
	if err != nil {
		if cfg.File == "" { // a config built in Go (package tfrun): no file to name
			return nil, fmt.Errorf("building the model: %w", err)
		}
		return nil, fmt.Errorf("%s: building the model: %w", cfg.File, err)
	}
	c.kernelForms, c.tuner = lstmForms(layers), tuner
	return c, nil
}
