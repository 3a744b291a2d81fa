package assemble

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// Every layer type configs registers has a builder, and every builder a configs type.
func TestRegistriesAgree(t *testing.T) {
	var want []string
	for _, s := range configs.LayerSpecs() {
		want = append(want, s.Type)
	}
	if got := builders.ConfigTypes(); !slices.Equal(got, want) {
		t.Errorf("builders build %v\nconfigs registers %v", got, want)
	}
}

// layerCase is one config layer the walk builds.
type layerCase struct {
	name  string
	layer configs.Layer
	arg   string // the argument varied, "" for the defaults
	value any
}

// required returns a layer of spec's type with its defaults and each required argument at
// its first test value (a wrapped layer: the first type it takes, likewise).
func required(t *testing.T, spec *configs.LayerSpec) configs.Layer {
	t.Helper()
	l, err := configs.NewLayer(spec.Type)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range spec.Args {
		if a.Required {
			set(t, &l, a, a.TestValues()[0])
		}
	}
	return l
}

// set sets argument a of l to v (for a layer argument, v names the type).
func set(t *testing.T, l *configs.Layer, a configs.Arg, v any) {
	t.Helper()
	if a.Kind == configs.KindLayer {
		inner, _ := configs.LookupLayer(v.(string))
		v = required(t, inner)
	}
	if err := l.Set(a.Key, v); err != nil {
		t.Fatal(err)
	}
}

// cases are a spec's defaults and each test value of each argument on top of them; a
// wrapper's are those of each layer it takes, with each of that layer's cases.
func cases(t *testing.T, spec *configs.LayerSpec) []layerCase {
	base := required(t, spec)
	out := []layerCase{{name: "defaults", layer: base}}
	for _, a := range spec.Args {
		for _, v := range a.TestValues() {
			if a.Kind == configs.KindLayer {
				inner, _ := configs.LookupLayer(v.(string))
				for _, ic := range cases(t, inner) {
					if ic.arg != "" && ic.arg != "return_sequences" { // the wrapped type's own walk has the rest
						continue
					}
					l := base.Clone()
					if err := l.Set(a.Key, ic.layer); err != nil {
						t.Fatal(err)
					}
					key := a.Key + "." + ic.arg
					if ic.arg == "" {
						key = a.Key
					}
					out = append(out, layerCase{name: fmt.Sprintf("%s=%s/%s", a.Key, v, ic.name), layer: l, arg: key, value: fmt.Sprint(v, ic.value)})
				}
				continue
			}
			l := base.Clone()
			set(t, &l, a, v)
			out = append(out, layerCase{name: fmt.Sprintf("%s=%v", a.Key, v), layer: l, arg: a.Key, value: v})
		}
	}
	return out
}

// The walk: every registered layer type, with its defaults and with every test value of
// every argument (a wrapper's layer: each type it takes, returning sequences or not), that
// configs accepts for the type's example input, builds: its output shape is configs'
// inferred one, and a training step's graph (dropout on, gradients to every weight) and an
// inference graph run on a batch, giving finite values of that shape. This is what makes
// a config that loads one that builds. Every test value of the type's own arguments must
// be accepted by at least one case, so none goes unchecked. (One graph and session per
// type keeps it fast.)
func TestEveryLayerBuilds(t *testing.T) {
	n := 0
	for _, spec := range configs.LayerSpecs() {
		if spec.Merge { // several inputs: builders' merge tests
			continue
		}
		t.Run(spec.Type, func(t *testing.T) {
			accepted := map[string]bool{}
			tried := map[string]bool{}
			w := newWalk(spec)
			for i, c := range cases(t, spec) {
				key := fmt.Sprintf("%s=%v", c.arg, c.value)
				if c.arg != "" && !strings.Contains(c.arg, ".") { // a wrapped layer's own are its type's
					tried[key] = true
				}
				if c.layer.Validate() != nil {
					continue
				}
				want, err := c.layer.OutputShape(spec.Example, spec.TakesIDs)
				if err != nil {
					continue
				}
				accepted[key] = true
				n++
				implementation := builders.LSTMFused
				if i%2 == 1 {
					implementation = builders.LSTMUnrolled
				}
				if err := w.add(fmt.Sprintf("case%d", i), c.name, &c.layer, want, implementation); err != nil {
					t.Errorf("%s: %v", c.name, err)
				}
			}
			if err := w.run(); err != nil {
				t.Error(err)
			}
			for key := range tried {
				if !accepted[key] {
					t.Errorf("%s: never accepted with the example input %v, so never built", key, spec.Example)
				}
			}
		})
	}
	t.Logf("%d layers built and run", n)
}

// oneDNNChildEnv marks the test binary re-run by TestEveryLayerBuildsUnderOneDNN.
const oneDNNChildEnv = "TFRUN_ASSEMBLE_ONEDNN_CHILD"

// grapplerFailed matches the line TensorFlow's meta optimizer logs when one of grappler's
// passes fails on a graph, e.g. "meta_optimizer.cc:966] remapper failed: INVALID_ARGUMENT".
var grapplerFailed = regexp.MustCompile(`meta_optimizer\.cc:\d+\] \w+ failed: `)

// The walk again, in a child process with oneDNN on (TF_ENABLE_ONEDNN_OPTS=1, TensorFlow's
// default on recent Intel CPUs, whose grappler passes and kernels differ): it must pass,
// and no grappler pass may fail on any layer's graph (the remapper did on Conv2D with
// activation leaky_relu; see builders' leakyReLUOp).
func TestEveryLayerBuildsUnderOneDNN(t *testing.T) {
	if os.Getenv(oneDNNChildEnv) != "" {
		t.Skip("the child run")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestEveryLayerBuilds$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), oneDNNChildEnv+"=1", "TF_ENABLE_ONEDNN_OPTS=1", "TF_CPP_MIN_LOG_LEVEL=0")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestEveryLayerBuilds") {
		t.Fatalf("the walk with oneDNN on: %v\n%s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if grapplerFailed.MatchString(l) {
			t.Errorf("with oneDNN on: %s", l)
		}
	}
}

// walk builds the cases of one layer type into one graph on one input, and runs them
// together.
type walk struct {
	spec  *configs.LayerSpec
	g     *graphs.Graph
	x     tf.Output
	dims  []int64 // the input's, batch -1
	fetch []tf.Output
	what  []string
	want  [][]int64 // each fetch's shape, nil for a gradient
}

const walkBatch = 2

func newWalk(spec *configs.LayerSpec) *walk {
	w := &walk{spec: spec, g: graphs.NewGraph(tf.Float, 3)}
	w.dims = append([]int64{-1}, builders.Shape(spec.Example).Int64s()...)
	dtype := tf.Float
	if spec.TakesIDs {
		dtype = tf.Int32
	}
	w.x = w.g.Root().Placeholder("x", dtype, w.dims...)
	return w
}

// add builds one config layer in its own scope, training and inference calls and the
// gradients of the training output to each weight.
func (w *walk) add(scope, name string, c *configs.Layer, want configs.Shape, implementation string) error {
	layers, err := Layers([]configs.Layer{*c}, Namer{})
	if err != nil {
		return err
	}
	l := layers[0]
	if l.Type() != w.spec.Type || l.Name() != w.spec.DefaultName {
		return fmt.Errorf("made %s named %q, want %s named %q", l.Type(), l.Name(), w.spec.Type, w.spec.DefaultName)
	}
	setImplementation(l, implementation)
	s := w.g.Root().Sub(scope)
	out, err := l.Build(s, builders.Shape(w.spec.Example))
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	if !slices.Equal([]int(out), []int(want)) {
		return fmt.Errorf("builders' output shape %v, configs' %v", out, want)
	}
	train := op.Identity(s.Op("Identity"), l.Call(w.x, true))
	infer := op.Identity(s.Op("Identity"), l.Call(w.x, false))
	wantDims := append([]int64{walkBatch}, builders.Shape(want).Int64s()...)
	w.fetch = append(w.fetch, train, infer)
	w.what = append(w.what, name+": training output", name+": inference output")
	w.want = append(w.want, wantDims, wantDims)
	var weights []tf.Output
	for _, v := range l.Variables() {
		if v.Trainable {
			weights = append(weights, v.Value())
			w.what = append(w.what, name+": gradient of "+v.Name)
			w.want = append(w.want, nil)
		}
	}
	if len(weights) > 0 {
		loss := op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), train), op.Range(s.Op("Range"), s.Const(int32(0)), op.Rank(s.Op("Rank"), train), s.Const(int32(1))))
		grads, err := s.Gradients(loss, weights)
		if err != nil {
			return fmt.Errorf("gradients: %w", err)
		}
		w.fetch = append(w.fetch, grads...)
	}
	return s.Err()
}

// run runs every case on a batch and checks the outputs' shapes and finiteness.
func (w *walk) run() error {
	if len(w.fetch) == 0 {
		return nil
	}
	sess, err := graphs.NewSession(w.g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		return err
	}
	defer sess.Close()
	if err := sess.InitVariables(); err != nil {
		return err
	}
	size := walkBatch
	for _, d := range w.spec.Example {
		size *= d
	}
	shape := append([]int64{walkBatch}, w.dims[1:]...)
	var xt *tf.Tensor
	if w.spec.TakesIDs {
		ids := make([]int32, size) // id 0 suits every input_dim
		xt, err = graphs.NewTensor(ids, shape...)
	} else {
		vals := make([]float32, size)
		for i := range vals {
			vals[i] = float32(math.Sin(float64(i) + 0.5))
		}
		xt, err = graphs.NewTensor(vals, shape...)
	}
	if err != nil {
		return err
	}
	res, err := sess.Run(map[tf.Output]*tf.Tensor{w.x: xt}, w.fetch)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	for i, r := range res {
		if w.want[i] != nil && !slices.Equal(r.Shape(), w.want[i]) {
			return fmt.Errorf("%s of shape %v, want %v", w.what[i], r.Shape(), w.want[i])
		}
		for _, v := range graphs.Float64s(r) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%s: %v", w.what[i], v)
			}
		}
	}
	return nil
}

func setImplementation(l builders.Layer, implementation string) {
	if b, ok := l.(*builders.Bidirectional); ok {
		l = b.Layer
	}
	if lstm, ok := l.(*builders.LSTM); ok {
		lstm.Implementation = implementation
	}
}

// Unnamed layers get Keras's default names, a wrapper's layer first; named ones keep theirs.
func TestNamer(t *testing.T) {
	var ls []configs.Layer
	for _, typ := range []string{"LSTM", "Dense", "Dense", "LeakyReLU", "Bidirectional", "Dense"} {
		l, err := configs.NewLayer(typ)
		if err != nil {
			t.Fatal(err)
		}
		if spec := l.Spec(); typ == "Bidirectional" {
			set(t, &l, spec.Args[0], "LSTM")
		}
		ls = append(ls, l)
	}
	ls[5].Name = "out"
	for i := range ls {
		for _, a := range ls[i].Spec().Args {
			if a.Required && a.Kind != configs.KindLayer {
				set(t, &ls[i], a, a.TestValues()[0])
			}
		}
	}
	layers, err := Layers(ls, Namer{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range layers {
		got = append(got, l.Name())
	}
	bi := layers[4].(*builders.Bidirectional)
	got = append(got, bi.Layer.Name())
	if want := "lstm dense dense_1 leaky_re_lu bidirectional out lstm_1"; strings.Join(got, " ") != want {
		t.Errorf("names %q, want %q", strings.Join(got, " "), want)
	}
}
