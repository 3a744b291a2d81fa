package builders

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// TopKAccuracy's batch means, weighted by batch size over batches as Model.fit's running
// logs are, give Keras 3's TopKCategoricalAccuracy and SparseTopKCategoricalAccuracy after
// each batch for k 1, 2, 3, 5, ties at the k-th place included: testdata/keras_top_k.json,
// recorded by testdata/keras/make_top_k_golden.py.
func TestTopKAccuracyKeras(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "keras_top_k.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Classes int
		Batches []struct {
			IDs     []float64   `json:"ids"`
			Scores  [][]float64 `json:"scores"`
			Results map[string]float64
		}
	}
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	ks := []int{1, 2, 3, 5}
	g := graphs.NewGraph(tf.Float, 1)
	s := g.Root()
	p := s.Placeholder("p", tf.Float, -1, int64(golden.Classes))
	ids := s.Placeholder("ids", tf.Float, -1)
	var outs []tf.Output
	for _, k := range ks {
		outs = append(outs, TopKAccuracy(s.Sub("top_k"), p, ids, k))
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	sums, seen := make([]float64, len(ks)), 0
	for b, batch := range golden.Batches {
		n := int64(len(batch.IDs))
		var flat []float64
		for _, row := range batch.Scores {
			flat = append(flat, row...)
		}
		pt, _ := graphs.NewTensor(float32s(flat), n, int64(golden.Classes))
		it, _ := graphs.NewTensor(float32s(batch.IDs), n)
		out, err := sess.Run(map[tf.Output]*tf.Tensor{p: pt, ids: it}, outs)
		if err != nil {
			t.Fatal(err)
		}
		seen += int(n)
		for i, k := range ks {
			sums[i] += float64(n) * graphs.Float64s(out[i])[0]
			got := sums[i] / float64(seen)
			for _, name := range []string{"top_", "sparse_top_"} {
				want := batch.Results[name+string(rune('0'+k))]
				if math.Abs(got-want) > 1e-6 {
					t.Errorf("batch %d, k %d: %s %.7f, Keras %.7f", b, k, name, got, want)
				}
			}
		}
	}
}
