package builders

import (
	"runtime"
	"testing"

	"github.com/tfrun/tfrun/graphs"
)

// cell_kernel_split is timed for halves of 16 rows or more run by two or more inter-op
// threads.
func TestLSTMSplitCandidate(t *testing.T) {
	cores := runtime.NumCPU()
	for _, c := range []struct {
		name  string
		batch int64
		opts  graphs.SessionOptions
		want  bool
	}{
		{"batch 512, two inter-op threads", 512, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 2}, true},
		{"batch 32, halves of 16", 32, graphs.SessionOptions{InterOpThreads: 2}, true},
		{"batch 31", 31, graphs.SessionOptions{InterOpThreads: 2}, false},
		{"batch 1", 1, graphs.SessionOptions{InterOpThreads: 2}, false},
		{"one inter-op thread (-threads 1)", 512, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1}, false},
		{"TensorFlow's choice: a thread per core", 512, graphs.SessionOptions{}, cores >= 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := lstmSplitCandidate(c.batch, c.opts); got != c.want {
				t.Errorf("lstmSplitCandidate(%d, %+v) = %v, want %v (%d cores)", c.batch, c.opts, got, c.want, cores)
			}
		})
	}
}
