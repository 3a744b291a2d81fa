package checkpoints

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

func newModel(t *testing.T, seed uint64, kernelShape []int64) (*graphs.Session, *Saver, []*graphs.Variable) {
	t.Helper()
	g := graphs.NewGraph(tf.Float, seed)
	d := g.Root().Sub("dense")
	vars := []*graphs.Variable{
		d.NewVariable("kernel", tf.Float, kernelShape, graphs.GlorotUniform{}, true),
		d.NewVariable("bias", tf.Float, []int64{3}, graphs.RandomUniform{Min: -1, Max: 1}, true),
		g.Root().Sub("adam").NewVariable("iterations", tf.Int64, nil, graphs.Constant{Value: float64(seed)}, false),
	}
	sv, err := NewSaver(g.Root(), vars)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := graphs.NewSession(g, graphs.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	if err := sess.InitVariables(); err != nil {
		t.Fatal(err)
	}
	return sess, sv, vars
}

func values(t *testing.T, sess *graphs.Session, vars []*graphs.Variable) []float64 {
	t.Helper()
	ts, err := sess.Get(vars...)
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

// Save with one model, restore into another built the same way with other initial values.
func TestSaveRestoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	a, sa, va := newModel(t, 1, []int64{2, 3})
	prefix, err := sa.Save(a, dir, 15)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"ckpt-15.index", "ckpt-15.data-00000-of-00001", "checkpoint"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*_temp")); len(left) > 0 {
		t.Errorf("temporary folders left: %v", left)
	}
	latest, err := Latest(dir)
	if err != nil || latest != prefix {
		t.Fatalf("Latest = %q, %v; want %q", latest, err, prefix)
	}
	b, sb, vb := newModel(t, 2, []int64{2, 3})
	if got, want := values(t, b, vb), values(t, a, va); got[0] == want[0] {
		t.Fatal("models start equal; the test proves nothing")
	}
	if err := sb.Restore(b, latest); err != nil {
		t.Fatal(err)
	}
	got, want := values(t, b, vb), values(t, a, va)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("value %d: restored %v, saved %v", i, got[i], want[i])
		}
	}
}

// A checkpoint of another model (other shapes), a corrupt one and a missing one are errors
// naming what is wrong; the model keeps its values.
func TestRestoreErrors(t *testing.T) {
	dir := t.TempDir()
	a, sa, _ := newModel(t, 1, []int64{2, 3})
	prefix, err := sa.Save(a, dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("other_shape", func(t *testing.T) {
		b, sb, vb := newModel(t, 2, []int64{4, 3})
		before := values(t, b, vb)
		err := sb.Restore(b, prefix)
		if err == nil || !strings.Contains(err.Error(), "dense/kernel") {
			t.Fatalf("err = %v, want one naming dense/kernel", err)
		}
		if after := values(t, b, vb); after[0] != before[0] {
			t.Error("a failed restore changed the model")
		}
	})
	t.Run("corrupt", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "ckpt-1")
		data, _ := os.ReadFile(prefix + ".data-00000-of-00001")
		idx, _ := os.ReadFile(prefix + ".index")
		os.WriteFile(bad+".data-00000-of-00001", data[:len(data)/2], 0o644)
		os.WriteFile(bad+".index", idx, 0o644)
		b, sb, _ := newModel(t, 2, []int64{2, 3})
		if err := sb.Restore(b, bad); err == nil {
			t.Fatal("restored a truncated checkpoint")
		}
	})
	t.Run("missing", func(t *testing.T) {
		b, sb, _ := newModel(t, 2, []int64{2, 3})
		err := sb.Restore(b, filepath.Join(dir, "ckpt-99"))
		if err == nil || !strings.Contains(err.Error(), "ckpt-99") {
			t.Fatalf("err = %v, want one naming ckpt-99", err)
		}
	})
}

func TestLatestNone(t *testing.T) {
	if p, err := Latest(t.TempDir()); p != "" || err != nil {
		t.Fatalf("Latest of an empty dir = %q, %v", p, err)
	}
}
