package graphs

import (
	"fmt"
	"math/rand/v2"
	"time"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// How a form is timed in one round: one warm-up run (the first round's also lets oneDNN
// create its primitives), then up to measureRuns runs, fewer once measureBudget has
// passed but never fewer than two; the shortest run is the round's time, as the machine
// may be busy with other work and the minimum is what the kernel can do. Against a limit
// (the best time of another form so far) a form stops early when it is clearly the
// slower: its warm-up above warmupCut times the limit (and 50 ms more), or a run above
// runCut times. Autotune.decide times close forms again in later rounds (confirmRounds).
const (
	measureRuns   = 5
	measureBudget = 500 * time.Millisecond
	warmupCut     = 4
	runCut        = 1.5
)

// A Trial is one form of an op built to be timed: a scratch graph and session of its
// own, its inputs made. Time runs it as the constants above say and returns its shortest
// run (a form clearly slower than limit, when limit > 0, may stop early with a time above
// it); Autotune times a form in several rounds, so Time is called more than once. Close
// frees the session.
type Trial interface {
	Time(limit time.Duration) (time.Duration, error)
	Close()
}

// convTrial times one form of the problem's op (Conv2DBackpropInput or
// Conv2DBackpropFilter) at the given batch, in a scratch graph and session built for g's
// platform on the first Time that gets that far.
//
// Against a limit, a large batch is first probed at 1/probeDiv of it (a warm-up and one
// run, in a session closed at once): a form whose probe, scaled up, is above warmupCut
// times the limit stops there with that estimate, so that a kernel 20–40× slower
// (TensorFlow's bfloat16 convolution gradients without AVX512_BF16: 30 s a run at DCGAN's
// batch of 256 on a loaded machine) costs a second rather than a minute. A form is probed
// once: a later round times it at its batch.
type convTrial struct {
	g            *Graph
	p            convProblem
	batch        int64
	opType, form string
	probed       bool
	full         *scratch
}

func (g *Graph) convTrial(p convProblem, batch int64, opType, form string) *convTrial {
	return &convTrial{g: g, p: p, batch: batch, opType: opType, form: form}
}

func (t *convTrial) Time(limit time.Duration) (time.Duration, error) {
	if !t.probed && limit > 0 && t.batch >= 2*probeDiv {
		t.probed = true
		probe, err := t.scratch(t.batch / probeDiv)
		if err != nil {
			return 0, err
		}
		d, err := probe.time(0, 1)
		probe.Close()
		if err != nil {
			return 0, err
		}
		if est := d * time.Duration(probeDiv); est > warmupCut*limit && est > limit+50*time.Millisecond {
			return est, nil
		}
	}
	if t.full == nil {
		sc, err := t.scratch(t.batch)
		if err != nil {
			return 0, err
		}
		t.full = sc
	}
	return t.full.time(limit, measureRuns)
}

func (t *convTrial) Close() {
	if t.full != nil {
		t.full.Close()
		t.full = nil
	}
}

// probeDiv is how much smaller a probe's batch is (convTrial).
const probeDiv = 16

// scratch builds the trial's op at the given batch in a scratch session.
func (t *convTrial) scratch(batch int64) (*scratch, error) {
	p := t.p
	withBatch := func(v []int64) []int64 { return append([]int64{batch}, v[1:]...) }
	x, dy := withBatch(p.x), withBatch(p.dy)
	size := [3]int64{p.x[1], p.x[2], p.x[3]}
	form := t.form
	var shapes [][]int64
	var build func(s *Scope, in []tf.Output) []tf.Output
	a := t.g.autotune
	if a == nil {
		a = &Autotune{}
	}
	switch t.opType {
	case "Conv2DBackpropInput":
		shapes = [][]int64{p.filter, dy}
		threads := a.SessionOf(form).IntraOpThreads
		build = func(s *Scope, in []tf.Output) []tf.Output {
			if form == FormOwnKernel { // the scratch graph has no Autotune to tell the threads
				return []tf.Output{s.OwnConv2DBackpropInput(size, in[0], in[1], p.strides, p.padding, threads)}
			}
			return []tf.Output{s.backpropInput(form, size, in[0], in[1], p.strides, p.padding)}
		}
	case "Conv2DBackpropFilter":
		shapes = [][]int64{x, p.filter, dy}
		threads := a.SessionOf(form).IntraOpThreads
		build = func(s *Scope, in []tf.Output) []tf.Output {
			if form == FormOwnKernel { // the scratch graph has no Autotune to tell the threads
				return []tf.Output{s.OwnConv2DBackpropFilter(in[0], in[1], in[2], p.strides, p.padding, threads)}
			}
			return []tf.Output{s.backpropFilter(form, in[0], in[1], in[2], p.strides, p.padding)}
		}
	default:
		return nil, fmt.Errorf("graphs: no forms of %s to time", t.opType)
	}
	return newScratch(t.g.platform, a.SessionOf(form), p.dtype, shapes, build, 0)
}

// ScratchTrial builds one form of a layer's op for Choose to time: out = build(inputs of
// the given shapes and dtype) in a scratch graph of its own on g's platform (the scope
// computing in dtype), in a session with the thread pools opts. Its Time runs every
// output of out as the convolutions' forms are run (a warm-up, then up to five runs
// within half a second; a form clearly slower than limit stops early) and returns the
// shortest run.
// One untimed run comes first, when it is built: a graph of thousands of small ops (an
// unrolled LSTM) spends its first run being optimized by TensorFlow, a cost paid once per
// session that would otherwise stop it early against a fused op's limit.
func (g *Graph) ScratchTrial(opts SessionOptions, dtype tf.DataType, shapes [][]int64, build func(s *Scope, in []tf.Output) []tf.Output) (Trial, error) {
	return newScratch(g.platform, opts, dtype, shapes, func(s *Scope, in []tf.Output) []tf.Output {
		return build(s.WithDType(dtype), in)
	}, 1)
}

// scratch is a Trial: outs = build(inputs of some shapes and dtype) in a graph and
// session of their own, the inputs made once (uniform in [-1, 1)) and fed by reference on
// every run.
type scratch struct {
	sess    *Session
	in      map[tf.Output]*tf.Tensor
	targets []*tf.Operation
}

// newScratch builds the scratch graph and session and runs it setupRuns times, untimed.
func newScratch(platform Platform, opts SessionOptions, dtype tf.DataType, shapes [][]int64, build func(s *Scope, in []tf.Output) []tf.Output, setupRuns int) (*scratch, error) {
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
		return nil, err
	}
	targets := make([]*tf.Operation, len(outs))
	for i, o := range outs {
		targets[i] = o.Op
	}
	sess, err := NewSession(g, opts)
	if err != nil {
		return nil, err
	}
	sc := &scratch{sess: sess, targets: targets, in: map[tf.Output]*tf.Tensor{}}
	fail := func(err error) (*scratch, error) {
		sc.Close()
		return nil, err
	}

	rng := rand.New(rand.NewPCG(1, 2))
	feeds := map[tf.Output]*tf.Tensor{}
	for i, sh := range shapes {
		v := make([]float32, numElements(sh))
		for j := range v {
			v[j] = float32(2*rng.Float64() - 1)
		}
		t, err := NewTensor(v, sh...)
		if err != nil {
			return fail(err)
		}
		feeds[raw[i]] = t
	}
	typed, err := sess.Run(feeds, values)
	if err != nil {
		return fail(fmt.Errorf("graphs: making the inputs: %w", err))
	}
	for i := range inputs {
		sc.in[inputs[i]] = typed[i]
	}
	for range setupRuns {
		if _, err := sc.run(); err != nil {
			return fail(err)
		}
	}
	return sc, nil
}

func (sc *scratch) run() (time.Duration, error) {
	t0 := time.Now()
	_, err := sc.sess.Run(sc.in, nil, sc.targets...)
	return time.Since(t0), err
}

// Time is time with at most measureRuns runs.
func (sc *scratch) Time(limit time.Duration) (time.Duration, error) {
	return sc.time(limit, measureRuns)
}

// time runs the warm-up and at most runs runs, as the constants above say, and returns
// the shortest.
func (sc *scratch) time(limit time.Duration, runs int) (time.Duration, error) {
	warm, err := sc.run()
	if err != nil {
		return 0, err
	}
	if limit > 0 && warm > warmupCut*limit && warm > limit+50*time.Millisecond {
		return warm, nil
	}
	var best, spent time.Duration
	for i := 0; i < runs && (i < 2 || spent < measureBudget); i++ {
		d, err := sc.run()
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

func (sc *scratch) Close() {
	if sc.sess != nil {
		sc.sess.Close()
		sc.sess = nil
	}
}
