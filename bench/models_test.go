package bench

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestModelsExist keeps the model table and the Keras scripts in step.
func TestModelsExist(t *testing.T) {
	for _, m := range Models() {
		if _, err := os.Stat(filepath.Join("keras", m.Script)); err != nil {
			t.Errorf("%s: Keras script: %v", m.Name, err)
		}
		if m.Batch < 1 || m.Steps < 1 || m.Warmup < 1 {
			t.Errorf("%s: batch %d, steps %d, warmup %d: each must be >= 1", m.Name, m.Batch, m.Steps, m.Warmup)
		}
	}
}

func TestSelectModels(t *testing.T) {
	tests := []struct {
		list    string
		want    []string
		wantErr string
	}{
		{"", []string{"imdb_lstm", "imdb_cnn_lstm", "imdb_tuned", "dcgan_mnist", "dcgan_cifar"}, ""},
		{"all", []string{"imdb_lstm", "imdb_cnn_lstm", "imdb_tuned", "dcgan_mnist", "dcgan_cifar"}, ""},
		{"dcgan_mnist, imdb_lstm", []string{"imdb_lstm", "dcgan_mnist"}, ""},
		{"imdb_lsmt", nil, `unknown model "imdb_lsmt" (valid: imdb_lstm, imdb_cnn_lstm, imdb_tuned, dcgan_mnist, dcgan_cifar)`},
	}
	for _, tt := range tests {
		t.Run(tt.list, func(t *testing.T) {
			ms, err := SelectModels(tt.list)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			var got []string
			for _, m := range ms {
				got = append(got, m.Name)
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SelectModels(%q) = %v, %v, want %v", tt.list, got, err, tt.want)
			}
		})
	}
}

func TestParseCounts(t *testing.T) {
	got, err := ParseCounts("steps", "imdb_lstm=100, dcgan_mnist=5", 1)
	if want := map[string]int{"imdb_lstm": 100, "dcgan_mnist": 5}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseCounts = %v, %v, want %v", got, err, want)
	}
	for in, want := range map[string]string{
		"imdb_lstm":     `-steps: "imdb_lstm" is not model=N`,
		"nope=3":        `-steps: bench: unknown model "nope"`,
		"imdb_lstm=0":   `-steps: imdb_lstm="0": want an integer >= 1`,
		"imdb_lstm=two": `-steps: imdb_lstm="two": want an integer >= 1`,
	} {
		if _, err := ParseCounts("steps", in, 1); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseCounts(%q) error %v, want one containing %q", in, err, want)
		}
	}
}
