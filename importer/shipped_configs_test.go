package importer_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/importer"
)

// TestShippedConfigsInKeras imports the Keras twins of tfrun's shipped classifier configs
// and GAN discriminators that `make keras-configs` writes (kerasfile/testdata/make_config_twins.py DIR: each
// config rebuilt in Keras layer for layer from its YAML, with random weights and Keras's
// outputs on fixed inputs; not committed, up to 10 MB each) and checks that each imports
// and predicts Keras's outputs to the importer's tolerance. It runs when
// TFRUN_KERAS_CONFIGS names that directory. Every Sequential classifier and discriminator
// must have a twin; functional ones the script skips are logged with its reason.
func TestShippedConfigsInKeras(t *testing.T) {
	dir := os.Getenv("TFRUN_KERAS_CONFIGS")
	if dir == "" {
		t.Skip("TFRUN_KERAS_CONFIGS is not set (make keras-configs sets it)")
	}
	b, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var index struct {
		Models map[string]struct {
			IDs    bool   `json:"ids"`
			Config string `json:"config"`
		} `json:"models"`
		Skipped map[string]string `json:"skipped"`
	}
	if err := json.Unmarshal(b, &index); err != nil {
		t.Fatalf("%s: %v", filepath.Join(dir, "index.json"), err)
	}
	for name, why := range index.Skipped {
		t.Logf("%s: not rebuilt in Keras: %s", name, why)
	}

	// Every shipped Sequential classifier has its twin.
	paths, err := filepath.Glob("../configs/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range paths {
		cfg, err := configs.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := index.Models[cfg.Name]; !ok && cfg.Supervised() != nil && !cfg.Supervised().Model.Functional() {
			t.Errorf("%s: a Sequential classifier without a Keras twin in %s", path, dir)
		}
		if _, ok := index.Models[cfg.Name+"_discriminator"]; !ok && cfg.GAN() != nil && len(cfg.GAN().Discriminator.Inputs) == 0 {
			t.Errorf("%s: a Sequential discriminator without a Keras twin in %s", path, dir)
		}
	}

	names := make([]string, 0, len(index.Models))
	for name := range index.Models {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		m := index.Models[name]
		t.Run(name, func(t *testing.T) {
			run := t.TempDir()
			res, err := importer.Import(filepath.Join(dir, name+".keras"), importer.Options{Dir: run})
			if err != nil {
				t.Fatalf("importing the Keras twin of %s: %v", m.Config, err)
			}
			ins, outs := readGolden(t, filepath.Join(dir, name+".json"))
			if len(ins) != 1 || len(outs) != 1 {
				t.Fatalf("%d inputs and %d outputs, want one each", len(ins), len(outs))
			}
			for _, x := range ins {
				got := predictRun(t, res.Config, run, x, m.IDs)
				d := maxDiff(t, got, outs[0].values)
				t.Logf("%s: %d weights; max |tfrun − Keras| = %.3g", strings.TrimPrefix(m.Config, "configs/"), res.Params, d)
				if d > tolerance {
					t.Errorf("max difference from Keras %.3g > %g", d, tolerance)
				}
			}
		})
	}
}
