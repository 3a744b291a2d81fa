package configs

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// The memory estimate: what a run of a config holds at its peak, computed from the
// inferred shapes before any data is read or any tensor allocated (see EstimateMemory).
//
// What is counted, all float32 (4 bytes) unless said:
//   - every weight, times (1 + 1 gradient + the optimizer's slots + 1 for the initial
//     values the Go initialisers generate and the copies a checkpoint save makes, + 1
//     for EarlyStopping's best weights when it restores them); BatchNormalization's
//     moving statistics have neither gradient nor slots;
//   - one training step's activations: every layer's output and what it keeps for the
//     backward pass (Tensor.Kept: an LSTM's 7 gate values per step, a dropout mask ...),
//     times the batch size (activationFactor);
//     a GAN step runs the generator on a batch and the discriminator on a real and a
//     generated batch;
//   - the data as the loaders hold it: IMDB's padded int32 ids of both splits and its
//     texts while the vocabulary is built (imdbTextBytes); an image data set's raw bytes
//     (rawImageCopies) and the float32 pixels of the examples used; own files only as
//     far as the config tells (see Notes).
//
// Not counted: TensorFlow's runtime and the Go program themselves (about 230 MB with
// TensorFlow loaded, the same for every config), the Go heap's headroom (the collector
// lets the heap grow to twice what is live), and the kernels' scratch space. The test
// TestMemoryEstimateVsRSS (cmd/tfrun) holds the estimate to the measured peak RSS.

// bytesPerValue is the size of a float32, an int32 id.
const bytesPerValue = 4

// activationFactor is how many times a step holds its forward activations: once, kept
// for the backward pass; TensorFlow's executor frees each activation gradient once its
// layer's gradient is computed, so they add about one layer's worth, not a second copy
// (measured: a factor of 2 put gan_mnist's estimate above its peak RSS).
const activationFactor = 1

// imdbTextBytes is what the IMDB loader holds besides the ids while it builds the
// vocabulary: the 25,000 training reviews' texts and tokens (Go strings), the same for
// every IMDB config. Measured on 2026-12-06 as the peak RSS of a -limit 256 run of an
// Embedding(20000, 1) → GlobalAveragePooling1D → Dense model minus that of a process
// with TensorFlow loaded and nothing built: 515 MB − 233 MB = 282 MB.
const imdbTextBytes = 270 << 20

// rawImageCopies is how many copies of an image data set's raw bytes a run holds at
// its peak: a load holds the decoded files and the training images concatenated from
// them (2); a kind that evaluates on the test split (a classifier; see Kind.NoValidation)
// loads the file twice, for its training and its test split, and
// the first load's copies are not always collected before the second's peak (3;
// measured: cifar_classifier's peak RSS minus the baseline was 1.8 times an estimate
// that counted 2).
func rawImageCopies(k Kind) float64 {
	if k.NoValidation == "" {
		return 3
	}
	return 2
}

// Examples of the built-in data sets (train, test), as the loaders read them.
var builtinExamples = map[string][2]int{
	DatasetIMDB:         {25000, 25000},
	DatasetMNIST:        {60000, 10000},
	DatasetFashionMNIST: {60000, 10000},
	DatasetCIFAR10:      {50000, 10000},
}

// ownImageCacheLimit is the size below which own images are decoded once and cached
// (datasets' 1 GiB rule), and streamBatches the batches a stream holds at a time.
const (
	ownImageCacheLimit = 1 << 30
	streamBatches      = 3
)

// MemoryTerm is one part of a memory estimate.
type MemoryTerm struct {
	// What says what is held, e.g. "model.layers[1] (LSTM) kernel [32, 4·32]".
	What string
	// Key is the config key of the largest factor of the term, Value that factor
	// (e.g. model.layers[1].units, 32): what to change to make the term smaller.
	Key   string
	Value string
	// Bytes is the term's size.
	Bytes float64
}

// MemoryEstimate is what a run of a config needs in memory, term by term.
type MemoryEstimate struct {
	Terms []MemoryTerm
	// Notes say what the config cannot tell and the estimate leaves out (the number of
	// own files before they are listed).
	Notes []string
}

// Total is the sum of the terms, in bytes.
func (e *MemoryEstimate) Total() float64 {
	var t float64
	for _, term := range e.Terms {
		t += term.Bytes
	}
	return t
}

// Largest is the term that contributes most.
func (e *MemoryEstimate) Largest() MemoryTerm {
	var best MemoryTerm
	for _, t := range e.Terms {
		if t.Bytes > best.Bytes {
			best = t
		}
	}
	return best
}

// String lists the terms, largest first, and the total.
func (e *MemoryEstimate) String() string {
	terms := slices.Clone(e.Terms)
	slices.SortStableFunc(terms, func(a, b MemoryTerm) int {
		switch {
		case a.Bytes > b.Bytes:
			return -1
		case a.Bytes < b.Bytes:
			return 1
		}
		return 0
	})
	var b strings.Builder
	for _, t := range terms {
		fmt.Fprintf(&b, "%10s  %s (%s)\n", formatBytes(t.Bytes), t.What, t.Key)
	}
	fmt.Fprintf(&b, "%10s  total\n", formatBytes(e.Total()))
	for _, n := range e.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return b.String()
}

// EstimateMemory estimates what a run of the config needs in memory at its peak, with
// -limit limit (0: all the data). The config must have been validated. The error, an
// [*Error] wrapping [ErrBadValue] and naming the key at fault, says that a tensor the run
// would build has more elements than TensorFlow can count (an int64 overflow) or a
// dimension beyond the int32 that tfrun's graphs take; with the latter the estimate is
// returned too.
func (c *Config) EstimateMemory(limit int) (*MemoryEstimate, error) {
	m := &memoryWalk{checker: checker{file: c.File}, est: &MemoryEstimate{}, dataKey: "data.dataset", dataValue: c.Data.Dataset}
	if c.Data.Own() {
		m.dataKey, m.dataValue = "data.format", c.Data.Format
	}
	if err := m.config(c, limit); err != nil {
		return nil, err
	}
	return m.est, m.dimErr
}

// CheckMemory refuses a run whose memory estimate (EstimateMemory with limit) exceeds
// available bytes, naming the key of the largest term; where says where available comes
// from ("MemTotal", "cgroup memory.max").
func (c *Config) CheckMemory(limit int, available int64, where string) error {
	est, err := c.EstimateMemory(limit)
	if est == nil {
		return err
	}
	total := est.Total()
	if total <= float64(available) {
		return err // nil, or a dimension beyond int32
	}
	big := est.Largest()
	ch := checker{file: c.File}
	return ch.bad(big.Key, "%s: %s alone needs %s (the whole run an estimated %s); this machine has %s (%s)",
		big.Value, big.What, formatBytes(big.Bytes), formatBytes(total), formatBytes(float64(available)), where)
}

// checkSizes is Validate's last check: no tensor beyond what TensorFlow and tfrun's
// graphs represent, and an estimate of the whole run (all the data) that fits the
// machine's memory (when it can be read).
func (c *Config) checkSizes() error {
	avail, where, ok := MachineMemory()
	if !ok {
		_, err := c.EstimateMemory(0)
		return err
	}
	return c.CheckMemory(0, avail, where)
}

// factor is one factor of a term's size with the config key it comes from ("" for a
// constant or the data set's own size).
type factor struct {
	n   int
	key string
	// shown, when set, is the key's value where n is less (a batch_size beyond the data:
	// n is the examples).
	shown int
}

// memoryWalk walks a config's layers, collecting terms.
type memoryWalk struct {
	checker
	est    *MemoryEstimate
	dimErr error // the first dimension beyond maxDim
	// dataKey and dataValue name what a term without a keyed factor (the data set's
	// size) is blamed on: data.dataset or data.format.
	dataKey, dataValue string
}

// add adds a term of bytes·Π factors·times; the factors' product (a tensor's element
// count) must fit an int64, and every keyed factor an int32 dimension.
func (m *memoryWalk) add(what string, bytes int, times float64, fs ...factor) error {
	n := 1
	var big factor
	for _, f := range fs {
		if f.key != "" && (big.key == "" || f.n > big.n) {
			big = f
		}
	}
	for _, f := range fs {
		var ok bool
		if n, ok = mulInt(n, f.n); !ok {
			name, _, _ := strings.Cut(what, " (with ")
			return m.bad(big.key, "%d: %s has %s elements, more than TensorFlow can count (int64 overflow)",
				big.n, name, factorsString(fs))
		}
	}
	key, value := big.key, fmt.Sprint(big.n)
	if big.shown != 0 {
		value = fmt.Sprint(big.shown)
	}
	if key == "" { // the data set's own size
		key, value = m.dataKey, m.dataValue
	}
	m.est.Terms = append(m.est.Terms, MemoryTerm{What: what, Key: key, Value: value,
		Bytes: float64(n) * float64(bytes) * times})
	return nil
}

// dims records the first keyed factor that is not a dimension tfrun's graphs take. It is
// reported after the memory check, whose message is the more telling one when both fail.
func (m *memoryWalk) dims(what string, fs []factor) {
	for _, f := range fs {
		if f.key != "" && f.n > maxDim && m.dimErr == nil {
			m.dimErr = m.bad(f.key, "%d is a dimension of %s; tfrun's graphs take dimensions up to %d (int32)",
				f.n, what, maxDim)
		}
	}
}

func factorsString(fs []factor) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = fmt.Sprint(f.n)
	}
	return strings.Join(s, "·")
}

// keyedShape is a shape with, for each dimension, the config key it comes from.
type keyedShape struct {
	dims Shape
	keys []string
}

func (s keyedShape) factors() []factor {
	fs := make([]factor, len(s.dims))
	for i, d := range s.dims {
		fs[i] = factor{n: d, key: s.keys[i]}
	}
	return fs
}

// network is one stack of layers being trained: its weights and its activations per
// example.
type network struct {
	name    string // "model", "gan.generator", ...
	weights []weightTerm
	acts    []actTerm
	out     keyedShape // a functional model's (first) output, after graph
}

type weightTerm struct {
	what   string
	fs     []factor
	frozen bool
}

type actTerm struct {
	what string
	fs   []factor
}

// memoryEstimator is a section whose model the estimate knows: it collects the model's
// terms and the data's (m.data) for a batch, whose key it names.
type memoryEstimator interface {
	estimateMemory(m *memoryWalk, c *Config, limit int) error
	batchKey() string
}

// config collects the terms of a validated config: its kind's model, or only its data
// when the estimate does not know the kind's model.
func (m *memoryWalk) config(c *Config, limit int) error {
	if e, ok := c.Section.(memoryEstimator); ok {
		return e.estimateMemory(m, c, limit)
	}
	m.est.Notes = append(m.est.Notes, fmt.Sprintf("task %s: the model is not estimated", c.Task))
	return m.data(c, limit, 0)
}

// supervised collects a classifier's terms: its model, its optimizer, a step on a batch
// and the data.
func (m *memoryWalk) supervised(c *Config, s *Supervised, limit int) error {
	in, ids, known := c.Data.InputShape()
	if !known {
		m.est.Notes = append(m.est.Notes, "the model's input shape is known only from the files: the model is not estimated")
		return m.data(c, limit, s.Train.BatchSize)
	}
	net := &network{name: "model"}
	if s.Model.Functional() {
		ins := map[string]keyedInput{}
		for _, x := range s.Model.Inputs {
			ins[x.Name] = keyedInput{m.inputKeys(c, in), ids}
		}
		if err := m.graph(net, "model", &s.Model, ins); err != nil {
			return err
		}
	} else if _, err := m.stack(net, "model.layers", s.Model.Layers, 0, m.inputKeys(c, in), ids); err != nil {
		return err
	}
	batch, err := m.batch("train.batch_size", s.Train.BatchSize, c.trainExamples(limit))
	if err != nil {
		return err
	}
	if err := m.weights(net, s.Train.Optimizer, "train.optimizer", restoresBest(s.Train.Callbacks)); err != nil {
		return err
	}
	if err := m.activations(net, batch, 1, "in a training step on a batch"); err != nil {
		return err
	}
	return m.data(c, limit, batch.n)
}

// gan collects a GAN's terms: both networks, both optimizers, a step on a batch, the
// sample grid and the images.
func (m *memoryWalk) gan(c *Config, limit int) error {
	g := c.GAN()
	gen := &network{name: "gan.generator"}
	noise := keyedShape{Shape{g.NoiseDim}, []string{"gan.noise_dim"}}
	images, err := m.network(gen, "gan.generator", &g.Generator, noise)
	if err != nil {
		return err
	}
	disc := &network{name: "gan.discriminator"}
	if _, err := m.network(disc, "gan.discriminator", &g.Discriminator, images); err != nil {
		return err
	}
	batch, err := m.batch("gan.batch_size", g.BatchSize, c.trainExamples(limit))
	if err != nil {
		return err
	}
	restore := restoresBest(c.Adversarial().Train.Callbacks)
	if err := m.weights(gen, g.GeneratorOptimizer, "gan.generator_optimizer", restore); err != nil {
		return err
	}
	if err := m.weights(disc, g.DiscriminatorOptimizer, "gan.discriminator_optimizer", restore); err != nil {
		return err
	}
	if err := m.activations(gen, batch, 1, "in a training step on a batch"); err != nil {
		return err
	}
	// The discriminator sees a real and a generated batch.
	if err := m.activations(disc, batch, 2, "in a training step on a real and a generated batch"); err != nil {
		return err
	}
	grid := factor{key: "gan.sample_grid"}
	var ok bool
	if grid.n, ok = mulInt(g.SampleGrid[0], g.SampleGrid[1]); !ok {
		return m.bad("gan.sample_grid", "%v: rows·cols overflows int64", g.SampleGrid)
	}
	m.dims("the sample grid's batch", []factor{grid})
	// The sample grid: the generator on rows·cols noise vectors, forward only.
	for _, a := range gen.acts {
		if err := m.add(a.what+" for the sample grid", bytesPerValue, 1, append([]factor{grid}, a.fs...)...); err != nil {
			return err
		}
	}
	return m.data(c, limit, batch.n)
}

// network walks a GAN network: a stack's layers on in; a functional graph's calls, its
// main input being in, its label class ids of shape [1].
func (m *memoryWalk) network(net *network, path string, n *Network, in keyedShape) (keyedShape, error) {
	if !n.Functional() {
		return m.stack(net, path+".layers", n.Layers, 0, in, false)
	}
	ins := map[string]keyedInput{}
	for _, x := range n.Inputs {
		ins[x.Name] = keyedInput{in, false}
		if x.Name == GANLabelInput {
			ins[x.Name] = keyedInput{keyedShape{Shape{1}, []string{""}}, true}
		}
	}
	if err := m.graph(net, path, n.Model(), ins); err != nil {
		return keyedShape{}, err
	}
	return net.out, nil
}

// stack walks layers applied in order to in, collecting each layer's weights and
// activations into net.
func (m *memoryWalk) stack(net *network, path string, ls []Layer, first int, in keyedShape, ids bool) (keyedShape, error) {
	for i := range ls {
		l := &ls[i]
		p := indexPath(path, first+i)
		out, err := l.OutputShape(in.dims, ids)
		if err != nil {
			return keyedShape{}, m.shapeError(p, l, err) // unreachable after Validate
		}
		in = m.layerTerms(net, p, l, in, keyedShape{out, outputKeys(l, p, in, out)}, true)
		ids = false
	}
	return in, nil
}

// layerTerms adds a layer's weights (unless shared with an earlier call) and its
// activations, for input in and output kout, and returns kout.
func (m *memoryWalk) layerTerms(net *network, p string, l *Layer, in, kout keyedShape, weights bool) keyedShape {
	out := kout.dims
	spec := l.Spec()
	name := fmt.Sprintf("%s (%s)", p, l.Type)
	if spec.Weights != nil && weights {
		for _, w := range spec.Weights(l, in.dims) {
			fs := tensorFactors(l, p, in, w.Dims)
			what := fmt.Sprintf("%s %s %s", name, w.Name, shapeString(w.Dims))
			m.dims(what, fs)
			net.weights = append(net.weights, weightTerm{what: what, fs: fs, frozen: w.Frozen})
		}
	}
	m.dims(name+" output "+out.String(), kout.factors())
	net.acts = append(net.acts, actTerm{what: name + " output " + out.String(), fs: kout.factors()})
	if spec.Kept != nil {
		for _, k := range spec.Kept(l, in.dims, out) {
			net.acts = append(net.acts, actTerm{what: fmt.Sprintf("%s %s %s", name, k.Name, shapeString(k.Dims)),
				fs: tensorFactors(l, p, in, k.Dims)})
		}
	}
	return kout
}

// keyedInput is a functional model's input: its keyed shape and whether it is ids.
type keyedInput struct {
	shape keyedShape
	ids   bool
}

// graph walks a functional model's layer calls in order, each on the tensors it is
// called on (ins: the inputs, by name); a reused layer's weights count once. net.out is
// then the (first) output's keyed shape.
func (m *memoryWalk) graph(net *network, path string, model *Model, ins map[string]keyedInput) error {
	g, err := (&checker{}).graph(path, model)
	if err != nil {
		return m.bad(path, "%v", err) // unreachable after Validate
	}
	tensors := map[string]keyedShape{}
	isIDs := map[string]bool{}
	for _, x := range g.Inputs {
		tensors[x.Name], isIDs[x.Name] = ins[x.Name].shape, ins[x.Name].ids
	}
	for _, n := range g.Nodes {
		l := n.Config
		ins := make([]keyedShape, len(n.Call))
		dims := make([]Shape, len(n.Call))
		for k, t := range n.Call {
			ins[k], dims[k] = tensors[t], tensors[t].dims
		}
		var out Shape
		if spec := l.Spec(); spec.Merge {
			out, err = spec.MergeShape(l, dims)
		} else {
			out, err = l.OutputShape(dims[0], isIDs[n.Call[0]])
		}
		if err != nil {
			return m.shapeError(n.Path, l, err) // unreachable after Validate
		}
		// The output's keys: those of an input of the same size, else the layer's.
		all := keyedShape{}
		for _, x := range ins {
			all.dims = append(all.dims, x.dims...)
			all.keys = append(all.keys, x.keys...)
		}
		kout := keyedShape{out, outputKeys(l, n.Path, all, out)}
		tensors[n.Tensor] = m.layerTerms(net, n.Path, l, ins[0], kout, !n.Reused())
	}
	net.out = tensors[g.Outputs[0]]
	return nil
}

// weights adds a network's weights, each with its gradient, the optimizer's slots, the
// initial values and a save's copy, and (restore) EarlyStopping's best weights.
func (m *memoryWalk) weights(net *network, o Optimizer, optPath string, restore bool) error {
	for _, w := range net.weights {
		copies, what := 2.0, "(with its initial values)"
		if !w.frozen {
			copies += 1 + float64(o.Slots())
			what = fmt.Sprintf("(with its gradient, initial values and %d %s slots)", o.Slots(), o.Type)
		}
		if restore {
			copies++
			what = strings.TrimSuffix(what, ")") + ", best weights)"
		}
		if err := m.add(w.what+" "+what, bytesPerValue, copies, w.fs...); err != nil {
			return err
		}
	}
	return nil
}

// activations adds a network's activations for times·batch examples.
func (m *memoryWalk) activations(net *network, batch factor, times float64, what string) error {
	if batch.shown != 0 {
		what += fmt.Sprintf(" of %d (all the training examples)", batch.n)
	}
	for _, a := range net.acts {
		fs := append([]factor{batch}, a.fs...)
		if err := m.add(a.what+" "+what, bytesPerValue, times*activationFactor, fs...); err != nil {
			return err
		}
	}
	return nil
}

// batch is the batch size of a step as a factor: the configured one, or all the
// training examples when there are fewer (Keras's last and only batch).
func (m *memoryWalk) batch(key string, size, examples int) (factor, error) {
	f := factor{n: size, key: key}
	m.dims("every batch", []factor{f})
	if examples > 0 && examples < size {
		f.n, f.shown = examples, size
	}
	return f, nil
}

// data adds the data as the loaders hold it.
func (m *memoryWalk) data(c *Config, limit, batch int) error {
	d := c.Data
	kind, _ := c.Kind()
	used := func(n int) int {
		if limit > 0 && limit < n {
			return limit
		}
		return n
	}
	if n, ok := builtinExamples[d.Dataset]; ok && !d.Own() {
		if d.Dataset == DatasetIMDB {
			m.est.Terms = append(m.est.Terms, MemoryTerm{What: "IMDB's training reviews and their tokens while the vocabulary is built",
				Key: "data.dataset", Value: d.Dataset, Bytes: imdbTextBytes})
			ids := used(n[0]) + used(n[1])
			return m.add(fmt.Sprintf("the padded ids of %d IMDB reviews (int32)", ids), bytesPerValue, 1,
				factor{n: ids, key: ""}, factor{n: d.Maxlen, key: "data.maxlen"})
		}
		s := imageShapes[d.Dataset]
		image := []factor{{n: s[0], key: ""}, {n: s[1], key: ""}, {n: s[2], key: ""}}
		if err := m.add(fmt.Sprintf("the raw %s images (bytes, read and concatenated)", d.Dataset), 1, rawImageCopies(kind),
			append([]factor{{n: n[0] + n[1], key: ""}}, image...)...); err != nil {
			return err
		}
		examples := used(n[0])
		if kind.NoValidation == "" { // it evaluates on the test split
			examples += used(n[1])
		}
		return m.add(fmt.Sprintf("the scaled pixels of %d %s images", examples, d.Dataset), bytesPerValue, 1,
			append([]factor{{n: examples, key: ""}}, image...)...)
	}
	switch d.Format {
	case FormatImageDirectory:
		s := d.ImageSizeOrDefault()
		fs := []factor{{n: batch, key: batchKey(c)}, {n: s[0], key: "data.image_size"}, {n: s[1], key: "data.image_size"}, {n: d.Channels(), key: ""}}
		if d.Cache != nil && *d.Cache {
			m.est.Notes = append(m.est.Notes, "data.cache: true holds every decoded image; their number is unknown before the folder is listed")
		} else {
			m.est.Notes = append(m.est.Notes, "own images are cached when they fit in 1 GiB (not counted), else streamed (counted)")
		}
		return m.add(fmt.Sprintf("%d streamed batches of images", streamBatches), bytesPerValue, streamBatches, fs...)
	case FormatTextDirectory:
		m.est.Notes = append(m.est.Notes, "own texts: maxlen int32 ids per file; the number of files is unknown before the folder is listed")
		return m.add("one padded text (int32 ids)", bytesPerValue, 1, factor{n: d.Maxlen, key: "data.maxlen"})
	case FormatCSV:
		m.est.Notes = append(m.est.Notes, "own CSV rows: the number of rows is unknown before the file is read")
	}
	return nil
}

// batchKey is the key of the config's batch size.
func batchKey(c *Config) string {
	if e, ok := c.Section.(memoryEstimator); ok {
		return e.batchKey()
	}
	return ""
}

// trainExamples is the number of training examples a run uses, 0 when only the files
// tell.
func (c *Config) trainExamples(limit int) int {
	n, ok := builtinExamples[c.Data.Dataset]
	if !ok || c.Data.Own() {
		return 0
	}
	if limit > 0 && limit < n[0] {
		return limit
	}
	return n[0]
}

// restoresBest reports whether an EarlyStopping of callbacks keeps a copy of the best
// weights.
func restoresBest(callbacks []Callback) bool {
	for _, cb := range callbacks {
		if cb.Type == CallbackEarlyStopping && cb.RestoreBestWeights {
			return true
		}
	}
	return false
}

// inputKeys keys a classifier's input shape to the data keys that set it.
func (m *memoryWalk) inputKeys(c *Config, in Shape) keyedShape {
	keys := make([]string, len(in))
	d := c.Data
	switch {
	case d.Dataset == DatasetIMDB || d.Format == FormatTextDirectory:
		keys[0] = "data.maxlen"
	case d.Format == FormatImageDirectory:
		keys[0], keys[1], keys[2] = "data.image_size", "data.image_size", "data.color_mode"
	case d.Format == FormatCSV:
		keys[0] = "data.feature_columns"
	}
	return keyedShape{in, keys}
}

// outputKeys says which config key each dimension of a layer's output comes from: the
// layer's argument of that value (units, filters ...) for its last dimension, else the
// input dimension of that value, else (a computed length) the largest of the layer's
// arguments and input dimensions.
func outputKeys(l *Layer, path string, in keyedShape, out Shape) []string {
	keys := make([]string, len(out))
	args := intArgs(l, path)
	for i, d := range out {
		if i == len(out)-1 {
			if k, ok := args[d]; ok {
				keys[i] = k
				continue
			}
		}
		if i < len(in.dims) && in.dims[i] == d {
			keys[i] = in.keys[i]
			continue
		}
		keys[i] = dimKey(d, args, in)
		if keys[i] == "" {
			keys[i] = largestKey(args, in)
		}
	}
	return keys
}

// tensorFactors keys a weight's or kept tensor's dims: an argument or an input dimension
// of that value; a constant (4 gates) has no key.
func tensorFactors(l *Layer, path string, in keyedShape, dims Shape) []factor {
	args := intArgs(l, path)
	fs := make([]factor, len(dims))
	for i, d := range dims {
		fs[i] = factor{n: d, key: dimKey(d, args, in)}
	}
	return fs
}

// dimKey is the key of an argument, else of an input dimension, of value d.
func dimKey(d int, args map[int]string, in keyedShape) string {
	if k, ok := args[d]; ok {
		return k
	}
	for j, v := range in.dims {
		if v == d {
			return in.keys[j]
		}
	}
	return ""
}

// largestKey is the key of the largest of a layer's arguments and input dimensions.
func largestKey(args map[int]string, in keyedShape) string {
	best, key := math.MinInt, ""
	for v, k := range args {
		if v > best || v == best && k < key {
			best, key = v, k
		}
	}
	for j, v := range in.dims {
		if v > best && in.keys[j] != "" {
			best, key = v, in.keys[j]
		}
	}
	return key
}

// intArgs maps the values of a layer's integer and pair arguments (a wrapped layer's
// included) to their keys; of two arguments with one value, the first in Keras's order.
func intArgs(l *Layer, path string) map[int]string {
	out := map[int]string{}
	for ; l != nil; l, path = l.Wrapped(), path+".layer" {
		spec := l.Spec()
		if spec == nil {
			return out
		}
		for _, a := range spec.Args {
			v, _ := l.value(a)
			var vals []int
			switch x := v.(type) {
			case int:
				vals = []int{x}
			case [2]int:
				vals = x[:]
			case [2][2]int:
				vals = []int{x[0][0], x[0][1], x[1][0], x[1][1]}
			case []int:
				vals = x
			}
			for _, n := range vals {
				if _, dup := out[n]; !dup && n > 0 {
					out[n] = join(path, a.Key)
				}
			}
		}
	}
	return out
}

// shapeString prints a tensor's dims as a product: [32, 4·32] reads "32×4×32".
func shapeString(dims Shape) string {
	s := make([]string, len(dims))
	for i, d := range dims {
		s[i] = fmt.Sprint(d)
	}
	return "[" + strings.Join(s, "×") + "]"
}
