package graphs_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// scriptedTimer answers the n-th timing of a form with its n-th entry of times (the last
// one repeated), in milliseconds; a negative entry fails that timing. It records the
// forms in the order they were timed.
type scriptedTimer struct {
	times map[string][]float64
	order []string
}

func (s *scriptedTimer) measure(c graphs.Candidate) (time.Duration, error) {
	n := 0
	for _, f := range s.order {
		if f == c.Form {
			n++
		}
	}
	s.order = append(s.order, c.Form)
	seq := s.times[c.Form]
	ms := seq[min(n, len(seq)-1)]
	if ms < 0 {
		return 0, errors.New("session closed")
	}
	return time.Duration(ms * float64(time.Millisecond)), nil
}

// After the first pass the forms within 1.5 times the best are timed again in one more
// round, in the first pass's order reversed, each keeping its best
// time: a load burst on the true winner's first timing does not decide; a form clearly
// slower in the first pass, a single candidate, or no close contender costs no more
// timings; a failure when timed again is a warning, and the form keeps its earlier times.
func TestAutotuneRetimesCloseForms(t *testing.T) {
	tests := []struct {
		name       string
		forms      []string // the first is the fixed rule's
		times      map[string][]float64
		wantForm   string
		wantSource string
		wantOrder  string // the forms in the order they were timed
		wantTimes  map[string]float64
		wantTimed  map[string]int // KernelChoice.Timings
		wantWarn   string
	}{
		{name: "a burst on the winner's first timing", forms: []string{"a", "b", "c"},
			times:    map[string][]float64{"a": {2.6, 1}, "b": {2}, "c": {10}},
			wantForm: "a", wantSource: graphs.SourceMeasured, wantOrder: "a b c b a",
			wantTimes: map[string]float64{"a": 1, "b": 2, "c": 10}, wantTimed: map[string]int{"a": 2, "b": 2, "c": 1}},
		{name: "a burst on the runner-up's first timing", forms: []string{"a", "b"},
			times:    map[string][]float64{"a": {1}, "b": {1.4, 0.8}},
			wantForm: "b", wantSource: graphs.SourceMeasured, wantOrder: "a b b a",
			wantTimes: map[string]float64{"a": 1, "b": 0.8}, wantTimed: map[string]int{"a": 2, "b": 2}},
		{name: "the first pass's winner stays", forms: []string{"a", "b"},
			times:    map[string][]float64{"a": {1, 1.3, 1.1}, "b": {1.2, 1.05, 1.4}},
			wantForm: "a", wantSource: graphs.SourceMeasured, wantOrder: "a b b a",
			wantTimes: map[string]float64{"a": 1, "b": 1.05}, wantTimed: map[string]int{"a": 2, "b": 2}},
		{name: "a clearly slower form is not timed again", forms: []string{"a", "b", "c"},
			times:    map[string][]float64{"a": {1}, "b": {1.2}, "c": {1.6}},
			wantForm: "a", wantSource: graphs.SourceMeasured, wantOrder: "a b c b a",
			wantTimes: map[string]float64{"a": 1, "b": 1.2, "c": 1.6}, wantTimed: map[string]int{"a": 2, "b": 2, "c": 1}},
		{name: "no close contender", forms: []string{"a", "b"},
			times:    map[string][]float64{"a": {1}, "b": {2}},
			wantForm: "a", wantSource: graphs.SourceMeasured, wantOrder: "a b",
			wantTimes: map[string]float64{"a": 1, "b": 2}, wantTimed: map[string]int{"a": 1, "b": 1}},
		{name: "a single candidate", forms: []string{"a"},
			times:    map[string][]float64{"a": {1}},
			wantForm: "a", wantSource: graphs.SourceMeasured, wantOrder: "a",
			wantTimes: map[string]float64{"a": 1}, wantTimed: map[string]int{"a": 1}},
		{name: "the only other form fails in the first pass", forms: []string{"a", "b"},
			times:    map[string][]float64{"a": {1}, "b": {-1}},
			wantForm: "a", wantSource: graphs.SourceMeasured, wantOrder: "a b",
			wantTimes: map[string]float64{"a": 1}, wantTimed: map[string]int{"a": 1}, wantWarn: "in form b: session closed"},
		{name: "a form fails when timed again", forms: []string{"a", "b", "c"},
			times:    map[string][]float64{"a": {1.2, 1.1}, "b": {1, -1}, "c": {1.1, 1.05}},
			wantForm: "b", wantSource: graphs.SourceMeasured, wantOrder: "a b c c b a",
			wantTimes: map[string]float64{"a": 1.1, "b": 1, "c": 1.05}, wantTimed: map[string]int{"a": 2, "b": 1, "c": 2},
			wantWarn: "in form b (timed again, round 2): session closed"},
		{name: "every form fails when timed again", forms: []string{"a", "b"},
			times:    map[string][]float64{"a": {1, -1}, "b": {1.1, -1}},
			wantForm: "a", wantSource: graphs.SourceMeasured, wantOrder: "a b b a",
			wantTimes: map[string]float64{"a": 1, "b": 1.1}, wantTimed: map[string]int{"a": 1, "b": 1},
			wantWarn: "in form a (timed again, round 2): session closed"},
		{name: "every form fails", forms: []string{"a", "b"},
			times:    map[string][]float64{"a": {-1}, "b": {-1}},
			wantForm: "a", wantSource: graphs.SourceRules, wantOrder: "a b", wantWarn: "in form b: session closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			timer := &scriptedTimer{times: tt.times}
			var warned []string
			cache := mapCache{}
			a := &graphs.Autotune{Measure: timer.measure, Cache: cache, Warn: func(msg string) { warned = append(warned, msg) }}
			g := newCPUGraph(tf.Float, 1)
			g.SetAutotune(a)
			const key = "Op float32 x[8]"
			realTimer := func(form string, limit time.Duration) (time.Duration, error) {
				return 0, fmt.Errorf("the real timer ran for %s", form)
			}
			if got := g.Choose(key, tt.forms, tt.forms[0], realTimer); got != tt.wantForm {
				t.Errorf("chose %q, want %q", got, tt.wantForm)
			}
			if got := strings.Join(timer.order, " "); got != tt.wantOrder {
				t.Errorf("timed %q, want %q", got, tt.wantOrder)
			}
			c := a.Choices()[0]
			if c.Source != tt.wantSource {
				t.Errorf("source %s, want %s", c.Source, tt.wantSource)
			}
			if len(c.Times) != len(tt.wantTimes) {
				t.Errorf("times %v, want %v ms", c.Times, tt.wantTimes)
			}
			for form, ms := range tt.wantTimes {
				if got := c.Times[form] * 1e3; got < ms-1e-9 || got > ms+1e-9 {
					t.Errorf("%s's time %g ms, want %g", form, got, ms)
				}
			}
			if len(c.Timings) != len(tt.wantTimed) {
				t.Errorf("timings %v, want %v", c.Timings, tt.wantTimed)
			}
			for form, n := range tt.wantTimed {
				if c.Timings[form] != n {
					t.Errorf("%s timed %d times, want %d", form, c.Timings[form], n)
				}
			}
			wantCache := tt.wantForm
			if tt.wantSource != graphs.SourceMeasured {
				wantCache = ""
			}
			if cache[key] != wantCache {
				t.Errorf("cache holds %q, want %q", cache[key], wantCache)
			}
			if all := strings.Join(warned, "\n"); tt.wantWarn == "" && all != "" || !strings.Contains(all, tt.wantWarn) {
				t.Errorf("warnings %q, want one containing %q", all, tt.wantWarn)
			}
		})
	}
}
