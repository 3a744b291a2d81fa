package graphs_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// kerasSparseCase is one case of testdata/keras_sparse_optimizers.json (made by
// testdata/keras/make_sparse_golden.py): an optimizer config, a table and a bias, three
// steps of looked-up ids with one gradient row per occurrence and a bias gradient, and
// Keras 3's variables and slots after each step, the table's gradient given to Keras as a
// tf.IndexedSlices.
type kerasSparseCase struct {
	Name          string         `json:"name"`
	Config        map[string]any `json:"config"`
	Embeddings    []float64      `json:"embeddings"`
	Bias          []float64      `json:"bias"`
	IDs           [][]int32      `json:"ids"`
	Rows          [][]float64    `json:"rows"`
	BiasGradients [][]float64    `json:"bias_gradients"`
	Steps         []struct {
		Embeddings []float64            `json:"embeddings"`
		Bias       []float64            `json:"bias"`
		Slots      map[string][]float64 `json:"slots"`
	} `json:"steps"`
}

func loadKerasSparseCases(t *testing.T) ([]int64, []kerasSparseCase) {
	t.Helper()
	b, err := os.ReadFile("testdata/keras_sparse_optimizers.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Shape []int64           `json:"shape"`
		Cases []kerasSparseCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("testdata/keras_sparse_optimizers.json: %v", err)
	}
	if len(doc.Cases) == 0 || len(doc.Shape) != 2 {
		t.Fatal("testdata/keras_sparse_optimizers.json has no cases or no table shape")
	}
	return doc.Shape, doc.Cases
}

// sparseProblem is a golden case's graph: the table looked up by Scope.Gather at ids fed
// in splits lookups (one Gather each), the loss Σ rows·fed-rows + Σ bias·fed-gradient, so
// that each occurrence's gradient row is exactly the fed one.
type sparseProblem struct {
	table, bias *graphs.Variable
	ids, rows   []tf.Output // placeholders, one per lookup
	biasGrad    tf.Output
	opt         graphs.Optimizer
	train       *tf.Operation
	sess        *graphs.Session
}

func newSparseProblem(t *testing.T, shape []int64, c kerasSparseCase, lookups int, sparse bool) *sparseProblem {
	t.Helper()
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	p := &sparseProblem{}
	es := s.Sub("embedding")
	p.table = es.NewVariable("embeddings", tf.Float, shape, optValues(c.Embeddings), true)
	p.bias = es.NewVariable("bias", tf.Float, shape[1:], optValues(c.Bias), true)
	n := len(c.IDs[0]) / lookups
	var terms []tf.Output
	flat := func(x tf.Output) tf.Output {
		return op.Sum(s.Op("Sum"), op.Reshape(s.Op("Reshape"), x, s.Const([]int32{-1})), s.Const(int32(0)))
	}
	for i := 0; i < lookups; i++ {
		ids := s.Placeholder(fmt.Sprintf("ids_%d", i), tf.Int32, int64(n))
		rows := s.Placeholder(fmt.Sprintf("rows_%d", i), tf.Float, int64(n), shape[1])
		terms = append(terms, flat(op.Mul(s.Op("Mul"), s.Gather(p.table, ids), rows)))
		p.ids, p.rows = append(p.ids, ids), append(p.rows, rows)
	}
	p.biasGrad = s.Placeholder("bias_gradient", tf.Float, shape[1:]...)
	terms = append(terms, flat(op.Mul(s.Op("Mul"), p.bias.Value(), p.biasGrad)))
	var err error
	if p.opt, err = goldenOptimizer(s, c.Config); err != nil {
		t.Fatal(err)
	}
	switch o := p.opt.(type) {
	case *graphs.Adam:
		o.Options.SparseEmbeddingGradients = sparse
	case *graphs.RMSprop:
		o.Options.SparseEmbeddingGradients = sparse
	default:
		t.Fatalf("%T has no sparse form", p.opt)
	}
	if p.train, err = p.opt.Minimize(s, op.AddN(s.Op("AddN"), terms), []*graphs.Variable{p.table, p.bias}); err != nil {
		t.Fatalf("Minimize: %v", err)
	}
	p.sess = newInitializedSession(t, g)
	return p
}

func (p *sparseProblem) step(t *testing.T, c kerasSparseCase, step int) {
	t.Helper()
	feeds := map[tf.Output]*tf.Tensor{}
	n := len(c.IDs[step]) / len(p.ids)
	dim := len(c.Rows[step]) / len(c.IDs[step])
	for i := range p.ids {
		ids, err := graphs.NewTensor(c.IDs[step][i*n:(i+1)*n], int64(n))
		if err != nil {
			t.Fatal(err)
		}
		rows := make([]float32, n*dim)
		for j := range rows {
			rows[j] = float32(c.Rows[step][i*n*dim+j])
		}
		rt, err := graphs.NewTensor(rows, int64(n), int64(dim))
		if err != nil {
			t.Fatal(err)
		}
		feeds[p.ids[i]], feeds[p.rows[i]] = ids, rt
	}
	bg := make([]float32, len(c.BiasGradients[step]))
	for j, x := range c.BiasGradients[step] {
		bg[j] = float32(x)
	}
	bt, err := graphs.NewTensor(bg, int64(len(bg)))
	if err != nil {
		t.Fatal(err)
	}
	feeds[p.biasGrad] = bt
	if _, err := p.sess.Run(feeds, nil, p.train); err != nil {
		t.Fatalf("step %d: %v", step+1, err)
	}
}

func (p *sparseProblem) get(t *testing.T, v *graphs.Variable) []float64 {
	t.Helper()
	out, err := p.sess.Get(v)
	if err != nil {
		t.Fatal(err)
	}
	return graphs.Float64s(out[0])
}

// With SparseEmbeddingGradients, Adam, AdamW and RMSprop update a table looked up with
// repeated ids as Keras 3 does when the Embedding's gradient is a tf.IndexedSlices (the
// squares summed over the occurrences), over three steps; the same with the ids looked
// up in two Gathers (Keras concatenates their slices); and the dense variable beside it
// as before.
func TestSparseEmbeddingGradientsMatchKeras(t *testing.T) {
	shape, cases := loadKerasSparseCases(t)
	for _, c := range cases {
		for _, lookups := range []int{1, 2} {
			t.Run(fmt.Sprintf("%s/%d_lookups", c.Name, lookups), func(t *testing.T) {
				p := newSparseProblem(t, shape, c, lookups, true)
				tol := goldenTolerance(c.Config)
				for step, want := range c.Steps {
					p.step(t, c, step)
					compareGolden(t, fmt.Sprintf("step %d: embeddings", step+1), p.get(t, p.table), want.Embeddings, tol)
					compareGolden(t, fmt.Sprintf("step %d: bias", step+1), p.get(t, p.bias), want.Bias, tol)
					for _, key := range sortedKeys(want.Slots) {
						sv := optimizerVar(p.opt, "embedding/"+key)
						if sv == nil {
							t.Fatalf("no optimizer variable .../embedding/%s (have %v)", key, varNames(p.opt.Variables()))
						}
						compareGolden(t, fmt.Sprintf("step %d: %s", step+1, sv.Name), p.get(t, sv), want.Slots[key], tol)
					}
				}
			})
		}
	}
}

// Without the option the table's second moment is the dense gradient's square, which on
// these repeated ids is far from Keras's: the golden comparison above can fail.
func TestDenseEmbeddingGradientsDifferFromKeras(t *testing.T) {
	shape, cases := loadKerasSparseCases(t)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			p := newSparseProblem(t, shape, c, 1, false)
			p.step(t, c, 0)
			slot := "v"
			if strings.HasPrefix(c.Name, "rmsprop") {
				slot = "rms"
			}
			got := p.get(t, optimizerVar(p.opt, "embedding/embeddings/"+slot))
			want := c.Steps[0].Slots["embeddings/"+slot]
			worst := 0.0
			for i := range got {
				if want[i] != 0 {
					worst = max(worst, math.Abs(got[i]-want[i])/want[i])
				}
			}
			// Id 1 occurs 4 times and id 2 twice in step 1: (Σg)² differs from Σg² unless
			// their rows happen to agree.
			if worst < 0.5 {
				t.Errorf("dense second moment within %.2g of Keras's per-occurrence one; the case does not tell them apart", worst)
			}
		})
	}
}

// The option is refused where there is no per-occurrence update: by an optimizer without
// one, and with clipping (Keras clips the occurrences).
func TestSparseEmbeddingGradientsRefused(t *testing.T) {
	for _, tt := range []struct {
		name string
		make func(s *graphs.Scope) graphs.Optimizer
		want string
	}{
		{"SGD", func(s *graphs.Scope) graphs.Optimizer {
			o := graphs.NewSGD(s, "sgd", 0.1, 0, false)
			o.Options.SparseEmbeddingGradients = true
			return o
		}, "sparse_embedding_gradients is implemented for Adam, AdamW and RMSprop only"},
		{"Adam with clipnorm", func(s *graphs.Scope) graphs.Optimizer {
			o := graphs.NewAdam(s, "adam", 0.1, 0.9, 0.999, 1e-7)
			o.Options.SparseEmbeddingGradients, o.Options.Clipnorm = true, 1
			return o
		}, "sparse_embedding_gradients cannot be combined with clipnorm"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := graphs.NewGraph(tf.Float, 1)
			s := g.Root()
			table := s.NewVariable("embeddings", tf.Float, []int64{4, 2}, graphs.Zeros{}, true)
			out := s.Gather(table, s.Const([]int32{1, 1, 2}))
			loss := op.Sum(s.Op("Sum"), out, s.Const([]int32{0, 1}))
			_, err := tt.make(s).Minimize(s, loss, []*graphs.Variable{table})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Minimize: got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// Under a gradient aggregator (a distributed run's cross-replica sum) the per-occurrence
// squares are summed across the replicas with the gradients: two replicas looking up the
// same ids with the same rows (an aggregator that doubles) update the table as one
// process looking them all up, twice over, does.
func TestSparseEmbeddingGradientsAggregated(t *testing.T) {
	ids := []int32{1, 1, 2, 0}
	rows := [][]float32{{1, 2}, {3, -1}, {0.5, 1}, {-2, 1}}
	run := func(lookups int, aggregate bool) []float64 {
		g := graphs.NewGraph(tf.Float, 1)
		if aggregate {
			g.SetGradientAggregator(func(s *graphs.Scope, xs []tf.Output) []tf.Output {
				out := make([]tf.Output, len(xs))
				for i, x := range xs {
					out[i] = op.Mul(s.Op("Mul"), x, s.Scalar(2))
				}
				return out
			})
		}
		s := g.Root()
		table := s.Sub("embedding").NewVariable("embeddings", tf.Float, []int64{3, 2}, graphs.Constant{Value: 0.5}, true)
		var terms []tf.Output
		for range lookups {
			prod := op.Mul(s.Op("Mul"), s.Gather(table, s.Const(ids)), s.Const(rows))
			terms = append(terms, op.Sum(s.Op("Sum"), prod, s.Const([]int32{0, 1})))
		}
		opt := graphs.NewAdam(s, "adam", 0.01, 0.9, 0.999, 1e-7)
		opt.Options.SparseEmbeddingGradients = true
		train, err := opt.Minimize(s, op.AddN(s.Op("AddN"), terms), []*graphs.Variable{table})
		if err != nil {
			t.Fatalf("Minimize: %v", err)
		}
		sess := newInitializedSession(t, g)
		for range 2 {
			if _, err := sess.Run(nil, nil, train); err != nil {
				t.Fatal(err)
			}
		}
		out, err := sess.Get(optimizerVar(opt, "embedding/embeddings/v"))
		if err != nil {
			t.Fatal(err)
		}
		return graphs.Float64s(out[0])
	}
	replicas, one := run(1, true), run(2, false)
	compareGolden(t, "second moment, two replicas against one process", replicas, one, 1e-6)
	if single := run(1, false); math.Abs(single[2]-one[2]) < 1e-9 {
		t.Errorf("the doubled lookups left the second moment of id 1 unchanged (%g): the comparison cannot fail", single[2])
	}
}

// Lookups of the table that the loss does not depend on (the model called again for its
// inference outputs) are left out: the update is the one without them.
func TestSparseEmbeddingGradientsIgnoreOtherLookups(t *testing.T) {
	run := func(extra bool) []float64 {
		g := graphs.NewGraph(tf.Float, 1)
		s := g.Root()
		table := s.Sub("embedding").NewVariable("embeddings", tf.Float, []int64{3, 2}, graphs.Constant{Value: 0.5}, true)
		if extra {
			s.Gather(table, s.Const([]int32{2, 2, 2}))
		}
		prod := op.Mul(s.Op("Mul"), s.Gather(table, s.Const([]int32{1, 1, 2})), s.Const([][]float32{{1, 2}, {3, -1}, {0.5, 1}}))
		opt := graphs.NewRMSprop(s, "rmsprop", 0.01, 0.9, 0, 1e-7)
		opt.Options.SparseEmbeddingGradients = true
		train, err := opt.Minimize(s, op.Sum(s.Op("Sum"), prod, s.Const([]int32{0, 1})), []*graphs.Variable{table})
		if err != nil {
			t.Fatalf("Minimize: %v", err)
		}
		sess := newInitializedSession(t, g)
		if _, err := sess.Run(nil, nil, train); err != nil {
			t.Fatal(err)
		}
		out, err := sess.Get(table)
		if err != nil {
			t.Fatal(err)
		}
		return graphs.Float64s(out[0])
	}
	compareGolden(t, "table after a step, with an unused lookup", run(true), run(false), 1e-7)
}
