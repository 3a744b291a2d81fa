// Package gradcheck compares the gradients tfrun's graphs emit with central finite
// differences computed by running the same graph, for tests of every differentiable op.
package gradcheck

import (
	"fmt"
	"math"
	"math/rand/v2"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// Param is one input the loss is differentiated for: its shape and its value.
type Param struct {
	Name   string
	Shape  []int64
	Values []float64
}

// Random returns a Param with values drawn uniformly from [-scale, scale].
func Random(name string, rng *rand.Rand, scale float64, shape ...int64) Param {
	n := 1
	for _, d := range shape {
		n *= int(d)
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = scale * (2*rng.Float64() - 1)
	}
	return Param{Name: name, Shape: shape, Values: v}
}

// Options tunes a check.
type Options struct {
	DType  tf.DataType // tf.Double (default) or tf.Float
	Step   float64     // finite-difference step; default 1e-6 (float64) or 1e-2 (float32)
	RelTol float64     // default 1e-6 (float64) or 2e-2 (float32)
	AbsTol float64     // default 1e-8 (float64) or 2e-3 (float32)
	Feeds  func(g *graphs.Graph) map[tf.Output]*tf.Tensor
	Seed   uint64
}

// Check builds loss = build(params as placeholders) in a new graph, differentiates it with
// Scope.Gradients, and compares every partial derivative with a central difference.
// It returns the largest relative error seen and an error describing the first mismatch.
func Check(params []Param, build func(s *graphs.Scope, in []tf.Output) tf.Output, o Options) (float64, error) {
	if o.DType == 0 {
		o.DType = tf.Double
	}
	if o.Step == 0 {
		o.Step = map[bool]float64{true: 1e-6, false: 1e-2}[o.DType == tf.Double]
	}
	if o.RelTol == 0 {
		o.RelTol = map[bool]float64{true: 1e-6, false: 2e-2}[o.DType == tf.Double]
	}
	if o.AbsTol == 0 {
		o.AbsTol = map[bool]float64{true: 1e-8, false: 2e-3}[o.DType == tf.Double]
	}
	g := graphs.NewGraph(o.DType, o.Seed)
	s := g.Root()
	in := make([]tf.Output, len(params))
	for i, p := range params {
		in[i] = s.Placeholder(p.Name, o.DType, p.Shape...)
	}
	loss := build(s, in)
	grads, err := s.Gradients(loss, in)
	if err != nil {
		return 0, err
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		return 0, err
	}
	defer sess.Close()
	if err := sess.InitVariables(); err != nil {
		return 0, err
	}
	values := make([][]float64, len(params))
	for i, p := range params {
		values[i] = append([]float64(nil), p.Values...)
	}
	run := func(fetch []tf.Output) ([]*tf.Tensor, error) {
		feeds := map[tf.Output]*tf.Tensor{}
		if o.Feeds != nil {
			feeds = o.Feeds(g)
		}
		for i, p := range params {
			t, err := graphs.NewTensor(floats(o.DType, values[i]), p.Shape...)
			if err != nil {
				return nil, err
			}
			feeds[in[i]] = t
		}
		return sess.Run(feeds, fetch)
	}
	analytic, err := run(grads)
	if err != nil {
		return 0, err
	}
	worst := 0.0
	for i, p := range params {
		an := graphs.Float64s(analytic[i])
		for k := range values[i] {
			orig := values[i][k]
			values[i][k] = orig + o.Step
			up, err := run([]tf.Output{loss})
			if err != nil {
				return 0, err
			}
			values[i][k] = orig - o.Step
			down, err := run([]tf.Output{loss})
			if err != nil {
				return 0, err
			}
			values[i][k] = orig
			num := (graphs.Scalar64(up[0]) - graphs.Scalar64(down[0])) / (2 * o.Step)
			diff := math.Abs(num - an[k])
			rel := diff / math.Max(math.Abs(num)+math.Abs(an[k]), 1e-12)
			if rel > worst && diff > 1e-12 {
				worst = rel
			}
			if diff > o.AbsTol && rel > o.RelTol {
				return worst, fmt.Errorf("d loss / d %s[%d]: analytic %.8g, numeric %.8g (rel. error %.3g)", p.Name, k, an[k], num, rel)
			}
		}
	}
	return worst, nil
}

func floats(dt tf.DataType, v []float64) any {
	if dt == tf.Double {
		return v
	}
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// Project reduces y (of the given static shape) to a scalar Σ y·w with fixed random
// weights w, so that every element of y gets a distinct upstream gradient.
func Project(s *graphs.Scope, y tf.Output, shape []int64, seed uint64) tf.Output {
	rng := rand.New(rand.NewPCG(seed, 99))
	p := Random("w", rng, 1, shape...)
	t, err := graphs.NewTensor(floats(y.DataType(), p.Values), shape...)
	if err != nil {
		s.Fail("gradcheck.Project: %v", err)
		return y
	}
	w := s.Const(t)
	prod := op.Mul(s.Op("Mul"), y, w)
	axes := make([]int32, len(shape))
	for i := range axes {
		axes[i] = int32(i)
	}
	return op.Sum(s.Op("Sum"), prod, s.Const(axes))
}
