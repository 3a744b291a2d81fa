package builders

import (
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// remapperChildEnv names the graph the test binary builds and runs when
// TestLeakyReLUUnderRemapper re-runs it (TestRemapperChild).
const remapperChildEnv = "TFRUN_BUILDERS_REMAPPER_CHILD"

// remapperFailed is what TensorFlow's grappler logs when its remapper gives up on a
// graph.
const remapperFailed = "remapper failed"

// remapperGraph builds a forward pass on x, a [batch, 5, 5, 3] input, returning its output
// and weights.
type remapperGraph struct {
	name  string
	build func(s *graphs.Scope, x tf.Output) (tf.Output, []*graphs.Variable, error)
}

// remapperGraphs build a training step whose forward is Conv2D+BiasAdd+LeakyRelu: the
// raw op with the registry's gradient (the failing pattern, kept as a control), and the
// three ways a config writes it.
var remapperGraphs = []remapperGraph{
	{"registry gradient", func(s *graphs.Scope, x tf.Output) (tf.Output, []*graphs.Variable, error) {
		c := NewConv2D("conv2d", 4, [2]int{2, 2}, [2]int{1, 1}, "valid")
		if _, err := c.Build(s, Shape{5, 5, 3}); err != nil {
			return tf.Output{}, nil, err
		}
		y := conv2DOp(c.scope, x, c.scope.Read(c.kernel), c.scope.Read(c.bias), c.Strides, c.Padding)
		return op.LeakyRelu(c.scope.Op("LeakyRelu"), y, op.LeakyReluAlpha(0.2)), c.Variables(), nil
	}},
	{"Conv2D(activation: leaky_relu)", func(s *graphs.Scope, x tf.Output) (tf.Output, []*graphs.Variable, error) {
		c := NewConv2D("conv2d", 4, [2]int{2, 2}, [2]int{1, 1}, "valid")
		c.Activation = "leaky_relu"
		return stack(s, x, c)
	}},
	{"Conv2D, Activation(leaky_relu)", func(s *graphs.Scope, x tf.Output) (tf.Output, []*graphs.Variable, error) {
		return stack(s, x, NewConv2D("conv2d", 4, [2]int{2, 2}, [2]int{1, 1}, "valid"), NewActivation("activation", "leaky_relu"))
	}},
	{"Conv2D, LeakyReLU", func(s *graphs.Scope, x tf.Output) (tf.Output, []*graphs.Variable, error) {
		return stack(s, x, NewConv2D("conv2d", 4, [2]int{2, 2}, [2]int{1, 1}, "valid"), NewLeakyReLU("leaky_re_lu", 0.2))
	}},
}

// stack builds layers on a [5, 5, 3] input and calls them in training mode.
func stack(s *graphs.Scope, x tf.Output, layers ...Layer) (tf.Output, []*graphs.Variable, error) {
	in := Shape{5, 5, 3}
	var vars []*graphs.Variable
	for _, l := range layers {
		out, err := l.Build(s, in)
		if err != nil {
			return tf.Output{}, nil, err
		}
		in = out
		x = l.Call(x, true)
		vars = append(vars, l.Variables()...)
	}
	return x, vars, nil
}

// With oneDNN on, TensorFlow 2.18's remapper fails on a Conv2D+BiasAdd+LeakyRelu whose
// gradient reads the BiasAdd (see leakyReLUOp). Each way a config
// writes that forward runs a training step in a child process with
// TF_ENABLE_ONEDNN_OPTS=1; its standard error must not carry the remapper's failure.
// The registry's gradient is the control that shows the check can fail: if this
// TensorFlow's remapper no longer fails on it (fixed, or built without oneDNN), the test
// is skipped, having nothing to prove.
func TestLeakyReLUUnderRemapper(t *testing.T) {
	if os.Getenv(remapperChildEnv) != "" {
		t.Skip("the child run")
	}
	run := func(name string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRemapperChild$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), remapperChildEnv+"="+name, "TF_ENABLE_ONEDNN_OPTS=1", "TF_CPP_MIN_LOG_LEVEL=0")
		out, err := cmd.CombinedOutput()
		if err == nil && !strings.Contains(string(out), "--- PASS: TestRemapperChild") {
			err = exec.ErrNotFound // the child ran no test
		}
		return string(out), err
	}
	out, err := run("registry gradient")
	if !strings.Contains(out, remapperFailed) {
		t.Skipf("the control (LeakyRelu with the registry's gradient after Conv2D+BiasAdd, oneDNN on) logs no %q here (child: %v), so the check proves nothing:\n%s", remapperFailed, err, out)
	}
	for _, c := range remapperGraphs[1:] {
		t.Run(c.name, func(t *testing.T) {
			out, err := run(c.name)
			if err != nil || strings.Contains(out, remapperFailed) {
				t.Errorf("child: %v\n%s", err, out)
			}
		})
	}
}

// TestRemapperChild is the child run of TestLeakyReLUUnderRemapper: the graph
// remapperChildEnv names, one training step (forward and gradients) on a batch of 2,
// whose values must be finite.
func TestRemapperChild(t *testing.T) {
	name := os.Getenv(remapperChildEnv)
	if name == "" {
		t.Skip("run by TestLeakyReLUUnderRemapper")
	}
	i := slices.IndexFunc(remapperGraphs, func(c remapperGraph) bool { return c.name == name })
	if i < 0 {
		t.Fatalf("%s=%q: no such graph", remapperChildEnv, name)
	}
	build := remapperGraphs[i].build
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	x := s.Placeholder("x", tf.Float, -1, 5, 5, 3)
	y, vars, err := build(s.Sub("case"), x)
	if err != nil {
		t.Fatal(err)
	}
	out := op.Identity(s.Op("Identity"), y)
	loss := op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), out), s.Const([]int32{0, 1, 2, 3}))
	var weights []tf.Output
	for _, v := range vars {
		weights = append(weights, v.Value())
	}
	grads, err := s.Gradients(loss, weights)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.InitVariables(); err != nil {
		t.Fatal(err)
	}
	vals := make([]float32, 2*5*5*3)
	for i := range vals {
		vals[i] = float32(math.Sin(float64(i) + 0.5))
	}
	xt, err := graphs.NewTensor(vals, 2, 5, 5, 3)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sess.Run(map[tf.Output]*tf.Tensor{x: xt}, append([]tf.Output{out}, grads...))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		for _, v := range graphs.Float64s(r) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("fetch %d: %v", i, v)
			}
		}
	}
}
