package graphs_test

import (
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// A replica's random draws are the one-process run's for its rows of the global batch:
// the whole global batch is drawn from the same stream and cut (dropout masks, GAN noise).
// Checked for every slice of a global batch of 7 split 3 ways, and for a stand-in row.
func TestReplicaDrawsItsRowsOfTheGlobalBatch(t *testing.T) {
	const n, width = 7, 5
	build := func(replica bool) (g *graphs.Graph, sess *graphs.Session, x, u, z tf.Output) {
		g = graphs.NewGraph(tf.Float, 11)
		if replica {
			g.SetReplica(func(s *graphs.Scope, xs []tf.Output) []tf.Output { return xs })
		}
		s := g.Root()
		x = s.Placeholder("x", tf.Float, -1, width)
		layer := s.Sub("dropout")
		u = layer.RandomUniform(op.Shape(layer.Op("Shape"), x))
		z = s.Sub("noise").RandomNormal(op.Shape(s.Op("Shape"), x))
		if err := s.Err(); err != nil {
			t.Fatal(err)
		}
		return g, newInitializedSession(t, g), x, u, z
	}
	draw := func(g *graphs.Graph, sess *graphs.Session, outs []tf.Output, x tf.Output, rows int, feeds map[tf.Output]*tf.Tensor) [][]float64 {
		t.Helper()
		xt, err := graphs.NewTensor(make([]float32, rows*width), int64(rows), width)
		if err != nil {
			t.Fatal(err)
		}
		if feeds == nil {
			feeds = map[tf.Output]*tf.Tensor{}
		}
		feeds[x] = xt
		out, err := sess.Run(feeds, outs)
		if err != nil {
			t.Fatal(err)
		}
		return [][]float64{graphs.Float64s(out[0]), graphs.Float64s(out[1])}
	}
	og, osess, ox, u, z := build(false)
	want := draw(og, osess, []tf.Output{u, z}, ox, n, nil)

	rg, rsess, rx, ru, rz := build(true)
	for _, part := range [][2]int{{0, 2}, {2, 4}, {4, 7}, {3, 3}} {
		lo, hi := part[0], part[1]
		feeds, err := rg.ReplicaFeeds(n, lo, hi)
		if err != nil {
			t.Fatal(err)
		}
		rows := hi - lo
		if rows == 0 { // a stand-in row: any values, but the step runs
			rows = 1
		}
		got := draw(rg, rsess, []tf.Output{ru, rz}, rx, rows, feeds)
		if hi == lo {
			continue
		}
		for k, name := range []string{"uniform", "normal"} {
			w := want[k][lo*width : hi*width]
			for i := range w {
				if got[k][i] != w[i] {
					t.Fatalf("rows [%d, %d): %s[%d] = %v, the one-process run drew %v", lo, hi, name, i, got[k][i], w[i])
				}
			}
		}
	}
	if _, err := rg.ReplicaFeeds(n, 5, 8); err == nil {
		t.Error("rows [5, 8) of 7: no error")
	}
}
