package builders

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// keras_merge_masks.json, written by testdata/keras/make_merge_masks_golden.py.
type mergeMasksGolden struct {
	Keras, TensorFlow string
	FirstIDs          []int32 `json:"first_ids"`
	SecondIDs         []int32 `json:"second_ids"`
	Shape             []int64
	Cases             []struct {
		Class, Case  string
		FirstMasked  bool `json:"first_masked"`
		SecondMasked bool `json:"second_masked"`
		Mask         []float64
	}
}

// The merge layers give their output Keras 3.15.1's mask (Merge.compute_mask): with both
// inputs masked, the OR of the masks; with one input unmasked (a position embedding added
// to masked token embeddings), none, so the layers after it see no padding, as in Keras;
// with none, none.
func TestMergeMasksKeras(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "keras_merge_masks.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g mergeMasksGolden
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatalf("testdata/keras_merge_masks.json: %v", err)
	}
	if g.Keras != "3.15.1" || g.TensorFlow != "2.18.0" {
		t.Fatalf("golden from Keras %s / TensorFlow %s, want 3.15.1 / 2.18.0", g.Keras, g.TensorFlow)
	}
	layers := map[string]func() Layer{
		"Add": func() Layer { return NewAdd("m") }, "Subtract": func() Layer { return NewSubtract("m") },
		"Multiply": func() Layer { return NewMultiply("m") }, "Average": func() Layer { return NewAverage("m") },
		"Maximum": func() Layer { return NewMaximum("m") }, "Minimum": func() Layer { return NewMinimum("m") },
	}
	for _, kc := range g.Cases {
		t.Run(kc.Class+"/"+kc.Case, func(t *testing.T) {
			mk, ok := layers[kc.Class]
			if !ok {
				t.Fatalf("no tfrun layer for %s", kc.Class)
			}
			l := mk()
			gr := graphs.NewGraph(tf.Float, 1)
			s := gr.Root()
			steps := g.Shape[1]
			if _, err := l.(MergeLayer).BuildMerge(s, []Shape{{int(steps), 3}, {int(steps), 3}}); err != nil {
				t.Fatal(err)
			}
			x := s.Placeholder("x", tf.Float, -1, steps, 3)
			maskOf := func(ids []int32, masked bool) tf.Output {
				if !masked {
					return tf.Output{}
				}
				c := s.Const(ids)
				return op.NotEqual(s.Op("NotEqual"), op.Reshape(s.Op("Reshape"), c, s.Const([]int32{int32(g.Shape[0]), int32(steps)})), s.Const(int32(0)))
			}
			masks := []tf.Output{maskOf(g.FirstIDs, kc.FirstMasked), maskOf(g.SecondIDs, kc.SecondMasked)}
			_, mask := callMasked(s, l, []tf.Output{x, x}, masks, true)
			if kc.Mask == nil {
				if mask.Op != nil {
					t.Fatalf("output has a mask; Keras's has none")
				}
				return
			}
			if mask.Op == nil {
				t.Fatalf("output has no mask; Keras's is %v", kc.Mask)
			}
			sess, err := graphs.NewSession(gr, graphs.SessionOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			res, err := sess.Run(nil, []tf.Output{op.Cast(s.Op("Cast"), mask, tf.Float)})
			if err != nil {
				t.Fatal(err)
			}
			if got := graphs.Float64s(res[0]); fmt.Sprint(got) != fmt.Sprint(kc.Mask) {
				t.Errorf("mask %v, Keras %v", got, kc.Mask)
			}
		})
	}
}
