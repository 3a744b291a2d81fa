package builders

import (
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// A frozen layer (Keras's trainable = False) makes non-trainable variables, its wrapped
// layers' too; the summary counts them as Keras's does; a frozen BatchNormalization's
// training call is its inference call and updates nothing; a frozen layer's kernel
// regularizer adds no penalty.
func TestFrozenLayers(t *testing.T) {
	hidden := NewDense("hidden", 4, "relu")
	hidden.KernelRegularizer = configs.Regularizer{L2: 0.5}
	bn := NewBatchNormalization("bn")
	rnn := NewBidirectional("bidi", NewLSTM("lstm", 2))
	head := NewDense("head", 3, "softmax")
	for _, l := range []Layer{hidden, bn, rnn} {
		if !Freeze(l) {
			t.Fatalf("Freeze(%s) = false", l.Name())
		}
	}
	m := NewSequential("", hidden, bn, NewReshape("reshape", 2, 2), rnn, head)
	g := graphs.NewGraph(tf.Float, 1)
	if err := m.Build(g.Root(), Shape{5}); err != nil {
		t.Fatal(err)
	}
	var trainable []string
	for _, v := range m.TrainableVariables() {
		trainable = append(trainable, v.Name)
	}
	if got, want := strings.Join(trainable, " "), "sequential/head/kernel sequential/head/bias"; got != want {
		t.Errorf("trainable variables %q, want %q", got, want)
	}
	for _, l := range []Layer{hidden, bn, rnn} {
		if l.(Trainable).Trainable() {
			t.Errorf("%s: Trainable() = true after Freeze", l.Name())
		}
	}
	// hidden 5·4+4 = 24, bn 4·4 = 16, bidi 2·(4·(2+2)·2+4·2) = 80 frozen; head 4·3+3 = 15
	// trains: Keras 3's counts of the same model (testdata/freeze_counts.py).
	sum := m.Summary()
	for _, s := range []string{"Total params: 135\n", "Trainable params: 15\n", "Non-trainable params: 120\n"} {
		if !strings.Contains(sum, s) {
			t.Errorf("summary lacks %q:\n%s", s, sum)
		}
	}
	x := g.Root().Placeholder("x", tf.Float, -1, 5)
	train, _ := m.Call(x, true)
	if !g.Root().Ok(train) {
		t.Fatal(g.Root().Err())
	}
	if u := m.Updates(); len(u) != 0 {
		t.Errorf("a frozen BatchNormalization's training call updates %d statistics, want none", len(u))
	}
	if p := hidden.Penalty(g.Root().Sub("penalty"), tf.Float); p.Op != nil {
		t.Errorf("a frozen Dense's kernel_regularizer adds a penalty (%s)", p.Op.Name())
	}
}

// A layer set to SetInferenceCall (a base called with training=False) keeps its trainable
// weights but is called in inference mode in training: a BatchNormalization then updates
// no statistics.
func TestInferenceCall(t *testing.T) {
	bn := NewBatchNormalization("bn")
	bn.SetInferenceCall(true)
	m := NewSequential("", NewDense("hidden", 4, "relu"), bn, NewDense("head", 3, "softmax"))
	g := graphs.NewGraph(tf.Float, 1)
	if err := m.Build(g.Root(), Shape{5}); err != nil {
		t.Fatal(err)
	}
	if got := len(m.TrainableVariables()); got != 6 {
		t.Errorf("%d trainable variables, want 6 (hidden's, bn's gamma and beta, head's)", got)
	}
	x := g.Root().Placeholder("x", tf.Float, -1, 5)
	if out, _ := m.Call(x, true); !g.Root().Ok(out) {
		t.Fatal(g.Root().Err())
	}
	if u := m.Updates(); len(u) != 0 {
		t.Errorf("a BatchNormalization called in inference mode updates %d statistics, want none", len(u))
	}
}
