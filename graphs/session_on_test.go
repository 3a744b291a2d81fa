package graphs_test

import (
	"slices"
	"testing"

	"github.com/tfrun/tfrun/graphs"
	tf "github.com/wamuir/graft/tensorflow"
)

// TestStartSessionOn: a session from explicit options (here nil: in-process) initialises
// the variables exactly as StartSession does. distributed's tests run it on a server.
func TestStartSessionOn(t *testing.T) {
	values := func(start func(*graphs.Graph) (*graphs.Session, error)) []float32 {
		g := graphs.NewGraph(tf.Float, 7)
		v := g.Root().Sub("dense").NewVariable("kernel", tf.Float, []int64{3, 2}, graphs.GlorotUniform{}, true)
		s, err := start(g)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		out, err := s.Get(v)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Concat(graphs.Value(out[0]).([][]float32)...)
	}
	got := values(func(g *graphs.Graph) (*graphs.Session, error) { return graphs.StartSessionOn(g, nil) })
	want := values(func(g *graphs.Graph) (*graphs.Session, error) { return graphs.StartSession(g, 1) })
	if !slices.Equal(got, want) {
		t.Errorf("StartSessionOn's kernel = %v, StartSession's = %v", got, want)
	}
}
