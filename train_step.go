package tfrun

import (
	"context"
	"fmt"
	"maps"
	"slices"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/export"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/runner"
)

// A custom train step is Keras's overridden Model.train_step: the program writes, in
// graph ops, what one step does with a batch — which networks it calls, the losses,
// which optimizer minimizes which loss over which network's weights — and Fit runs it
// with tfrun's loop (epochs, shuffles, callbacks, checkpoints, History). A GAN is one:
// its generator and discriminator are the step's networks, its two losses and two
// optimizers the step's updates (examples/gan).

// StepBuilder builds a custom train step, once, in a graph of its own: NewCustom hands it
// to the program's build function.
type StepBuilder struct {
	g        *graphs.Graph
	s        *graphs.Scope
	inputs   map[string]tf.Output
	shapes   map[string][]int
	nets     map[string]*Network
	order    []string // the networks, in creation order
	opts     []graphs.Optimizer
	updates  []*tf.Operation
	logs     map[string]tf.Output
	logNames []string
}

// Network is a model built into a custom train step's graph: its weights are created
// once, and every Call shares them.
type Network struct {
	name string
	def  []configs.Layer // the model's layers, as defined
	net  builders.Model  // a *builders.Sequential or a *builders.Functional
	fn   *builders.Functional
	ins  configs.Inputs       // a functional network's inputs (names, shapes, dtypes)
	in   []int                // a Sequential network's input shape
	x    tf.Output            // the inference input Custom.Predict feeds (Sequential)
	xs   map[string]tf.Output // the inference inputs, by name (functional)
	out  tf.Output            // the inference output (the first, of a functional network)
	outs map[string]tf.Output // a functional network's inference outputs, by name
	sc   *graphs.Scope        // where CallInputs casts its inputs
}

// Scope is where the step emits its ops (s.Op("Mul") for an op of graft's op package).
func (b *StepBuilder) Scope() *Scope { return b.s }

// Input is the batch of the data's input name (Data.Inputs[name] in Fit): float32
// [batch, shape...], shape as NewCustom's inputs give it. Data of Ints (class ids) comes
// as float32, exact below 2^24; Network.CallInputs casts it to the int32 an
// layers.IntInput declares (a conditional GAN's label into an Embedding).
func (b *StepBuilder) Input(name string) Output {
	if x, ok := b.inputs[name]; ok {
		return x
	}
	b.s.Fail("custom step: no input %q (inputs: %v)", name, slices.Sorted(maps.Keys(b.shapes)))
	return tf.Output{}
}

// Noise draws standard normal values of shape [batch, shape...], batch the step's batch
// size, from the graph's seeded random stream (a GAN's latent vectors): fresh values every
// step, the same sequence for the same seed.
func (b *StepBuilder) Noise(shape ...int) Output {
	var x tf.Output
	for _, name := range slices.Sorted(maps.Keys(b.inputs)) {
		x = b.inputs[name]
		break
	}
	s := b.s.Sub("noise")
	batch := op.Slice(s.Op("Slice"), op.Shape(s.Op("Shape"), x, op.ShapeOutType(tf.Int32)), s.Const([]int32{0}), s.Const([]int32{1}))
	dims := make([]int32, len(shape))
	for i, d := range shape {
		dims[i] = int32(d)
	}
	return s.RandomNormal(op.ConcatV2(s.Op("ConcatV2"), []tf.Output{batch, s.Const(dims)}, s.Const(int32(0))))
}

// Network builds model (compiled or not, its own loss and optimizer are not used) into
// the step's graph under name and returns it. Its weights are drawn from the step's seed.
// A Sequential model takes inputs of shape in (without the batch axis); a functional
// model (Functional, e.g. a conditional GAN's generator of noise and a label) takes its
// inputs as its layers.Input and layers.IntInput declare them, each with its shape, and
// no in.
func (b *StepBuilder) Network(name string, model *Model, in ...int) (*Network, error) {
	if _, dup := b.nets[name]; dup || name == "" {
		return nil, fmt.Errorf("custom step: network %q: empty or given twice", name)
	}
	if model == nil {
		return nil, fmt.Errorf("custom step: network %q: no model", name)
	}
	if len(model.def.Inputs) > 0 {
		return b.functionalNetwork(name, model, in)
	}
	ls, err := assemble.Layers(model.Definition().Layers, assemble.Namer{})
	if err != nil {
		return nil, fmt.Errorf("custom step: network %q: %w", name, err)
	}
	net := builders.NewSequential(name, ls...)
	if err := net.Build(b.s, builders.Shape(slices.Clone(in))); err != nil {
		return nil, fmt.Errorf("custom step: network %q: %w", name, err)
	}
	n := &Network{name: name, def: model.Definition().Layers, net: net, in: slices.Clone(in), sc: b.s}
	ps := b.s.Sub("predict_" + name)
	n.x = ps.Placeholder("x", tf.Float, append([]int64{-1}, builders.Shape(in).Int64s()...)...)
	n.out, _ = net.Call(n.x, false)
	b.nets[name], b.order = n, append(b.order, name)
	return n, b.s.Err()
}

// Call calls the network on x (Keras's network(x, training=training)): training true in
// a train step (dropout on, BatchNormalization's batch statistics, and their updates run
// with the step). A functional network takes its one input so (CallInputs takes several).
func (n *Network) Call(x Output, training bool) Output {
	out, _ := n.net.Call(x, training)
	return out
}

// Minimize adds to the step one update of optimizer (a Keras optimizer by class name and
// its arguments, as Compile's Optimizer) minimizing loss (a scalar) over the networks'
// trainable weights, the gradient derived by TensorFlow's gradient registry: Keras's
// tape.gradient and optimizer.apply_gradients. The first optimizer's learning rate is the
// one ReduceLROnPlateau changes, the others scaled with it.
func (b *StepBuilder) Minimize(loss Output, optimizer CompileOption, nets ...*Network) error {
	c := &compiled{}
	if err := optimizer(c); err != nil {
		return fmt.Errorf("custom step: %w", err)
	}
	if c.optimizer.Type == "" {
		return fmt.Errorf("custom step: Minimize takes an Optimizer(...)")
	}
	if len(nets) == 0 {
		return fmt.Errorf("custom step: Minimize: no networks to update")
	}
	opt, err := assemble.Optimizer(b.s.Sub(fmt.Sprintf("optimizer_%d", len(b.opts))), c.optimizer)
	if err != nil {
		return fmt.Errorf("custom step: %w", err)
	}
	var vars []*graphs.Variable
	for _, n := range nets {
		vars = append(vars, n.net.TrainableVariables()...)
		b.updates = append(b.updates, n.net.Updates()...)
	}
	if !b.s.Ok(loss) {
		return fmt.Errorf("custom step: the loss: %w", b.s.Err())
	}
	if r := loss.Shape().NumDimensions(); r != 0 {
		return fmt.Errorf("custom step: Minimize: the loss has rank %d; reduce it to a scalar (the batch's mean)", r)
	}
	update, err := opt.Minimize(b.s, loss, vars)
	if err != nil {
		return fmt.Errorf("custom step: Minimize: %w", err)
	}
	b.opts, b.updates = append(b.opts, opt), append(b.updates, update)
	return nil
}

// Log reports v, a scalar, in the step's logs under name: its mean over the epoch's
// batches, weighted by their sizes, in the History (Keras's metrics of a train_step).
func (b *StepBuilder) Log(name string, v Output) {
	if _, dup := b.logs[name]; dup {
		b.s.Fail("custom step: log %q given twice", name)
		return
	}
	if !b.s.Ok(v) {
		return
	}
	if r := v.Shape().NumDimensions(); r != 0 {
		b.s.Fail("custom step: log %q: rank %d, want a scalar (the batch's value)", name, r)
		return
	}
	b.logs[name], b.logNames = v, append(b.logNames, name)
}

// Custom is a model trained by a custom train step (NewCustom). It is not safe for
// concurrent use; Close releases its session.
type Custom struct {
	name    string
	shapes  map[string][]int
	b       *StepBuilder
	sess    *graphs.Session
	step    []*tf.Operation
	fetches []tf.Output
	seed    int64
	exports map[string]*export.Model // Export's models of the networks, by name
}

// NewCustom builds a model trained by the custom train step build writes: inputs are the
// shape of one example of each input the step reads (StepBuilder.Input), by name; the
// graph's weights and random draws come from seed. The step must update something
// (Minimize).
func NewCustom(name string, inputs map[string][]int, seed int64, build func(b *StepBuilder) error) (*Custom, error) {
	if len(inputs) == 0 {
		return nil, fmt.Errorf("custom model %q: no inputs", name)
	}
	g := graphs.NewGraph(tf.Float, uint64(seed))
	s := g.Root()
	b := &StepBuilder{g: g, s: s, inputs: map[string]tf.Output{}, shapes: map[string][]int{}, nets: map[string]*Network{}, logs: map[string]tf.Output{}}
	for _, in := range slices.Sorted(maps.Keys(inputs)) {
		shape := inputs[in]
		b.shapes[in] = slices.Clone(shape)
		b.inputs[in] = s.Placeholder("input_"+in, tf.Float, append([]int64{-1}, builders.Shape(shape).Int64s()...)...)
	}
	if err := build(b); err != nil {
		return nil, fmt.Errorf("custom model %q: %w", name, err)
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("custom model %q: %w", name, err)
	}
	if len(b.opts) == 0 {
		return nil, fmt.Errorf("custom model %q: the step updates nothing (call Minimize)", name)
	}
	c := &Custom{name: name, shapes: b.shapes, b: b, seed: seed}
	c.step = append(slices.Clone(b.updates), s.AdvanceStep(b.updates...))
	for _, n := range b.logNames {
		c.fetches = append(c.fetches, b.logs[n])
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("custom model %q: %w", name, err)
	}
	var err error
	if c.sess, err = graphs.StartSession(g, 0); err != nil {
		return nil, fmt.Errorf("custom model %q: %w", name, err)
	}
	return c, nil
}

// Close releases the session.
func (c *Custom) Close() error { return c.sess.Close() }

// Predict calls network name on x in inference mode (Keras's network.predict(x)): a
// generator on noise, a discriminator on images.
func (c *Custom) Predict(ctx context.Context, name string, x Array) (Array, error) {
	n, ok := c.b.nets[name]
	if !ok {
		return Array{}, fmt.Errorf("predict: no network %q (networks: %v)", name, c.b.order)
	}
	if err := x.check("x"); err != nil {
		return Array{}, fmt.Errorf("predict: %w", err)
	}
	if n.fn != nil {
		if len(n.ins) != 1 || len(n.outs) != 1 {
			return Array{}, fmt.Errorf("predict: network %q takes inputs %v and gives outputs %v: use PredictOutputs", name, inputNames(n.ins), n.fn.Outputs)
		}
		outs, err := c.PredictOutputs(ctx, name, map[string]Array{n.ins[0].Name: x})
		return outs[n.fn.Outputs[0]], err
	}
	if !slices.Equal(x.Shape, n.in) || x.Floats == nil {
		return Array{}, fmt.Errorf("predict: network %q takes float32 examples of shape %v, got %v (%s)", name, n.in, x.Shape, kind(x.Ints != nil))
	}
	if err := ctx.Err(); err != nil {
		return Array{}, fmt.Errorf("predict: %w", err)
	}
	t, err := graphs.NewTensor(x.Floats, append([]int64{int64(x.Len())}, builders.Shape(x.Shape).Int64s()...)...)
	if err != nil {
		return Array{}, err
	}
	out, err := c.sess.Run(map[tf.Output]*tf.Tensor{n.x: t}, []tf.Output{n.out})
	if err != nil {
		return Array{}, fmt.Errorf("predict: %w", err)
	}
	a := Array{Shape: []int(n.net.OutputShape())}
	for _, v := range graphs.Float64s(out[0]) {
		a.Floats = append(a.Floats, float32(v))
	}
	return a, nil
}

// config is the run config the custom model's runs have: its networks' layers, each
// named <network>/<layer>, are its definition (the checkpoints' fingerprint).
func (c *Custom) config(s *fitSettings, cbs []configs.Callback) *configs.Config {
	var ls []configs.Layer
	for _, name := range c.b.order {
		for _, l := range c.b.nets[name].def {
			l = l.Clone()
			if l.Name != "" {
				l.Name = name + "/" + l.Name
			}
			ls = append(ls, l)
		}
	}
	cfg := &configs.Config{Name: c.name, Task: configs.TaskClassifier, Seed: c.seed, Checkpoint: configs.Checkpoint{Every: 15, Keep: 5}}
	if s.runDir == "" {
		cfg.Checkpoint = configs.Checkpoint{Every: s.epochs, Keep: 1}
	}
	cfg.Section = &configs.Supervised{Model: configs.Model{Layers: ls},
		Train: configs.Train{Epochs: s.epochs, BatchSize: s.batchSize, Shuffle: s.shuffle, Callbacks: cbs}}
	return cfg
}

// Fit trains the custom model on data.Inputs (by the names the step reads; Outputs are
// not used) with tfrun's loop: per epoch a seeded shuffle and the step on each batch, the
// callbacks, a checkpoint at the end. It takes Fit's options but ValidationData (Epochs
// default 1, BatchSize 32, Shuffle, Callbacks, Progress, RunDir, Resume), and returns the
// History of the step's logs.
func (c *Custom) Fit(ctx context.Context, data Data, opts ...FitOption) (*History, error) {
	s, err := settings("fit", configs.Train{Epochs: 1, BatchSize: defaultBatchSize, Shuffle: true}, opts,
		"Epochs", "BatchSize", "Shuffle", "Callbacks", "Progress", "RunDir", "Resume")
	if err != nil {
		return nil, err
	}
	e, err := data.examples("fit: data", false)
	if err != nil {
		return nil, err
	}
	for name, shape := range c.shapes {
		t, ok := e.Inputs[name]
		if !ok {
			return nil, fmt.Errorf("fit: no data for the step's input %q", name)
		}
		if !slices.Equal([]int(t.Shape), shape) {
			return nil, fmt.Errorf("fit: data.Inputs[%q]: float32 examples of shape %v wanted, got %v (%s)", name, shape, []int(t.Shape), kind(t.Ints != nil))
		}
		if t.Ints != nil { // class ids: the step's inputs are float32 (exact below 2^24)
			t.Floats, t.Ints = make([]float32, len(t.Ints)), nil
			for i, v := range e.Inputs[name].Ints {
				t.Floats[i] = float32(v)
			}
			e.Inputs[name] = t
		}
	}
	cbs, own, err := s.splitCallbacks()
	if err != nil {
		return nil, err
	}
	dir, cleanup, err := s.workDir()
	if err != nil {
		return nil, err
	}
	defer cleanup()
	cfg := c.config(s, cbs)
	sched := runner.Schedule{Epochs: s.epochs, BatchSize: s.batchSize, BatchSizeKey: "BatchSize", Shuffle: s.shuffle, Callbacks: cbs}
	r, err := runner.Begin(cfg, runner.Options{OutDir: dir, Out: s.out, Verbose: s.verbose, Callbacks: own, ResumeOrStart: s.resume}, sched)
	if err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	defer r.Close()
	spec := runner.FitSpec{Examples: e.Len()}
	if s.runDir != "" {
		spec.Report = func(h *runner.History) error { return h.WriteFiles(s.runDir) }
	}
	h, err := r.Fit(ctx, &customTraining{Custom: c, train: e}, spec)
	if err != nil {
		return h, fmt.Errorf("fit: %w", err)
	}
	return h, nil
}

// customTraining is a Custom fitted on train, as runner's loop drives it.
type customTraining struct {
	*Custom
	train *classifier.Examples
}

func (t *customTraining) Graph() *graphs.Graph          { return t.b.g }
func (t *customTraining) Session() *graphs.Session      { return t.sess }
func (t *customTraining) Variables() []*graphs.Variable { return t.b.g.Variables() }

// Weights are every network's variables.
func (t *customTraining) Weights() []*graphs.Variable {
	var out []*graphs.Variable
	for _, name := range t.b.order {
		out = append(out, t.b.nets[name].net.Variables()...)
	}
	return out
}

// TrainStep runs the step on the examples at idx and returns its logs.
func (t *customTraining) TrainStep(idx []int) (runner.Logs, error) {
	feeds := map[tf.Output]*tf.Tensor{}
	for name, x := range t.b.inputs {
		in := t.train.Inputs[name]
		row := len(in.Floats) / t.train.Len()
		buf := make([]float32, 0, len(idx)*row)
		for _, i := range idx {
			buf = append(buf, in.Floats[i*row:(i+1)*row]...)
		}
		tensor, err := graphs.NewTensor(buf, append([]int64{int64(len(idx))}, in.Shape.Int64s()...)...)
		if err != nil {
			return nil, err
		}
		feeds[x] = tensor
	}
	out, err := t.sess.Run(feeds, t.fetches, t.step...)
	if err != nil {
		return nil, fmt.Errorf("custom step: %w", err)
	}
	logs := runner.Logs{}
	for i, name := range t.b.logNames {
		logs[name] = graphs.Scalar64(out[i])
	}
	return logs, nil
}

// EndEpoch reports the optimizers' learning rates: learning_rate (the first's), then
// learning_rate_1, ...
func (t *customTraining) EndEpoch() (runner.Logs, error) {
	logs := runner.Logs{}
	for i, o := range t.b.opts {
		lr, err := t.sess.Scalar(o.LearningRate())
		if err != nil {
			return nil, err
		}
		key := "learning_rate"
		if i > 0 {
			key = fmt.Sprintf("learning_rate_%d", i)
		}
		logs[key] = lr
	}
	return logs, nil
}

func (t *customTraining) LearningRate() (float64, error) {
	return t.sess.Scalar(t.b.opts[0].LearningRate())
}

// SetLearningRate sets the first optimizer's learning rate to lr and scales the others by
// the same factor, as a GAN run keeps its two optimizers' ratio.
func (t *customTraining) SetLearningRate(lr float64) error {
	old, err := t.LearningRate()
	if err != nil {
		return err
	}
	for i, o := range t.b.opts {
		v := lr
		if i > 0 && old != 0 {
			cur, err := t.sess.Scalar(o.LearningRate())
			if err != nil {
				return err
			}
			v = cur * lr / old
		}
		if err := t.sess.SetScalar(o.LearningRate(), v); err != nil {
			return err
		}
	}
	return nil
}
