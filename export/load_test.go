package export

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wamuir/graft/tensorflow/core/protobuf/for_core_protos_go_proto"
	"google.golang.org/protobuf/proto"
)

// What is not a SavedModel is refused with what it is.
func TestLoadNotASavedModel(t *testing.T) {
	dir := t.TempDir()
	mk := func(name string, files map[string]string) string {
		d := filepath.Join(dir, name)
		os.MkdirAll(d, 0o755)
		for f, body := range files {
			os.MkdirAll(filepath.Dir(filepath.Join(d, f)), 0o755)
			os.WriteFile(filepath.Join(d, f), []byte(body), 0o644)
		}
		return d
	}
	file := filepath.Join(dir, "file.pb")
	os.WriteFile(file, []byte("x"), 0o644)
	cases := []struct {
		name, dir, want string
	}{
		{"missing", filepath.Join(dir, "nowhere"), "no such directory"},
		{"file", file, "a file, not a SavedModel directory"},
		{"empty", mk("empty", nil), "no saved_model.pb and no numbered version"},
		{"run_directory", mk("run", map[string]string{"checkpoints/checkpoint": "", "history.json": "{}"}), "looks like a run directory"},
		{"text_format", mk("pbtxt", map[string]string{"saved_model.pbtxt": "meta_graphs {}"}), "saved_model.pbtxt"},
		{"garbage", mk("garbage", map[string]string{"saved_model.pb": "\xff\xff\xff not a proto"}), "saved_model.pb is not a SavedModel"},
		{"no_meta_graph", mk("nometa", map[string]string{"saved_model.pb": ""}), "holds no meta graph"},
		{"empty_version", mk("versions", map[string]string{"3/readme.txt": "x"}), "no saved_model.pb and no numbered version"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.dir, 1)
			if !errors.Is(err, ErrNotSavedModel) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load(%s) = %v; want ErrNotSavedModel saying %q", tc.dir, err, tc.want)
			}
		})
	}
}

// An export directory loads its highest version; a version directory loads itself.
func TestLoadVersions(t *testing.T) {
	cfg, dir := trainedRun(t, imageYAML, 256)
	m, err := Build(cfg, Options{RunDir: dir, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	base := t.TempDir()
	for _, v := range []int{2, 10} {
		if _, err := m.Write(base, WriteOptions{Version: v}); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(base, "11"), 0o755) // an empty version is passed over
	for in, want := range map[string]string{base: filepath.Join(base, "10"), filepath.Join(base, "2"): filepath.Join(base, "2")} {
		sm, err := Load(in, 1)
		if err != nil {
			t.Fatal(err)
		}
		if sm.Dir != want {
			t.Errorf("Load(%s) loaded %s, want %s", in, sm.Dir, want)
		}
		if _, ok := sm.Signatures()[FloatImagesSignature]; !ok {
			t.Errorf("signatures %v", sm.Signatures())
		}
		if _, err := sm.Run("nope", nil); err == nil || !strings.Contains(err.Error(), `no signature "nope"`) {
			t.Errorf("an unknown signature: %v", err)
		}
		sm.Close()
	}
}

// TestSessionOptionsAllowGrowth: a serving session on a GPU takes memory as it needs it.
func TestSessionOptionsAllowGrowth(t *testing.T) {
	opts, err := sessionOptions(3)
	if err != nil {
		t.Fatal(err)
	}
	var cfg for_core_protos_go_proto.ConfigProto
	if err := proto.Unmarshal(opts.Config, &cfg); err != nil {
		t.Fatal(err)
	}
	if !cfg.GetGpuOptions().GetAllowGrowth() || cfg.IntraOpParallelismThreads != 3 || cfg.InterOpParallelismThreads != 2 {
		t.Errorf("ConfigProto = %v, want allow_growth and 3/2 threads", &cfg)
	}
}
