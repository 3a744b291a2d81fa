package checkpoints

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// bumpBias changes the model so that each save holds different values.
func (m *testModel) bumpBias(t *testing.T, x float32) {
	t.Helper()
	if err := m.sess.Set(m.vars[1:2], []*tf.Tensor{mustTensor(t, []float32{x, x, x}, 3)}); err != nil {
		t.Fatal(err)
	}
}

func newManager(t *testing.T, m *testModel, dir string, keep int) *Manager {
	t.Helper()
	mg, err := NewManager(m.saver, dir, keep)
	if err != nil {
		t.Fatal(err)
	}
	return mg
}

// files lists a directory's entries, sorted.
func files(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		out = append(out, de.Name())
	}
	sort.Strings(out)
	return out
}

func bundleFiles(names ...string) []string {
	var out []string
	for _, n := range names {
		out = append(out, n+".data-00000-of-00001", n+".index", n+".json")
	}
	out = append(out, StateFile)
	sort.Strings(out)
	return out
}

// Saves keep the newest Keep checkpoints, the state file names them as TensorFlow's
// CheckpointManager does, the sidecar holds the meta, and Restore brings back the values.
func TestManagerSaveKeepRestore(t *testing.T) {
	dir := t.TempDir()
	a := newModel(t, 1, []int64{2, 3})
	mg := newManager(t, a, dir, 2)
	var saved [][]float64
	for i, step := range []int64{10, 20, 30} {
		a.bumpBias(t, float32(i))
		extra := Tensor{Name: "_extra", Value: mustTensor(t, []float32{float32(step)}, 1)}
		meta := Meta{Fingerprint: "fp", Source: "test.yaml", State: json.RawMessage(`{"epoch":` + string(rune('0'+i)) + `}`)}
		p, err := mg.Save(a.sess, step, meta, []Tensor{extra})
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(dir, Name(step)); p != want {
			t.Errorf("Save returned %q, want %q", p, want)
		}
		saved = append(saved, a.values(t))
	}
	if got, want := files(t, dir), bundleFiles("ckpt-20", "ckpt-30"); !slices.Equal(got, want) {
		t.Errorf("directory holds %v, want %v", got, want)
	}
	st, err := ReadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Latest != "ckpt-30" || !slices.Equal(st.All, []string{"ckpt-20", "ckpt-30"}) || len(st.Timestamps) != 2 || st.LastPreserved != st.Timestamps[0] {
		t.Errorf("state = %+v", st)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, StateFile))
	if !strings.HasPrefix(string(raw), "model_checkpoint_path: \"ckpt-30\"\nall_model_checkpoint_paths: \"ckpt-20\"\nall_model_checkpoint_paths: \"ckpt-30\"\nall_model_checkpoint_timestamps: ") {
		t.Errorf("state file:\n%s", raw)
	}
	latest, err := Latest(dir)
	if err != nil || latest != filepath.Join(dir, "ckpt-30") {
		t.Fatalf("Latest = %q, %v", latest, err)
	}
	if _, err := mg.Save(a.sess, 30, Meta{}, nil); err == nil || !strings.Contains(err.Error(), "never overwritten") {
		t.Errorf("saving ckpt-30 again: err = %v, want a refusal", err)
	}

	b := newModel(t, 2, []int64{2, 3})
	sc, extras, err := newManager(t, b, dir, 2).Restore(b.sess, filepath.Join(dir, "ckpt-20"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(b.values(t), saved[1]) {
		t.Errorf("restored %v, saved %v", b.values(t), saved[1])
	}
	if sc.Step != 20 || sc.Fingerprint != "fp" || sc.Source != "test.yaml" || compact(sc.State) != `{"epoch":1}` || !slices.Equal(sc.Extras, []string{"_extra"}) {
		t.Errorf("sidecar = %+v", sc)
	}
	if got := graphs64(extras["_extra"]); !slices.Equal(got, []float64{20}) {
		t.Errorf("extra = %v, want [20]", got)
	}
}

func graphs64(x *tf.Tensor) []float64 {
	if x == nil {
		return nil
	}
	v, _ := graphs.Value(x).([]float32)
	out := make([]float64, len(v))
	for i, f := range v {
		out[i] = float64(f)
	}
	return out
}

// A process that dies at any stage of a save leaves a loadable latest checkpoint: the
// previous one before the state file is replaced, the new one after. The next save
// removes what the unfinished one left.
func TestManagerCrashDuringSave(t *testing.T) {
	for _, stage := range []string{"bundle", "sidecar", "state", "partial_files"} {
		t.Run(stage, func(t *testing.T) {
			dir := t.TempDir()
			a := newModel(t, 1, []int64{2, 3})
			mg := newManager(t, a, dir, 5)
			if _, err := mg.Save(a.sess, 1, Meta{State: json.RawMessage(`{}`)}, nil); err != nil {
				t.Fatal(err)
			}
			first := a.values(t)
			a.bumpBias(t, 7)
			second := a.values(t)
			if stage == "partial_files" {
				// What a kill inside SaveV2 or MergeV2Checkpoints leaves.
				idx, _ := os.ReadFile(IndexFile(filepath.Join(dir, "ckpt-1")))
				os.WriteFile(filepath.Join(dir, "ckpt-2.index"), idx[:len(idx)/2], 0o644)
				os.MkdirAll(filepath.Join(dir, "ckpt-2_temp"), 0o755)
				os.WriteFile(filepath.Join(dir, "ckpt-2_temp", "part-00000-of-00001.data-00000-of-00001"), []byte("half"), 0o644)
				os.WriteFile(filepath.Join(dir, ".checkpoint.tmp123"), []byte("model_checkpoint_path: \"ckpt"), 0o644)
			} else {
				mg.crashAt = stage
				if _, err := mg.Save(a.sess, 2, Meta{State: json.RawMessage(`{}`)}, nil); !errors.Is(err, errCrash) {
					t.Fatalf("Save = %v, want the simulated crash", err)
				}
			}
			wantLatest, wantValues := "ckpt-1", first
			if stage == "state" {
				wantLatest, wantValues = "ckpt-2", second
			}
			latest, err := Latest(dir)
			if err != nil || filepath.Base(latest) != wantLatest {
				t.Fatalf("after the crash Latest = %q, %v; want %s", latest, err, wantLatest)
			}
			b := newModel(t, 2, []int64{2, 3})
			mb := newManager(t, b, dir, 5)
			if _, _, err := mb.Restore(b.sess, latest, nil); err != nil {
				t.Fatalf("restoring %s after the crash: %v", wantLatest, err)
			}
			if !slices.Equal(b.values(t), wantValues) {
				t.Errorf("restored %v, want %v", b.values(t), wantValues)
			}
			if _, err := mb.Save(b.sess, 3, Meta{State: json.RawMessage(`{}`)}, nil); err != nil {
				t.Fatalf("saving after the crash: %v", err)
			}
			want := bundleFiles("ckpt-1", "ckpt-3")
			if stage == "state" {
				want = bundleFiles("ckpt-1", "ckpt-2", "ckpt-3")
			}
			if got := files(t, dir); !slices.Equal(got, want) {
				t.Errorf("after the next save the directory holds %v, want %v", got, want)
			}
		})
	}
}

// A NaN is never saved over the last good checkpoint.
func TestManagerRefusesNonFinite(t *testing.T) {
	dir := t.TempDir()
	a := newModel(t, 1, []int64{2, 3})
	mg := newManager(t, a, dir, 5)
	if _, err := mg.Save(a.sess, 1, Meta{}, nil); err != nil {
		t.Fatal(err)
	}
	a.bumpBias(t, float32(posInf()))
	_, err := mg.Save(a.sess, 2, Meta{}, nil)
	if !errors.Is(err, ErrNotFinite) || !strings.Contains(err.Error(), "dense/bias") || !strings.Contains(err.Error(), "ckpt-1 is intact") {
		t.Fatalf("err = %v, want ErrNotFinite naming dense/bias and the intact ckpt-1", err)
	}
	if got, want := files(t, dir), bundleFiles("ckpt-1"); !slices.Equal(got, want) {
		t.Errorf("directory holds %v, want %v", got, want)
	}
}

func posInf() float64 { var z float64; return 1 / z }

// Inspect tells a damaged or foreign checkpoint by its sidecar, before reading tensors.
func TestInspectErrors(t *testing.T) {
	dir := t.TempDir()
	a := newModel(t, 1, []int64{2, 3})
	if _, err := newManager(t, a, dir, 5).Save(a.sess, 4, Meta{}, nil); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "ckpt-4")
	cases := []struct {
		name   string
		damage func(prefix string)
		want   string
	}{
		{"no_sidecar", func(p string) { os.Remove(SidecarFile(p)) }, "ckpt-4.json is missing: the checkpoint is incomplete or was not written by tfrun"},
		{"truncated_data", func(p string) { os.Truncate(DataFile(p, 0, 1), 10) }, "ckpt-4.data-00000-of-00001 is 10 bytes, it was written with"},
		{"changed_data", func(p string) {
			b, _ := os.ReadFile(DataFile(p, 0, 1))
			b[0] ^= 1
			os.WriteFile(DataFile(p, 0, 1), b, 0o644)
		}, "ckpt-4.data-00000-of-00001 was changed or damaged"},
		{"bad_json", func(p string) { os.WriteFile(SidecarFile(p), []byte("{"), 0o644) }, "ckpt-4.json: unexpected end of JSON input"},
		{"missing_index", func(p string) { os.Remove(IndexFile(p)) }, "ckpt-4.index is missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "ckpt-4")
			for _, f := range []string{IndexFile(src), DataFile(src, 0, 1), SidecarFile(src)} {
				b, _ := os.ReadFile(f)
				os.WriteFile(filepath.Join(filepath.Dir(p), filepath.Base(f)), b, 0o644)
			}
			if _, err := Inspect(p); err != nil {
				t.Fatalf("intact copy: %v", err)
			}
			tc.damage(p)
			_, err := Inspect(p)
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrCorrupt containing %q", err, tc.want)
			}
		})
	}
}

func TestParseState(t *testing.T) {
	good := "model_checkpoint_path: \"ckpt-2\"\nall_model_checkpoint_paths: \"ckpt-1\"\nall_model_checkpoint_paths: \"ckpt-2\"\n" +
		"all_model_checkpoint_timestamps: 1700000000.5\nall_model_checkpoint_timestamps: 1700000001.25\nlast_preserved_timestamp: 1700000000.5\n"
	st, err := parseState(good)
	if err != nil {
		t.Fatal(err)
	}
	if st.Latest != "ckpt-2" || !slices.Equal(st.All, []string{"ckpt-1", "ckpt-2"}) || !slices.Equal(st.Timestamps, []float64{1700000000.5, 1700000001.25}) {
		t.Errorf("parsed %+v", st)
	}
	if got := st.text(); got != strings.ReplaceAll(strings.ReplaceAll(good, ".5\n", ".500000\n"), ".25\n", ".250000\n") {
		t.Errorf("text() =\n%s", got)
	}
	for _, tc := range []struct{ text, want string }{
		{"model_checkpoint_path: ckpt-2\n", "want a quoted string"},
		{"colour: \"blue\"\n", `unknown field "colour"`},
		{"all_model_checkpoint_paths: \"ckpt-1\"\n", "no model_checkpoint_path"},
		{"model_checkpoint_path: \"ckpt-2\"\nall_model_checkpoint_timestamps: x\n", "want a number"},
	} {
		if _, err := parseState(tc.text); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseState(%q) = %v, want an error containing %q", tc.text, err, tc.want)
		}
	}
}

func compact(raw json.RawMessage) string {
	var b strings.Builder
	var buf = new(bytes.Buffer)
	if err := json.Compact(buf, raw); err != nil {
		return "invalid: " + err.Error()
	}
	b.Write(buf.Bytes())
	return b.String()
}
