package graphs

import (
	"fmt"
	"math/rand/v2"
	"time"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// How a candidate is timed: after one warm-up run (which also lets oneDNN create its
// primitives), up to measureRuns runs, fewer once measureBudget has passed but never
// fewer than two; the shortest run is the candidate's time, as the machine may be busy
// with other work and the minimum is what the kernel can do. Against a limit (the best
// time of another form so far) a form stops early when it is clearly the slower: its
// warm-up above warmupCut times the limit (and 50 ms more), or a run above runCut times.
const (
	measureRuns   = 5
	measureBudget = 500 * time.Millisecond
	warmupCut     = 4
	runCut        = 1.5
)

// timeConv times one form of the problem's op (Conv2DBackpropInput or
// Conv2DBackpropFilter) at the given batch in a scratch graph and session built for g's
// platform.
//
// Against a limit, a large batch is first probed at 1/probeDiv of it (a warm-up and one
// run): a form whose probe, scaled up, is above warmupCut times the limit stops there
// with that estimate, so that a kernel 20–40× slower (TensorFlow's bfloat16 convolution
// gradients without AVX512_BF16: 30 s a run at DCGAN's batch of 256 on a loaded machine)
// costs a second rather than a minute.
func (g *Graph) timeConv(p convProblem, batch int64, opType, form string, limit time.Duration) (time.Duration, error) {
	if limit > 0 && batch >= 2*probeDiv {
		d, err := g.timeConvAt(p, batch/probeDiv, opType, form, 0, 1)
		if err != nil {
			return 0, err
		}
		if est := d * time.Duration(probeDiv); est > warmupCut*limit && est > limit+50*time.Millisecond {
			return est, nil
		}
	}
	return g.timeConvAt(p, batch, opType, form, limit, measureRuns)
}

// probeDiv is how much smaller a probe's batch is (timeConv).
const probeDiv = 16

// timeConvAt is timeConv without the probe, at most runs runs after the warm-up.
func (g *Graph) timeConvAt(p convProblem, batch int64, opType, form string, limit time.Duration, runs int) (time.Duration, error) {
	withBatch := func(v []int64) []int64 { return append([]int64{batch}, v[1:]...) }
	x, dy := withBatch(p.x), withBatch(p.dy)
	size := [3]int64{p.x[1], p.x[2], p.x[3]}
	var shapes [][]int64
	var build func(s *Scope, in []tf.Output) []tf.Output
	switch opType {
	case "Conv2DBackpropInput":
		shapes = [][]int64{p.filter, dy}
		build = func(s *Scope, in []tf.Output) []tf.Output {
			return []tf.Output{s.backpropInput(form, size, in[0], in[1], p.strides, p.padding)}
		}
	case "Conv2DBackpropFilter":
		shapes = [][]int64{x, p.filter, dy}
		build = func(s *Scope, in []tf.Output) []tf.Output {
			return []tf.Output{s.backpropFilter(form, in[0], in[1], in[2], p.strides, p.padding)}
		}
	default:
		return 0, fmt.Errorf("graphs: no forms of %s to time", opType)
	}
	var a *Autotune
	if g.autotune != nil {
		a = g.autotune
	} else {
		a = &Autotune{}
	}
	return timeScratch(g.platform, a.SessionOf(form), p.dtype, shapes, build, limit, runs, 0)
}

// TimeScratch times one form of a layer's op for Choose: it builds out = build(inputs of
// the given shapes and dtype) in a scratch graph of its own on g's platform (the scope
// computing in dtype), runs every output of out in a session with the thread pools
// opts, as the convolutions' forms are run (a warm-up, then up to five runs within half
// a second; a form clearly slower than limit stops early) and returns the shortest run.
// One untimed run comes first: a graph of thousands of small ops (an unrolled LSTM) spends
// its first run being optimized by TensorFlow, a cost paid once per session that would
// otherwise stop it early against a fused op's limit.
func (g *Graph) TimeScratch(opts SessionOptions, dtype tf.DataType, shapes [][]int64, build func(s *Scope, in []tf.Output) []tf.Output, limit time.Duration) (time.Duration, error) {
	return timeScratch(g.platform, opts, dtype, shapes, func(s *Scope, in []tf.Output) []tf.Output {
		return build(s.WithDType(dtype), in)
	}, limit, measureRuns, 1)
}

// timeScratch builds outs = build(inputs of the given shapes and dtype) in a graph of its
// own, runs them as the constants above say (after setupRuns untimed runs) and returns the
// shortest run. The inputs are
// uniform in [-1, 1), made once and fed by reference on every run.
func timeScratch(platform Platform, opts SessionOptions, dtype tf.DataType, shapes [][]int64, build func(s *Scope, in []tf.Output) []tf.Output, limit time.Duration, runs, setupRuns int) (time.Duration, error) {
	g := NewGraph(tf.Float, 1)
	g.platform = platform
	s := g.Root()
	raw := make([]tf.Output, len(shapes))    // float32 placeholders
	values := make([]tf.Output, len(shapes)) // raw cast to dtype
	inputs := make([]tf.Output, len(shapes)) // dtype placeholders the candidate reads
	for i, sh := range shapes {
		raw[i] = s.Placeholder(fmt.Sprint("value", i), tf.Float, sh...)
		values[i] = op.Cast(s.Op("Cast"), raw[i], dtype) // float32 too: a fed tensor cannot be fetched
		inputs[i] = s.Placeholder(fmt.Sprint("input", i), dtype, sh...)
	}
	outs := build(s.Sub("candidate"), inputs)
	if err := s.Err(); err != nil {
		return 0, err
	}
	targets := make([]*tf.Operation, len(outs))
	for i, o := range outs {
		targets[i] = o.Op
	}
	sess, err := NewSession(g, opts)
	if err != nil {
		return 0, err
	}
	defer sess.Close()

	rng := rand.New(rand.NewPCG(1, 2))
	feeds := map[tf.Output]*tf.Tensor{}
	for i, sh := range shapes {
		v := make([]float32, numElements(sh))
		for j := range v {
			v[j] = float32(2*rng.Float64() - 1)
		}
		t, err := NewTensor(v, sh...)
		if err != nil {
			return 0, err
		}
		feeds[raw[i]] = t
	}
	typed, err := sess.Run(feeds, values)
	if err != nil {
		return 0, fmt.Errorf("graphs: making the inputs: %w", err)
	}
	in := map[tf.Output]*tf.Tensor{}
	for i := range inputs {
		in[inputs[i]] = typed[i]
	}
	run := func() (time.Duration, error) {
		t0 := time.Now()
		_, err := sess.Run(in, nil, targets...)
		return time.Since(t0), err
	}
	for range setupRuns {
		if _, err := run(); err != nil {
			return 0, err
		}
	}
	warm, err := run()
	if err != nil {
		return 0, err
	}
	if limit > 0 && warm > warmupCut*limit && warm > limit+50*time.Millisecond {
		return warm, nil
	}
	var best, spent time.Duration
	for i := 0; i < runs && (i < 2 || spent < measureBudget); i++ {
		d, err := run()
		if err != nil {
			return 0, err
		}
		spent += d
		if i == 0 || d < best {
			best = d
		}
		if limit > 0 && float64(best) > runCut*float64(limit) {
			break
		}
	}
	return best, nil
}
