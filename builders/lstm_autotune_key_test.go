package builders

import (
	"testing"
	"time"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// mapCache is a graphs.KernelCache in memory.
type mapCache map[string]string

func (m mapCache) Load(key string) (string, bool) { f, ok := m[key]; return f, ok }
func (m mapCache) Store(key, form string)         { m[key] = form }

// The LSTM's autotune key carries the forms' version: a winner cached under the key
// without one (measured on the per-step products before lstmFormsVersion 2) is measured
// again, while a checkpoint that recorded a form under that key still resumes with it.
func TestLSTMAutotuneKeyVersion(t *testing.T) {
	const legacy = "LSTM float32 batch 4 steps 3 input 2 units 2 last"
	const want = "LSTM v2 float32 batch 4 steps 3 input 2 units 2 last"
	p := lstmProblem{dtype: tf.Float, batch: 4, steps: 3, input: 2, units: 2}
	if got := p.key(); got != want {
		t.Fatalf("key = %q, want %q", got, want)
	}
	for _, tc := range []struct {
		name       string
		cache      mapCache
		resumed    map[string]string
		wantForm   string
		wantSource string
		measured   bool
	}{
		{"legacy cache entry measured again", mapCache{legacy: LSTMUnrolled}, nil, LSTMFused, graphs.SourceMeasured, true},
		{"versioned cache entry used", mapCache{want: LSTMUnrolled}, nil, LSTMUnrolled, graphs.SourceCache, false},
		{"legacy checkpoint record kept", mapCache{}, map[string]string{legacy: LSTMUnrolled}, LSTMUnrolled, graphs.SourceCheckpoint, false},
		{"versioned checkpoint record first", mapCache{}, map[string]string{legacy: LSTMFused, want: LSTMUnrolled}, LSTMUnrolled, graphs.SourceCheckpoint, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			g := graphs.NewGraph(tf.Float, 1)
			g.SetAutotune(&graphs.Autotune{Cache: tc.cache, Resumed: tc.resumed, Measure: func(c graphs.Candidate) (time.Duration, error) {
				calls++
				if c.Form == LSTMFused {
					return time.Millisecond, nil
				}
				return 2 * time.Millisecond, nil
			}})
			s := g.Root()
			x := s.Placeholder("x", tf.Float, 4, 3, 2)
			l := NewLSTM("lstm", 2)
			if _, err := l.Build(s, Shape{3, 2}); err != nil {
				t.Fatal(err)
			}
			if form := l.implementation(l.scope, x); form != tc.wantForm {
				t.Errorf("form %q, want %q", form, tc.wantForm)
			}
			choices := g.Autotune().Choices()
			if len(choices) != 1 || choices[0].Key != want || choices[0].Source != tc.wantSource {
				t.Errorf("choices %+v, want one of key %q from %s", choices, want, tc.wantSource)
			}
			if (calls > 0) != tc.measured {
				t.Errorf("%d forms timed, want measured %v", calls, tc.measured)
			}
		})
	}
}
