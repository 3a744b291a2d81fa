package checkpoints

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// testModel is a dense layer and an optimizer counter: the variable kinds checkpoints hold.
type testModel struct {
	sess  *graphs.Session
	saver *Saver
	vars  []*graphs.Variable
}

// newModel builds a model whose values depend on seed; kernelShape and extra vary the
// model for mismatch tests.
func newModel(t *testing.T, seed uint64, kernelShape []int64, extra ...string) *testModel {
	t.Helper()
	g := graphs.NewGraph(tf.Float, seed)
	d := g.Root().Sub("dense")
	vars := []*graphs.Variable{
		d.NewVariable("kernel", tf.Float, kernelShape, graphs.GlorotUniform{}, true),
		d.NewVariable("bias", tf.Float, []int64{3}, graphs.RandomUniform{Min: -1, Max: 1}, true),
		g.Root().Sub("adam").NewVariable("iterations", tf.Int64, nil, graphs.Constant{Value: float64(seed)}, false),
	}
	for _, name := range extra {
		vars = append(vars, g.Root().NewVariable(name, tf.Float, []int64{2}, graphs.Ones{}, false))
	}
	sv, err := NewSaver(g.Root(), vars)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	if err := sess.InitVariables(); err != nil {
		t.Fatal(err)
	}
	return &testModel{sess: sess, saver: sv, vars: vars}
}

// values returns every variable's values, flattened, in order.
func (m *testModel) values(t *testing.T) []float64 {
	t.Helper()
	ts, err := m.sess.Get(m.vars...)
	if err != nil {
		t.Fatal(err)
	}
	var out []float64
	for _, x := range ts {
		if x.DataType() == tf.Int64 {
			out = append(out, graphs.Scalar64(x))
		} else {
			out = append(out, graphs.Float64s(x)...)
		}
	}
	return out
}

func mustTensor(t *testing.T, data any, shape ...int64) *tf.Tensor {
	t.Helper()
	x, err := graphs.NewTensor(data, shape...)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// Write with one model, Read into another built the same way with other initial values:
// every variable and the extra come back exactly, and List sees what was written.
func TestWriteReadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "ckpt-15")
	a := newModel(t, 1, []int64{2, 3})
	extra := Tensor{Name: "_early_stopping/best/dense/kernel", Value: mustTensor(t, []float32{1, 2, 3, 4, 5, 6}, 2, 3)}
	if err := a.saver.Write(a.sess, prefix, []Tensor{extra}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"ckpt-15.index", "ckpt-15.data-00000-of-00001"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*_temp")); len(left) > 0 {
		t.Errorf("temporary folders left: %v", left)
	}
	entries, err := List(prefix)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.String())
	}
	want := []string{
		"_early_stopping/best/dense/kernel float32 [2 3]",
		"adam/iterations int64 []",
		"dense/bias float32 [3]",
		"dense/kernel float32 [2 3]",
	}
	if !slices.Equal(got, want) {
		t.Errorf("List = %q, want %q", got, want)
	}

	b := newModel(t, 2, []int64{2, 3})
	if slices.Equal(b.values(t), a.values(t)) {
		t.Fatal("models start equal; the test proves nothing")
	}
	extras, err := b.saver.Read(b.sess, prefix, []string{extra.Name})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b.values(t), a.values(t); !slices.Equal(got, want) {
		t.Errorf("restored %v, saved %v", got, want)
	}
	if got := graphs.Float64s(extras[extra.Name]); !slices.Equal(got, []float64{1, 2, 3, 4, 5, 6}) {
		t.Errorf("extra restored as %v", got)
	}
}

// A bundle of another model, a damaged one and a missing one are errors naming what is
// wrong, of the right kind; the model keeps its values.
func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "ckpt-1")
	a := newModel(t, 1, []int64{2, 3})
	if err := a.saver.Write(a.sess, prefix, nil); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(DataFile(prefix, 0, 1))
	index, _ := os.ReadFile(IndexFile(prefix))
	damaged := func(t *testing.T, data, index []byte) string {
		bad := filepath.Join(t.TempDir(), "ckpt-1")
		os.WriteFile(DataFile(bad, 0, 1), data, 0o644)
		os.WriteFile(IndexFile(bad), index, 0o644)
		return bad
	}
	flipped := slices.Clone(data)
	flipped[len(flipped)-3] ^= 0x10
	badIndex := slices.Clone(index)
	badIndex[len(badIndex)/3] ^= 0x01
	cases := []struct {
		name   string
		model  func(t *testing.T) *testModel
		prefix func(t *testing.T) string
		kind   error
		want   []string
	}{
		{"other_shape", func(t *testing.T) *testModel { return newModel(t, 2, []int64{4, 3}) },
			func(*testing.T) string { return prefix }, ErrMismatch, []string{"dense/kernel is float32 [2 3] in the checkpoint, float32 [4 3] in the model"}},
		{"model_has_more", func(t *testing.T) *testModel { return newModel(t, 2, []int64{2, 3}, "moving_mean") },
			func(*testing.T) string { return prefix }, ErrMismatch, []string{"the checkpoint lacks moving_mean float32 [2]"}},
		{"truncated_data", func(t *testing.T) *testModel { return newModel(t, 2, []int64{2, 3}) },
			func(t *testing.T) string { return damaged(t, data[:len(data)/2], index) }, ErrCorrupt, []string{"truncated"}},
		{"flipped_data_bit", func(t *testing.T) *testModel { return newModel(t, 2, []int64{2, 3}) },
			func(t *testing.T) string { return damaged(t, flipped, index) }, ErrCorrupt, []string{"checksum mismatch", "adam/iterations"}},
		{"truncated_index", func(t *testing.T) *testModel { return newModel(t, 2, []int64{2, 3}) },
			func(t *testing.T) string { return damaged(t, data, index[:len(index)-7]) }, ErrCorrupt, []string{"ckpt-1.index"}},
		{"damaged_index", func(t *testing.T) *testModel { return newModel(t, 2, []int64{2, 3}) },
			func(t *testing.T) string { return damaged(t, data, badIndex) }, ErrCorrupt, []string{"ckpt-1.index"}},
		{"missing", func(t *testing.T) *testModel { return newModel(t, 2, []int64{2, 3}) },
			func(*testing.T) string { return filepath.Join(dir, "ckpt-99") }, ErrCorrupt, []string{"ckpt-99.index is missing"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.model(t)
			before := m.values(t)
			_, err := m.saver.Read(m.sess, tc.prefix(t), nil)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("err = %v, want one wrapping %v", err, tc.kind)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want it to contain %q", err, w)
				}
			}
			if !slices.Equal(m.values(t), before) {
				t.Error("a failed read changed the model")
			}
		})
	}
	t.Run("model_has_fewer", func(t *testing.T) {
		big := newModel(t, 3, []int64{2, 3}, "moving_mean")
		p := filepath.Join(t.TempDir(), "ckpt-2")
		if err := big.saver.Write(big.sess, p, nil); err != nil {
			t.Fatal(err)
		}
		m := newModel(t, 2, []int64{2, 3})
		_, err := m.saver.Read(m.sess, p, nil)
		if !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "the model lacks moving_mean float32 [2]") {
			t.Fatalf("err = %v, want a mismatch naming moving_mean", err)
		}
	})
}

func TestNonFinite(t *testing.T) {
	m := newModel(t, 1, []int64{2, 3})
	bad, err := m.saver.NonFinite(m.sess, []Tensor{{Name: "ok", Value: mustTensor(t, []float32{1, 2}, 2)}})
	if err != nil || len(bad) != 0 {
		t.Fatalf("NonFinite of a fresh model = %v, %v", bad, err)
	}
	if err := m.sess.Set(m.vars[1:2], []*tf.Tensor{mustTensor(t, []float32{1, float32(math.NaN()), 3}, 3)}); err != nil {
		t.Fatal(err)
	}
	bad, err = m.saver.NonFinite(m.sess, []Tensor{{Name: "inf", Value: mustTensor(t, []float32{float32(math.Inf(1)), 2}, 2)}})
	if err != nil || !slices.Equal(bad, []string{"dense/bias", "inf"}) {
		t.Fatalf("NonFinite = %v, %v; want [dense/bias inf]", bad, err)
	}
}
