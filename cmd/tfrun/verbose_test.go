package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/datasets"
)

// -verbose takes Keras's values only; anything else is a usage error naming them.
func TestVerboseFlagBad(t *testing.T) {
	for _, v := range []string{"3", "-1", "", "true", "silent"} {
		code, _, stderr := runCLI(t, "-config", "x.yaml", "-verbose", v)
		if code != 2 || !strings.Contains(stderr, `invalid value "`+v+`" for flag -verbose: want auto, 0 (silent), 1 (progress bar) or 2 (one line per epoch)`) {
			t.Errorf("-verbose %q: exit %d, stderr:\n%s\nwant exit 2 and the valid values", v, code, stderr)
		}
	}
}

// epochLineRE is an epoch's line: "6/6 - 1s - 48ms/step - accuracy: 0.5 - loss: ...".
var epochLineRE = regexp.MustCompile(`(?m)(?:^|\r)(\d+)/(\d+) - \d+s - \d+(s|ms|us)/step - accuracy: \d\.\d{4} - loss: \d\.\d{4} - val_accuracy: \d\.\d{4} - val_loss: \d\.\d{4}`)

// Training's progress on stdout per -verbose: to a file (auto) Keras's verbose=2, one line
// per epoch and no carriage return; -verbose 1 the redrawn bar even there; -verbose 0 no
// progress, but the results.
func TestVerboseProgress(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on IMDB")
	}
	cfg := writeConfig(t, strings.Replace(childYAML, "epochs: 8", "epochs: 2", 1))
	train := func(verbose ...string) string {
		t.Helper()
		out, err := os.Create(filepath.Join(t.TempDir(), "stdout.log"))
		if err != nil {
			t.Fatal(err)
		}
		defer out.Close()
		var stderr strings.Builder
		args := append([]string{"-config", cfg, "-limit", "200", "-threads", "1", "-out", t.TempDir()}, verbose...)
		code := run(t.Context(), args, out, &stderr)
		if code != 0 {
			if strings.Contains(stderr.String(), datasets.ErrDataSetNotFound.Error()) {
				t.Skipf("IMDB not available: %s", stderr.String())
			}
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		b, err := os.ReadFile(out.Name())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "Test accuracy") {
			t.Errorf("%v: no test results:\n%s", verbose, b)
		}
		return string(b)
	}

	for _, c := range []struct {
		name    string
		args    []string
		bar     bool
		perEpch int // "Epoch N/2" lines and epoch lines each
	}{
		{"auto to a file", nil, false, 1},
		{"2", []string{"-verbose", "2"}, false, 1},
		{"1", []string{"-verbose", "1"}, true, 1},
		{"0", []string{"-verbose", "0"}, false, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := train(c.args...)
			if strings.Contains(got, "\r") != c.bar {
				t.Errorf("carriage returns: %v, want %v:\n%q", !c.bar, c.bar, got)
			}
			for e := 1; e <= 2; e++ {
				if n := strings.Count(got, "Epoch "+string(rune('0'+e))+"/2\n"); n != c.perEpch {
					t.Errorf("%d lines \"Epoch %d/2\", want %d:\n%s", n, e, c.perEpch, got)
				}
			}
			lines := epochLineRE.FindAllStringSubmatch(got, -1)
			if len(lines) != 2*c.perEpch {
				t.Errorf("%d epoch lines, want %d:\n%s", len(lines), 2*c.perEpch, got)
			}
			for _, l := range lines {
				if l[1] != "5" || l[2] != "5" { // 160 training examples in batches of 32
					t.Errorf("epoch line %q: want 5/5 steps", l[0])
				}
			}
		})
	}
}
