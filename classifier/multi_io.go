package classifier

import (
	"fmt"
	"maps"
	"slices"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/runner"
)

// A model of several named inputs and outputs (docs/guide/multi_io.md), compiled as
// Keras's compile takes a loss, a weight and metrics per output: the loss minimized is
// Σ weight·loss_o plus the layers' penalties, logged as loss, and each output's loss
// (unweighted) and metrics are logged as <output>_loss and <output>_<metric>.

// Tensor holds the values of n examples of one input or output, row-major: Floats, or
// Ints for token ids; each example of Shape (Shape{} for one label per example).
type Tensor struct {
	Floats []float32
	Ints   []int32
	Shape  builders.Shape
}

// rowLen is the number of values of one example.
func (t Tensor) rowLen() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// len is the number of examples.
func (t Tensor) len() int {
	if t.Ints != nil {
		return len(t.Ints) / t.rowLen()
	}
	return len(t.Floats) / t.rowLen()
}

// batch gathers the examples at idx into a tensor [len(idx), Shape...].
func (t Tensor) batch(idx []int) (*tf.Tensor, error) {
	r := t.rowLen()
	shape := append([]int64{int64(len(idx))}, t.Shape.Int64s()...)
	if t.Ints != nil {
		buf := make([]int32, len(idx)*r)
		for k, i := range idx {
			copy(buf[k*r:(k+1)*r], t.Ints[i*r:(i+1)*r])
		}
		return graphs.NewTensor(buf, shape...)
	}
	buf := make([]float32, len(idx)*r)
	for k, i := range idx {
		copy(buf[k*r:(k+1)*r], t.Floats[i*r:(i+1)*r])
	}
	return graphs.NewTensor(buf, shape...)
}

// Examples are a data set of several named inputs and outputs: the same examples, in the
// same order, in every input's and every output's Tensor.
type Examples struct {
	Inputs, Labels map[string]Tensor
}

// Len is the number of examples.
func (e *Examples) Len() int {
	for _, t := range e.Inputs {
		return t.len()
	}
	return 0
}

// check checks that every input and output of the model has its tensor, each of Len
// examples.
func (e *Examples) check(inputs, outputs []string) error {
	n := e.Len()
	for _, group := range []struct {
		what  string
		names []string
		by    map[string]Tensor
	}{{"input", inputs, e.Inputs}, {"output", outputs, e.Labels}} {
		for _, name := range group.names {
			t, ok := group.by[name]
			if !ok {
				return fmt.Errorf("no data for the model's %s %q (data has %v)", group.what, name, slices.Sorted(maps.Keys(group.by)))
			}
			if t.len() != n || len(t.Floats)+len(t.Ints) != n*t.rowLen() {
				return fmt.Errorf("%s %q: %d values, want %d examples of shape %v", group.what, name, len(t.Floats)+len(t.Ints), n, []int(t.Shape))
			}
		}
	}
	return nil
}

// OutputSpec is how one output of a MultiSpec model is compiled.
type OutputSpec struct {
	// Name is the output's name (the model's output tensor).
	Name string
	// Loss, Weight and Metrics are the output's train.loss, train.loss_weights and
	// train.metrics entries (Weight 1 when not given).
	Loss    configs.Loss
	Weight  float64
	Metrics []string
	// LabelMode is the output's label_mode ("": its loss's own).
	LabelMode string
}

// MultiSpec says what to compile for a model of several inputs and outputs.
type MultiSpec struct {
	Model *builders.Functional
	// Inputs are the shape of one example of each input (by name), and IntInputs which
	// of them are token ids.
	Inputs    map[string]builders.Shape
	IntInputs map[string]bool
	// Labels are the shape of one example's labels of each output: Shape{} for one
	// class id or target, Shape{k} for k label columns.
	Labels  map[string]builders.Shape
	Outputs []OutputSpec
	NewOpt  func(s *graphs.Scope) (graphs.Optimizer, error)
	Seed    uint64
	Threads int
	// TopK is the k of a top-k metric (nil: configs.DefaultTopK).
	TopK func(metric string) int
}

// MultiOutput is a compiled model of several inputs and outputs: its training and
// inference paths and their logs in one graph, in a session.
type MultiOutput struct {
	Model *builders.Functional
	Opt   graphs.Optimizer

	graph          *graphs.Graph
	sess           *graphs.Session
	xs, ys         map[string]tf.Output
	train, advance *tf.Operation
	trainLogs      compiledLogs
	evalLogs       compiledLogs
	evalOut        map[string]tf.Output
}

// compiledLogs are one path's logs: loss and each output's loss and mean metrics
// (means, by log name) and the stateful metrics' counts; counted maps a counted metric's
// log name (<output>_auc) to its metric's own (auc).
type compiledLogs struct {
	names   []string
	means   map[string]tf.Output
	counts  map[string]tf.Output
	counted map[string]string
}

// NewMultiOutput builds the graph of spec's model and a session with initialised
// variables.
func NewMultiOutput(spec MultiSpec) (*MultiOutput, error) {
	m := spec.Model
	if m == nil || len(spec.Outputs) == 0 {
		return nil, assemble.ModelErrorf("a model of several outputs needs a functional model and its outputs' losses")
	}
	var outNames []string
	for _, o := range spec.Outputs {
		outNames = append(outNames, o.Name)
	}
	if !slices.Equal(outNames, m.Outputs) {
		return nil, assemble.ModelErrorf("outputs compiled %v, but the model's are %v", outNames, m.Outputs)
	}
	g := graphs.NewGraph(tf.Float, spec.Seed)
	s := g.Root()
	if err := m.BuildGraph(s, spec.Inputs); err != nil {
		return nil, assemble.ModelError(err)
	}
	c := &MultiOutput{Model: m, graph: g, xs: map[string]tf.Output{}, ys: map[string]tf.Output{}}
	for _, name := range m.Inputs {
		dt := tf.Float
		if spec.IntInputs[name] {
			dt = tf.Int32
		}
		c.xs[name] = s.Placeholder("x_"+name, dt, append([]int64{-1}, spec.Inputs[name].Int64s()...)...)
	}
	shapes := m.OutputShapes()
	tgs := map[string]targets{}
	yTrues := map[string]tf.Output{}
	widths := map[string]int{}
	for i, o := range spec.Outputs {
		ls, ok := spec.Labels[o.Name]
		if !ok {
			return nil, assemble.ModelErrorf("output %q: no label shape", o.Name)
		}
		width := 1
		if len(ls) == 1 {
			width = ls[0]
		}
		if width > 1 {
			c.ys[o.Name] = s.Placeholder("y_"+o.Name, tf.Float, -1, int64(width))
		} else {
			c.ys[o.Name] = s.Placeholder("y_"+o.Name, tf.Float, -1)
		}
		t, yTrue, err := newTargets(s.Sub("targets_"+o.Name), o.Loss, o.LabelMode, width, shapes[i], c.ys[o.Name])
		if err != nil {
			return nil, fmt.Errorf("output %q: %w", o.Name, err)
		}
		tgs[o.Name], yTrues[o.Name], widths[o.Name] = t, yTrue, width
	}
	compile := func(ps *graphs.Scope, training bool) (tf.Output, compiledLogs, map[string]tf.Output, error) {
		outs, logits := m.CallGraph(c.xs, training)
		if outs == nil {
			return tf.Output{}, compiledLogs{}, nil, assemble.ModelError(ps.Err())
		}
		var parts []builders.OutputLoss
		for i, o := range spec.Outputs {
			l, err := builders.NewLoss(o.Loss)
			if err != nil {
				return tf.Output{}, compiledLogs{}, nil, assemble.ModelErrorf("output %q: %v", o.Name, err)
			}
			in := builders.LossInput{YTrue: yTrues[o.Name], YPred: outs[o.Name]}
			if lg, ok := logits[o.Name]; ok {
				in.Logits, in.Activation = lg, finalActivation(m.Nodes[nodeIndex(m, o.Name)].Layer)
			}
			if err := checkOutput(o.Loss, o.LabelMode, widths[o.Name], shapes[i], in.Activation); err != nil {
				return tf.Output{}, compiledLogs{}, nil, fmt.Errorf("output %q: %w", o.Name, err)
			}
			parts = append(parts, builders.OutputLoss{Name: o.Name, Loss: l, Weight: o.Weight, In: in})
		}
		total, each := builders.CompileLoss(ps.Sub("loss"), parts, tf.Output{})
		total = builders.AddPenalty(ps, total, m.AllLayers()) // Keras adds model.losses
		logs := compiledLogs{names: []string{"loss"}, means: map[string]tf.Output{"loss": total},
			counts: map[string]tf.Output{}, counted: map[string]string{}}
		for i, o := range spec.Outputs {
			name := o.Name + "_loss"
			logs.names = append(logs.names, name)
			logs.means[name] = each[i]
			met, err := buildMetrics(ps.Sub("metrics_"+o.Name), o.Metrics, tgs[o.Name], outs[o.Name], spec.TopK)
			if err != nil {
				return tf.Output{}, compiledLogs{}, nil, fmt.Errorf("output %q: %w", o.Name, err)
			}
			for _, mn := range met.names {
				name := o.Name + "_" + mn
				logs.names = append(logs.names, name)
				if v, ok := met.means[mn]; ok {
					logs.means[name] = v
				} else {
					logs.counts[name], logs.counted[name] = met.counts[mn], mn
				}
			}
		}
		return total, logs, outs, nil
	}
	total, tl, _, err := compile(s.Sub("train"), true)
	if err != nil {
		return nil, err
	}
	c.trainLogs = tl
	if _, c.evalLogs, c.evalOut, err = compile(s.Sub("eval"), false); err != nil {
		return nil, err
	}
	if c.Opt, err = spec.NewOpt(s); err != nil {
		return nil, err
	}
	if err := checkSomethingTrains(m); err != nil {
		return nil, err
	}
	if c.train, err = c.Opt.Minimize(s, total, m.TrainableVariables()); err != nil {
		return nil, err
	}
	c.advance = s.AdvanceStep(append(m.Updates(), c.train)...)
	if err := s.Err(); err != nil {
		return nil, err
	}
	if c.sess, err = graphs.StartSessionWith(g, sessionThreads(m.AllLayers(), spec.Threads, g.Platform())); err != nil {
		return nil, err
	}
	return c, nil
}

// nodeIndex is the index of the node giving tensor t.
func nodeIndex(m *builders.Functional, t string) int {
	for i, n := range m.Nodes {
		if n.Tensor == t {
			return i
		}
	}
	return -1
}

// Close releases the session.
func (c *MultiOutput) Close() error { return c.sess.Close() }

// Graph, Session, Variables, Weights, LearningRate and SetLearningRate are runner.Model's.
func (c *MultiOutput) Graph() *graphs.Graph           { return c.graph }
func (c *MultiOutput) Session() *graphs.Session       { return c.sess }
func (c *MultiOutput) Variables() []*graphs.Variable  { return c.graph.Variables() }
func (c *MultiOutput) Weights() []*graphs.Variable    { return c.Model.Variables() }
func (c *MultiOutput) LearningRate() (float64, error) { return c.sess.Scalar(c.Opt.LearningRate()) }
func (c *MultiOutput) SetLearningRate(lr float64) error {
	return c.sess.SetScalar(c.Opt.LearningRate(), lr)
}
func (c *MultiOutput) countedName(name string) string { return c.trainLogs.counted[name] }
func (c *MultiOutput) outputNames() []string          { return slices.Clone(c.Model.Outputs) }
func (c *MultiOutput) inputNames() []string           { return slices.Clone(c.Model.Inputs) }

// feeds are the placeholders' values for the examples of e at idx.
func (c *MultiOutput) feeds(e *Examples, idx []int) (map[tf.Output]*tf.Tensor, error) {
	feeds := map[tf.Output]*tf.Tensor{}
	for name, x := range c.xs {
		t, err := e.Inputs[name].batch(idx)
		if err != nil {
			return nil, fmt.Errorf("input %q: %w", name, err)
		}
		feeds[x] = t
	}
	if e.Labels == nil { // inference
		return feeds, nil
	}
	for name, y := range c.ys {
		t, err := e.Labels[name].batch(idx)
		if err != nil {
			return nil, fmt.Errorf("output %q: %w", name, err)
		}
		feeds[y] = t
	}
	return feeds, nil
}

// run runs logs' fetches on feeds (with ops), returning the means and the counts.
func (c *MultiOutput) run(feeds map[tf.Output]*tf.Tensor, logs compiledLogs, ops ...*tf.Operation) (runner.Logs, runner.Counts, error) {
	var fetches []tf.Output
	var means, counts []string
	for _, name := range logs.names {
		if o, ok := logs.means[name]; ok {
			fetches, means = append(fetches, o), append(means, name)
		}
	}
	for _, name := range logs.names {
		if o, ok := logs.counts[name]; ok {
			fetches, counts = append(fetches, o), append(counts, name)
		}
	}
	out, err := c.sess.Run(feeds, fetches, ops...)
	if err != nil {
		return nil, nil, err
	}
	l := runner.Logs{}
	for i, name := range means {
		l[name] = graphs.Scalar64(out[i])
	}
	var cs runner.Counts
	for i, name := range counts {
		if cs == nil {
			cs = runner.Counts{}
		}
		cs[name] = graphs.Float64s(out[len(means)+i])
	}
	return l, cs, nil
}

// TrainBatch runs one optimizer step on the examples of e at idx and returns the batch's
// logs (computed with the weights before the update, as Keras reports them) and counts.
func (c *MultiOutput) TrainBatch(e *Examples, idx []int) (runner.Logs, runner.Counts, error) {
	feeds, err := c.feeds(e, idx)
	if err != nil {
		return nil, nil, err
	}
	logs, counts, err := c.run(feeds, c.trainLogs, c.train, c.advance)
	if err != nil {
		return nil, nil, fmt.Errorf("training step: %w", err)
	}
	return logs, counts, nil
}

// CountedLogs turns stateful metrics' counts summed over batches into their values
// (runner.CountingModel).
func (c *MultiOutput) CountedLogs(sums runner.Counts) (runner.Logs, error) {
	logs := runner.Logs{}
	for name, v := range sums {
		x, err := countedValue(c.countedName(name), v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		logs[name] = x
	}
	return logs, nil
}

// Evaluate returns the logs over e in inference mode, as Keras's evaluate: means weighted
// by batch size, the stateful metrics from the counts of the whole set.
func (c *MultiOutput) Evaluate(e *Examples, batchSize int) (runner.Logs, error) {
	n := e.Len()
	if n == 0 {
		return nil, fmt.Errorf("evaluate: empty data set")
	}
	if err := e.check(c.inputNames(), c.outputNames()); err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	sums := runner.Logs{}
	countSums := runner.Counts{}
	idx := make([]int, 0, min(batchSize, n))
	for start := 0; start < n; start += batchSize {
		idx = idx[:0]
		for i := start; i < min(start+batchSize, n); i++ {
			idx = append(idx, i)
		}
		feeds, err := c.feeds(e, idx)
		if err != nil {
			return nil, err
		}
		logs, counts, err := c.run(feeds, c.evalLogs)
		if err != nil {
			return nil, fmt.Errorf("evaluate: %w", err)
		}
		for k, v := range logs {
			sums[k] += float64(len(idx)) * v
		}
		for k, v := range counts {
			if countSums[k] == nil {
				countSums[k] = make([]float64, len(v))
			}
			for j, x := range v {
				countSums[k][j] += x
			}
		}
	}
	logs, err := c.CountedLogs(countSums)
	if err != nil {
		return nil, err
	}
	for k, v := range sums {
		logs[k] = v / float64(n)
	}
	return logs, nil
}

// Predict returns each output's values for the inputs of e (inference mode), by output
// name, row-major; e's Labels are not needed.
func (c *MultiOutput) Predict(e *Examples, batchSize int) (map[string][]float64, error) {
	n := e.Len()
	if err := (&Examples{Inputs: e.Inputs}).check(c.inputNames(), nil); err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	names := c.outputNames()
	fetches := make([]tf.Output, len(names))
	for i, name := range names {
		fetches[i] = c.evalOut[name]
	}
	out := map[string][]float64{}
	idx := make([]int, 0, min(batchSize, n))
	for start := 0; start < n; start += batchSize {
		idx = idx[:0]
		for i := start; i < min(start+batchSize, n); i++ {
			idx = append(idx, i)
		}
		feeds, err := c.feeds(&Examples{Inputs: e.Inputs}, idx)
		if err != nil {
			return nil, err
		}
		res, err := c.sess.Run(feeds, fetches)
		if err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		for i, name := range names {
			out[name] = append(out[name], graphs.Float64s(res[i])...)
		}
	}
	return out, nil
}

// multiTraining is a MultiOutput fitted on train, validated on val (nil: none), as the
// runner's loop drives it.
type multiTraining struct {
	*MultiOutput
	train, val *Examples
	batchSize  int
}

var _ runner.CountingModel = (*multiTraining)(nil)

// newMultiTraining checks that train and val (nil: none) feed every input and output of
// c's model.
func newMultiTraining(c *MultiOutput, train, val *Examples, batchSize int) (*multiTraining, error) {
	for _, e := range []*Examples{train, val} {
		if e == nil {
			continue
		}
		if err := e.check(c.inputNames(), c.outputNames()); err != nil {
			return nil, err
		}
	}
	return &multiTraining{MultiOutput: c, train: train, val: val, batchSize: batchSize}, nil
}

// TrainStep trains on the training examples at idx: the batch's logs.
func (t *multiTraining) TrainStep(idx []int) (runner.Logs, error) {
	logs, _, err := t.TrainBatch(t.train, idx)
	return logs, err
}

// TrainStepCounts is TrainStep with the stateful metrics' counts.
func (t *multiTraining) TrainStepCounts(idx []int) (runner.Logs, runner.Counts, error) {
	return t.TrainBatch(t.train, idx)
}

// EndEpoch evaluates the validation data (val_ of every log) and reports the learning
// rate.
func (t *multiTraining) EndEpoch() (runner.Logs, error) {
	logs := runner.Logs{}
	if t.val != nil {
		val, err := t.Evaluate(t.val, t.batchSize)
		if err != nil {
			return nil, err
		}
		for k, v := range val {
			logs["val_"+k] = v
		}
	}
	lr, err := t.LearningRate()
	if err != nil {
		return nil, err
	}
	logs["learning_rate"] = lr
	return logs, nil
}
