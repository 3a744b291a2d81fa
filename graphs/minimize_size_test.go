package graphs_test

import (
	"bytes"
	"fmt"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// chainGraph is a model of n weights in a chain (x·w1·w2·…·wn, each wi a 2×2 kernel,
// as a deep network's layers are), minimized by Adam: the training graph of a model with
// as many variables as DenseNet121's 364 weights when n is that large.
func chainGraph(tb testing.TB, n int) *graphs.Graph {
	tb.Helper()
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	x := s.Const([][]float32{{1, 2}})
	vars := make([]*graphs.Variable, n)
	for i := range vars {
		vars[i] = s.Sub(fmt.Sprintf("dense_%d", i)).NewVariable("kernel", tf.Float, []int64{2, 2}, graphs.GlorotUniform{}, true)
		x = op.MatMul(s.Op("MatMul"), x, vars[i].Value())
	}
	loss := op.Sum(s.Op("Sum"), op.Square(s.Op("Square"), x), s.Const([]int32{0, 1}))
	if _, err := graphs.NewAdam(s, "adam", graphs.AdamLearningRate, graphs.AdamBeta1, graphs.AdamBeta2, graphs.AdamEpsilon).Minimize(s, loss, vars); err != nil {
		tb.Fatalf("Minimize of %d variables: %v", n, err)
	}
	return g
}

func graphBytes(tb testing.TB, g *graphs.Graph) int {
	tb.Helper()
	var b bytes.Buffer
	if _, err := g.TF().WriteTo(&b); err != nil {
		tb.Fatal(err)
	}
	return b.Len()
}

// TestMinimizeGraphGrowsLinearly: a training graph of twice the variables is about twice
// the size (its GraphDef's bytes, which count every op and edge, control edges included).
// Each update depending directly on every variable read made it grow with the square of
// the variables: millions of edges and minutes of building for DenseNet121.
func TestMinimizeGraphGrowsLinearly(t *testing.T) {
	small, big := graphBytes(t, chainGraph(t, 60)), graphBytes(t, chainGraph(t, 120))
	ratio := float64(big) / float64(small)
	t.Logf("GraphDef: %d bytes for 60 variables, %d for 120 (×%.2f)", small, big, ratio)
	// Linear growth gives a little over 2 (op names grow a digit); quadratic control
	// edges gave 3.9 here.
	if ratio > 2.5 {
		t.Errorf("the training graph of 120 variables is %.2f× that of 60 (%d / %d bytes); want about 2×", ratio, big, small)
	}
}

// BenchmarkMinimizeChain builds the training graph of a chain of 400 weights: the loss's
// gradients with respect to each (graphs.Gradients checks each reaches the loss) and
// Adam's updates.
func BenchmarkMinimizeChain(b *testing.B) {
	for b.Loop() {
		chainGraph(b, 400)
	}
}
