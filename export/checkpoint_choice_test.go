package export

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/internal/runtest"
)

// -checkpoint chooses the run's latest, its best (ModelCheckpoint(save_best_only)) or a
// named one; what is not there, or a checkpoint of another model, is refused with the
// reason, and so is a run without its vocabulary.
func TestBuildChoosesAndRefuses(t *testing.T) {
	cfg, dir := trainedRun(t, textYAML, 300)
	latest, err := checkpoints.Latest(checkpoints.Dir(dir))
	if err != nil || latest == "" {
		t.Fatalf("latest %q, %v", latest, err)
	}
	best, err := checkpoints.Latest(checkpoints.BestDir(dir))
	if err != nil || best == "" {
		t.Fatalf("best %q, %v", best, err)
	}
	for which, want := range map[string]string{"": latest, "latest": latest, "best": best, filepath.Base(latest): latest} {
		m, err := Build(cfg, Options{RunDir: dir, Checkpoint: which, Threads: 1})
		if err != nil {
			t.Fatalf("-checkpoint %q: %v", which, err)
		}
		if m.Checkpoint != want {
			t.Errorf("-checkpoint %q restored %s, want %s", which, m.Checkpoint, want)
		}
		m.Close()
	}

	imageCfg, imageDir := trainedRun(t, imageYAML, 256)
	other := runtest.LoadConfig(t, strings.Replace(textYAML, "output_dim: 16", "output_dim: 12", 1))
	otherWords := runtest.LoadConfig(t, strings.NewReplacer("num_words: 2000", "num_words: 1000", "input_dim: 2000", "input_dim: 1000").Replace(textYAML))
	noVocab := t.TempDir()
	if err := os.CopyFS(noVocab, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	os.Remove(VocabularyFile(noVocab))
	cases := []struct {
		name  string
		cfg   *configs.Config
		opts  Options
		kind  error
		wants []string
	}{
		{"no_checkpoint", cfg, Options{RunDir: t.TempDir()}, checkpoints.ErrNoCheckpoint, []string{"no checkpoint", "train the run first"}},
		{"no_best", imageCfg, Options{RunDir: imageDir, Checkpoint: "best"}, checkpoints.ErrNoCheckpoint, []string{"no best checkpoint", "save_best_only"}},
		{"no_such_ckpt", cfg, Options{RunDir: dir, Checkpoint: "ckpt-999999"}, checkpoints.ErrNoCheckpoint, []string{"no checkpoint ckpt-999999", "kept: ckpt-"}},
		{"bad_choice", cfg, Options{RunDir: dir, Checkpoint: "newest"}, ErrInvalidArgument, []string{`"newest"`, "latest, best or ckpt-N"}},
		{"other_model", other, Options{RunDir: dir}, checkpoints.ErrMismatch, []string{"another model", "model.layers[0].output_dim: 16 in the checkpoint, 12 now"}},
		{"no_vocabulary", cfg, Options{RunDir: noVocab}, ErrNoRunFile, []string{"vocabulary.json", "missing"}},
		{"other_vocabulary", otherWords, Options{RunDir: dir}, ErrNoRunFile, []string{"num_words is 2000", "data.num_words: 1000"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Build(tc.cfg, tc.opts)
			if err == nil {
				m.Close()
				t.Fatal("built")
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("err = %v, want one wrapping %v", err, tc.kind)
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
