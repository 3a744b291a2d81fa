package graphs_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// fakeTimer makes win the fastest form of every op (1 ms against 2 ms for the others)
// and counts the candidates it was asked to time: an autotune whose winner does not
// depend on the machine.
type fakeTimer struct {
	win   map[string]bool // forms that win
	calls int
}

func (f *fakeTimer) measure(c graphs.Candidate) (time.Duration, error) {
	f.calls++
	if f.win[c.Form] {
		return time.Millisecond, nil
	}
	return 2 * time.Millisecond, nil
}

// mapCache is a graphs.KernelCache in memory.
type mapCache map[string]string

func (m mapCache) Load(key string) (string, bool) { f, ok := m[key]; return f, ok }
func (m mapCache) Store(key, form string)         { m[key] = form }

// convGrads builds y = Conv2D(x, w) or Conv2DTranspose(x, w) (transpose) with the
// Autotune a, and runs y and the gradients of Σ y·r for x and w.
func convGrads(t *testing.T, c convCase, transpose bool, a *graphs.Autotune) (g *graphs.Graph, out []*tf.Tensor) {
	t.Helper()
	const batch = 2
	oh, ow := c.out(c.h, c.kh), c.out(c.w, c.kw)
	st := [2]int{int(c.stride), int(c.stride)}
	rng := rand.New(rand.NewPCG(uint64(c.h), uint64(c.cout)))
	xShape, yShape := []int64{batch, c.h, c.w, c.cin}, []int64{batch, oh, ow, c.cout}
	if transpose {
		xShape, yShape = yShape, xShape
	}
	xv := randomTensor(t, rng, xShape...)
	wv := randomTensor(t, rng, c.kh, c.kw, c.cin, c.cout)
	rv := randomTensor(t, rng, yShape...)

	g = newCPUGraph(tf.Float, 1)
	g.SetAutotune(a)
	s := g.Root()
	x := s.Placeholder("x", tf.Float, append([]int64{-1}, xShape[1:]...)...)
	w := s.Placeholder("w", tf.Float, c.kh, c.kw, c.cin, c.cout)
	r := s.Placeholder("r", tf.Float, append([]int64{-1}, yShape[1:]...)...)
	var y tf.Output
	if transpose {
		y = s.Conv2DTranspose(x, w, [3]int64{c.h, c.w, c.cin}, st, c.padding)
	} else {
		y = s.Conv2D(x, w, st, c.padding)
	}
	loss := op.Sum(s.Op("Sum"), op.Mul(s.Op("Mul"), y, r), s.Const([]int32{0, 1, 2, 3}))
	grads, err := s.Gradients(loss, []tf.Output{x, w})
	if err != nil {
		t.Fatal(err)
	}
	return g, runConv(t, g, map[tf.Output]*tf.Tensor{x: xv, w: wv, r: rv}, y, grads[0], grads[1])
}

// maxDiff is the largest absolute difference between two float32 tensors of one shape.
func maxDiff(a, b *tf.Tensor) float64 {
	x, y := graphs.Float64s(a), graphs.Float64s(b)
	worst := 0.0
	for i := range x {
		worst = math.Max(worst, math.Abs(x[i]-y[i]))
	}
	return worst
}

// A fake timer makes each form win in turn: the graph holds the winning forms (and not
// the losers), and the convolution and its gradients have TensorFlow's values to 1e-5 (measured: 2.4e-6 at most, oneDNN on or off)
// whichever forms run, for every geometry of conv_test.go, Conv2D and Conv2DTranspose.
func TestAutotuneEachFormWins(t *testing.T) {
	wins := []struct {
		name             string
		forms            []string
		subPixel, contra bool
	}{
		{"tensorflow", []string{graphs.FormTensorFlow}, false, false},
		{"sub_pixel", []string{graphs.FormSubPixel}, true, false},
		{"batch_contracted", []string{graphs.FormBatchContracted}, false, true},
		{"both", []string{graphs.FormSubPixel, graphs.FormBatchContracted}, true, true},
	}
	for _, transpose := range []bool{false, true} {
		for _, c := range convCases {
			name := "Conv2D_" + c.String()
			if transpose {
				name = "Conv2DTranspose_" + c.String()
			}
			t.Run(name, func(t *testing.T) {
				_, want := convGrads(t, c, transpose, &graphs.Autotune{Off: true})
				worst := 0.0
				defer func() { t.Logf("largest difference from TensorFlow's kernels %.2g", worst) }()
				for _, w := range wins {
					f := &fakeTimer{win: map[string]bool{}}
					for _, form := range w.forms {
						f.win[form] = true
					}
					a := &graphs.Autotune{Batch: 2, Measure: f.measure}
					g, got := convGrads(t, c, transpose, a)
					if f.calls == 0 {
						t.Fatalf("%s: nothing measured", w.name)
					}
					if sp := hasOp(g, "Conv2D", "sub_pixel"); sp != w.subPixel {
						t.Errorf("%s: sub-pixel form in the graph %v, want %v", w.name, sp, w.subPixel)
					}
					if bc := hasOp(g, "Conv2D", "batch_contracted"); bc != w.contra {
						t.Errorf("%s: batch-contracted form in the graph %v, want %v", w.name, bc, w.contra)
					}
					for i, part := range []string{"y", "dx", "dw"} {
						d := maxDiff(got[i], want[i])
						worst = math.Max(worst, d)
						if d > 1e-5 {
							t.Errorf("%s: %s differs from TensorFlow's kernels' by %.3g, want ≤ 1e-5", w.name, part, d)
						}
					}
					for _, ch := range a.Choices() {
						if ch.Source != graphs.SourceMeasured || len(ch.Times) != 2 {
							t.Errorf("%s: choice %+v, want measured with two times", w.name, ch)
						}
					}
				}
			})
		}
	}
}

// Where each choice comes from, in order: the resumed checkpoint's form, the fixed rules
// (Rules, or a key a resumed checkpoint does not name: the filter gradient in the
// checkpoint cases, untimed), off (TensorFlow's kernels), the cache, a measurement (stored
// in the cache);
// the same key is decided once per graph; a failing candidate is a warning and the others
// decide; all failing, the fixed rule does.
func TestAutotuneSources(t *testing.T) {
	c := convCase{8, 8, 64, 5, 5, 16, 2, "SAME"} // the fixed rule: sub-pixel, TensorFlow's filter gradient
	build := func(a *graphs.Autotune) *graphs.Graph {
		g := newCPUGraph(tf.Float, 1)
		g.SetAutotune(a)
		s := g.Root()
		x := s.Placeholder("x", tf.Float, -1, 4, 4, c.cout)
		w := s.Placeholder("w", tf.Float, c.kh, c.kw, c.cin, c.cout)
		s.Conv2DTranspose(x, w, [3]int64{c.h, c.w, c.cin}, [2]int{2, 2}, "SAME")
		s.Conv2DTranspose(x, w, [3]int64{c.h, c.w, c.cin}, [2]int{2, 2}, "SAME") // the same key again
		if err := s.Err(); err != nil {
			t.Fatal(err)
		}
		return g
	}
	const inKey = "Conv2DBackpropInput float32 x[16,8,8,64] filter[5,5,64,16] dy[16,4,4,16] strides[2,2] SAME"
	failing := errors.New("no kernel")
	// wantCalls counts both gradients' timings. Where win is not one of the filter
	// gradient's forms both of them tie and are timed in three rounds (6 timings;
	// TestAutotuneRounds); a form that wins by 2× is decided in one.
	tests := []struct {
		name       string
		a          graphs.Autotune
		cache      mapCache
		win        string
		fail       map[string]bool
		wantForm   string
		wantSource string
		wantCalls  int
		wantCache  string // the cache's entry afterwards
		wantWarn   string
	}{
		{name: "measured", win: graphs.FormTensorFlow, wantForm: graphs.FormTensorFlow, wantSource: graphs.SourceMeasured, wantCalls: 4, wantCache: graphs.FormTensorFlow},
		{name: "cache", cache: mapCache{inKey: graphs.FormSubPixel}, win: graphs.FormTensorFlow, wantForm: graphs.FormSubPixel, wantSource: graphs.SourceCache, wantCalls: 2, wantCache: graphs.FormSubPixel},
		{name: "checkpoint over the cache", a: graphs.Autotune{Resumed: map[string]string{inKey: graphs.FormTensorFlow}}, cache: mapCache{inKey: graphs.FormSubPixel},
			wantForm: graphs.FormTensorFlow, wantSource: graphs.SourceCheckpoint, wantCache: graphs.FormSubPixel},
		{name: "checkpoint over off", a: graphs.Autotune{Off: true, Resumed: map[string]string{inKey: graphs.FormSubPixel}}, wantForm: graphs.FormSubPixel, wantSource: graphs.SourceCheckpoint},
		{name: "a checkpoint's unknown form", a: graphs.Autotune{Resumed: map[string]string{inKey: "winograd"}}, win: graphs.FormSubPixel,
			wantForm: graphs.FormSubPixel, wantSource: graphs.SourceMeasured, wantCalls: 2, wantCache: graphs.FormSubPixel, wantWarn: `form "winograd"`},
		{name: "off", a: graphs.Autotune{Off: true}, cache: mapCache{inKey: graphs.FormSubPixel}, wantForm: graphs.FormTensorFlow, wantSource: graphs.SourceOff, wantCache: graphs.FormSubPixel},
		{name: "rules", a: graphs.Autotune{Rules: true}, wantForm: graphs.FormSubPixel, wantSource: graphs.SourceRules},
		{name: "a cached unknown form", cache: mapCache{inKey: "winograd"}, win: graphs.FormSubPixel, wantForm: graphs.FormSubPixel, wantSource: graphs.SourceMeasured, wantCalls: 8, wantCache: graphs.FormSubPixel},
		{name: "the winner fails", win: graphs.FormTensorFlow, fail: map[string]bool{graphs.FormTensorFlow: true},
			wantForm: graphs.FormSubPixel, wantSource: graphs.SourceMeasured, wantCalls: 4, wantCache: graphs.FormSubPixel, wantWarn: "in form tensorflow: no kernel"},
		{name: "every form fails", fail: map[string]bool{graphs.FormTensorFlow: true, graphs.FormSubPixel: true, graphs.FormBatchContracted: true},
			wantForm: graphs.FormSubPixel, wantSource: graphs.SourceRules, wantCalls: 4, wantWarn: "no kernel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeTimer{win: map[string]bool{tt.win: true}}
			a := tt.a
			a.Batch = 16
			a.Measure = func(c graphs.Candidate) (time.Duration, error) {
				d, _ := f.measure(c)
				if tt.fail[c.Form] {
					return 0, failing
				}
				return d, nil
			}
			var warned []string
			a.Warn = func(msg string) { warned = append(warned, msg) }
			if tt.cache == nil {
				tt.cache = mapCache{}
			}
			a.Cache = tt.cache
			build(&a)
			choices := a.Choices()
			if len(choices) != 2 {
				t.Fatalf("%d choices %+v, want 2 (the input and the filter gradient)", len(choices), choices)
			}
			in := choices[1] // sorted by key: Conv2DBackpropFilter, Conv2DBackpropInput
			if in.Key != inKey {
				t.Fatalf("key %q, want %q", in.Key, inKey)
			}
			if in.Form != tt.wantForm || in.Source != tt.wantSource {
				t.Errorf("chose %s from %s, want %s from %s", in.Form, in.Source, tt.wantForm, tt.wantSource)
			}
			if f.calls != tt.wantCalls {
				t.Errorf("%d candidates timed, want %d", f.calls, tt.wantCalls)
			}
			if got := tt.cache[inKey]; got != tt.wantCache {
				t.Errorf("cache holds %q, want %q", got, tt.wantCache)
			}
			if all := strings.Join(warned, "\n"); tt.wantWarn == "" && all != "" || !strings.Contains(all, tt.wantWarn) {
				t.Errorf("warnings %q, want one containing %q", all, tt.wantWarn)
			}
			if got := a.Forms()[inKey]; got != tt.wantForm {
				t.Errorf("Forms()[key] = %q, want %q", got, tt.wantForm)
			}
		})
	}
}

// Without a batch size to measure with (the graph's is unknown, Autotune.Batch 0) the
// fixed rule decides; a static batch is measured at that size.
func TestAutotuneBatch(t *testing.T) {
	for _, tt := range []struct {
		name       string
		xBatch     int64
		tuneBatch  int
		wantSource string
		wantKey    string
	}{
		{"unknown", -1, 0, graphs.SourceRules, "x[-1,"},
		{"from Autotune", -1, 8, graphs.SourceMeasured, "x[8,"},
		{"static", 4, 8, graphs.SourceMeasured, "x[4,"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeTimer{win: map[string]bool{graphs.FormTensorFlow: true}}
			a := &graphs.Autotune{Batch: tt.tuneBatch, Measure: f.measure}
			g := newCPUGraph(tf.Float, 1)
			g.SetAutotune(a)
			s := g.Root()
			x := s.Placeholder("x", tf.Float, tt.xBatch, 8, 8, 32)
			w := s.Placeholder("w", tf.Float, 3, 3, 32, 32)
			s.Conv2D(x, w, [2]int{1, 1}, "SAME")
			for _, c := range a.Choices() {
				if c.Source != tt.wantSource || !strings.Contains(c.Key, tt.wantKey) {
					t.Errorf("choice %+v, want source %s and a key with %q", c, tt.wantSource, tt.wantKey)
				}
			}
		})
	}
}

// The real timer: both forms of both gradients run in a scratch session and get a time (the
// second form first probed at batch 2, 1/16 of 32),
// in float32 and bfloat16 (the winner is the machine's, so the test asserts only that
// one of the candidates won).
func TestAutotuneTimesForReal(t *testing.T) {
	for _, dtype := range []tf.DataType{tf.Float, tf.Bfloat16} {
		a := &graphs.Autotune{Batch: 32, Session: graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1},
			Warn: func(msg string) { t.Errorf("warning: %s", msg) }}
		g := newCPUGraph(tf.Float, 1)
		g.SetAutotune(a)
		s := g.Root()
		x := op.Cast(s.Op("Cast"), s.Placeholder("x", tf.Float, -1, 8, 8, 16), dtype)
		w := op.Cast(s.Op("Cast"), s.Placeholder("w", tf.Float, 5, 5, 16, 8), dtype)
		s.Conv2D(x, w, [2]int{2, 2}, "SAME")
		if err := s.Err(); err != nil {
			t.Fatal(err)
		}
		choices := a.Choices()
		if len(choices) != 2 {
			t.Fatalf("%d choices %+v, want 2", len(choices), choices)
		}
		for _, c := range choices {
			if c.Source != graphs.SourceMeasured || len(c.Times) != 2 || c.Times[c.Form] <= 0 {
				t.Errorf("choice %+v, want measured, both forms timed", c)
			}
			t.Logf("%s → %s %v", c.Key, c.Form, c.Times)
		}
	}
}

// Forms close to the fastest (within 25%) are timed again, in alternating order, and each
// keeps its shortest time, so a first timing slowed by other work on the machine does not
// decide; forms far apart are timed once; a form failing in a later round is out.
func TestAutotuneRounds(t *testing.T) {
	const inKey = "Conv2DBackpropInput float32 x[16,8,8,64] filter[5,5,64,16] dy[16,4,4,16] strides[2,2] SAME"
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	sp, tfk := graphs.FormSubPixel, graphs.FormTensorFlow // the fixed rule: sub-pixel, timed first
	tests := []struct {
		name       string
		times      map[string][]float64 // ms per round (the last repeats); -1 fails
		wantForm   string
		wantRounds int
		wantOrder  []string // the forms in the order they were timed
		wantTimes  map[string]float64
		wantWarn   string
	}{
		{name: "far apart", times: map[string][]float64{sp: {1}, tfk: {2}},
			wantForm: sp, wantRounds: 1, wantOrder: []string{sp, tfk}, wantTimes: map[string]float64{sp: 1, tfk: 2}},
		{name: "a slow first timing", times: map[string][]float64{sp: {1}, tfk: {1.1, 0.9}},
			wantForm: tfk, wantRounds: 3, wantOrder: []string{sp, tfk, tfk, sp, sp, tfk}, wantTimes: map[string]float64{sp: 1, tfk: 0.9}},
		{name: "close, leaving the race", times: map[string][]float64{sp: {1.1, 0.7}, tfk: {1}},
			wantForm: sp, wantRounds: 2, wantOrder: []string{sp, tfk, tfk, sp}, wantTimes: map[string]float64{sp: 0.7, tfk: 1}},
		{name: "the rule's form holds", times: map[string][]float64{sp: {1}, tfk: {1.1, 1.05}},
			wantForm: sp, wantRounds: 3, wantOrder: []string{sp, tfk, tfk, sp, sp, tfk}, wantTimes: map[string]float64{sp: 1, tfk: 1.05}},
		{name: "failing in a later round", times: map[string][]float64{sp: {1}, tfk: {0.95, -1}},
			wantForm: sp, wantRounds: 2, wantOrder: []string{sp, tfk, tfk, sp}, wantTimes: map[string]float64{sp: 1},
			wantWarn: "in form tensorflow: no kernel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var order []string
			var warned []string
			a := &graphs.Autotune{Batch: 16, Warn: func(msg string) { warned = append(warned, msg) }}
			a.Measure = func(c graphs.Candidate) (time.Duration, error) {
				if c.Key != inKey { // the filter gradient: TensorFlow's, far ahead
					if c.Form == tfk {
						return ms(1), nil
					}
					return ms(2), nil
				}
				order = append(order, c.Form)
				v := tt.times[c.Form]
				d := v[min(c.Round, len(v)-1)]
				if d < 0 {
					return 0, errors.New("no kernel")
				}
				return ms(d), nil
			}
			in := chooseTransposedConv(t, a)[inKey]
			if in.Form != tt.wantForm || in.Source != graphs.SourceMeasured || in.Rounds != tt.wantRounds {
				t.Errorf("chose %s from %s in %d rounds, want %s measured in %d", in.Form, in.Source, in.Rounds, tt.wantForm, tt.wantRounds)
			}
			if !slices.Equal(order, tt.wantOrder) {
				t.Errorf("timed %q, want %q", order, tt.wantOrder)
			}
			if len(in.Times) != len(tt.wantTimes) {
				t.Errorf("times %v, want %v (ms)", in.Times, tt.wantTimes)
			}
			for form, want := range tt.wantTimes {
				if got := in.Times[form] * 1e3; math.Abs(got-want) > 1e-9 {
					t.Errorf("%s's time %.3g ms, want its shortest, %.3g", form, got, want)
				}
			}
			if all := strings.Join(warned, "\n"); tt.wantWarn == "" && all != "" || !strings.Contains(all, tt.wantWarn) {
				t.Errorf("warnings %q, want one containing %q", all, tt.wantWarn)
			}
		})
	}
}

// A resumed run takes the fixed rule for an op its checkpoint names no form for (a choice
// the tfrun that wrote it did not make), not what it would measure now: here the filter
// gradient, whose batch-contracted form the measurement picks in a fresh run.
func TestAutotuneResumedUnnamedKey(t *testing.T) {
	const inKey = "Conv2DBackpropInput float32 x[16,8,8,64] filter[5,5,64,16] dy[16,4,4,16] strides[2,2] SAME"
	const filterKey = "Conv2DBackpropFilter float32 x[16,8,8,64] filter[5,5,64,16] dy[16,4,4,16] strides[2,2] SAME"
	for _, resumed := range []bool{false, true} {
		f := &fakeTimer{win: map[string]bool{graphs.FormBatchContracted: true}}
		a := &graphs.Autotune{Batch: 16, Measure: f.measure}
		if resumed {
			a.Resumed = map[string]string{inKey: graphs.FormSubPixel}
		}
		got := chooseTransposedConv(t, a)[filterKey]
		want := graphs.KernelChoice{Form: graphs.FormBatchContracted, Source: graphs.SourceMeasured}
		if resumed {
			want = graphs.KernelChoice{Form: graphs.FormTensorFlow, Source: graphs.SourceRules}
		}
		if got.Form != want.Form || got.Source != want.Source {
			t.Errorf("resumed %v: filter gradient %s from %s, want %s from %s (choices %+v)", resumed, got.Form, got.Source, want.Form, want.Source, a.Choices())
		}
	}
}

// chooseTransposedConv builds a Conv2DTranspose of x[-1,4,4,16] by a 5×5 filter to
// [8,8,64] at stride 2 with a, and returns a's choices by key.
func chooseTransposedConv(t *testing.T, a *graphs.Autotune) map[string]graphs.KernelChoice {
	t.Helper()
	g := newCPUGraph(tf.Float, 1)
	g.SetAutotune(a)
	s := g.Root()
	x := s.Placeholder("x", tf.Float, -1, 4, 4, 16)
	w := s.Placeholder("w", tf.Float, 5, 5, 64, 16)
	s.Conv2DTranspose(x, w, [3]int64{8, 8, 64}, [2]int{2, 2}, "SAME")
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	byKey := map[string]graphs.KernelChoice{}
	for _, c := range a.Choices() {
		byKey[c.Key] = c
	}
	return byKey
}
