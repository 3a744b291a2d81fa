package export

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/checkpoints"
	"github.com/tfrun/tfrun/classifier"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/gan"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/runner"
)

// untrainedRun writes what a run directory needs for export without training: a
// checkpoint of the freshly initialised model (and, for IMDB, a small vocabulary).
func untrainedRun(t *testing.T, cfg *configs.Config) string {
	t.Helper()
	dir := t.TempDir()
	var g *graphs.Graph
	var sess *graphs.Session
	switch {
	case cfg.Task == configs.TaskGAN:
		m, err := gan.NewGAN(cfg, gan.GANOptions{Seed: 1, Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		g, sess = m.Graph(), m.Session()
	case cfg.Data.Format == configs.FormatCSV:
		// A shipped CSV config lists its feature columns (and a classifier its class
		// names), so it exports without its data; the Normalization is the identity.
		d := len(cfg.Data.FeatureColumns)
		if d == 0 {
			t.Fatalf("%s: a shipped CSV config lists data.feature_columns", cfg.File)
		}
		if !cfg.Supervised().Train.Loss.Regression() {
			if len(cfg.Data.ClassNames) == 0 {
				t.Fatalf("%s: a shipped CSV classification config lists data.class_names", cfg.File)
			}
			if err := runner.WriteJSON(filepath.Join(dir, classifier.ClassNamesFile), cfg.Data.ClassNames); err != nil {
				t.Fatal(err)
			}
		}
		n := classifier.Normalization{FeatureNames: cfg.Data.FeatureColumns, Mean: make([]float64, d), Variance: make([]float64, d), LabelName: cfg.Data.Label.String(), ClassNames: cfg.Data.ClassNames}
		for i := range n.Variance {
			n.Variance[i] = 1
		}
		if err := runner.WriteJSON(filepath.Join(dir, classifier.NormalizationFile), n); err != nil {
			t.Fatal(err)
		}
		c, err := classifier.FromConfig(servingConfig(cfg), builders.Shape{d}, false, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		g, sess = c.Graph(), c.Session()
	default:
		in, ints := builtins[cfg.Data.Dataset].image, false
		if in == nil {
			in, ints = builders.Shape{cfg.Data.Maxlen}, true
			vocab := datasets.BuildVocabulary([][]string{{"a", "good", "film", "good"}, {"a", "bad", "film"}}, cfg.Data.NumWords)
			if err := vocab.Save(VocabularyFile(dir)); err != nil {
				t.Fatal(err)
			}
		}
		c, err := classifier.FromConfig(servingConfig(cfg), in, ints, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		g, sess = c.Graph(), c.Session()
	}
	ck, err := checkpoints.NewCheckpointer(g, sess, g.Variables(), runner.CheckpointOptions(cfg, dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ck.Save(0, nil); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Every config tfrun ships exports, and its SavedModel loads and answers its default
// signature (weights as initialised: the models need no data here).
func TestEveryConfigExports(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every shipped model")
	}
	paths, err := filepath.Glob("../configs/*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no configs: %v", err)
	}
	for _, path := range paths {
		cfg, err := configs.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(cfg.Name, func(t *testing.T) {
			t0 := time.Now()
			dir := untrainedRun(t, cfg)
			m, sm := exportRun(t, cfg, dir)
			inputs := map[string]*tf.Tensor{}
			for name, ti := range sm.Signatures()[DefaultSignature].Inputs {
				dims, _ := ti.Shape.ToSlice()
				dims[0] = 2
				n := 1
				for _, d := range dims {
					n *= int(d)
				}
				var x *tf.Tensor
				switch ti.DType {
				case tf.String:
					x, _ = tf.NewTensor([]string{"A good film", ""})
				case tf.Uint8:
					x, _ = graphs.NewTensor(make([]uint8, n), dims...)
				case tf.Float:
					x, _ = graphs.NewTensor(make([]float32, n), dims...)
				case tf.Int32:
					x, _ = graphs.NewTensor(make([]int32, n), dims...)
				}
				inputs[name] = x
			}
			out := run(t, sm, DefaultSignature, inputs)
			for name, o := range out {
				if o.Shape()[0] != 2 {
					t.Errorf("output %s has shape %v, want 2 rows", name, o.Shape())
				}
			}
			want := m.Signatures()[DefaultSignature].Outputs
			if len(out) != len(want) {
				t.Errorf("outputs %d, want %d", len(out), len(want))
			}
			keys := make([]string, 0, len(out))
			for k := range out {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			t.Logf("%s: %s → %v in %.1fs", m.Kind, filepath.Base(path), keys, time.Since(t0).Seconds())
		})
	}
}
