package classifier

import (
	"runtime"
	"testing"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/graphs"
)

func TestSessionThreads(t *testing.T) {
	lstm := func(impl string) builders.Layer {
		l := builders.NewLSTM("lstm", 4)
		l.Implementation = impl
		return l
	}
	bi := &builders.Bidirectional{Layer: lstm(builders.LSTMUnrolled)}
	cores := runtime.NumCPU()
	for _, tt := range []struct {
		name    string
		layers  []builders.Layer
		threads int
		want    graphs.SessionOptions
	}{
		{"fused LSTM, TensorFlow's choice", []builders.Layer{lstm(builders.LSTMFused)}, 0, graphs.SessionOptions{}},
		{"unrolled LSTM", []builders.Layer{builders.NewDropout("d", 0.1), lstm(builders.LSTMUnrolled)}, 0,
			graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: cores}},
		{"unrolled LSTM in a Bidirectional", []builders.Layer{bi}, 0, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: cores}},
		{"-threads 1 wins", []builders.Layer{lstm(builders.LSTMUnrolled)}, 1, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1}},
		{"-threads 4", []builders.Layer{lstm(builders.LSTMUnrolled)}, 4, graphs.SessionOptions{IntraOpThreads: 4, InterOpThreads: 2}},
		{"no LSTM", []builders.Layer{builders.NewDropout("d", 0.1)}, 0, graphs.SessionOptions{}},
	} {
		if got := sessionThreads(tt.layers, tt.threads); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
