package classifier

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfrun/tfrun/internal/runtest"
)

// Keras's top-k accuracies train and validate on the wine table (3 classes): with k 1 the
// sparse one is the accuracy, with k 3 (every class) it is 1.
func TestTopKMetricsRun(t *testing.T) {
	csv, err := filepath.Abs("../../shared/data/tabular/wine.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(csv); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("the shared wine table is not there: %v", err)
	}
	yaml, err := os.ReadFile("../configs/wine.yaml")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(string(yaml), "../shared/data/tabular/wine.csv", csv, 1)
	body = strings.Replace(body, "  epochs: 100\n", "  epochs: 3\n", 1)
	body = strings.Replace(body, "  metrics: [accuracy]\n",
		"  metrics: [accuracy, {type: SparseTopKCategoricalAccuracy, k: 1}, {type: TopKCategoricalAccuracy, k: 3}]\n", 1)
	dir := t.TempDir()
	if log, err := runDiabetes(t, context.Background(), runtest.LoadConfig(t, body), dir, nil); err != nil {
		t.Fatalf("%v\n%s", err, log)
	}
	h := runtest.HistoryWithoutSeconds(t, dir)
	for _, p := range []string{"", "val_"} {
		acc, top1, top3 := h.Metrics[p+"accuracy"], h.Metrics[p+"sparse_top_k_categorical_accuracy"], h.Metrics[p+"top_k_categorical_accuracy"]
		if len(acc) != 3 || len(top1) != 3 || len(top3) != 3 {
			t.Fatalf("history %v", h.Metrics)
		}
		for e := range acc {
			if top1[e] != acc[e] || top3[e] != 1 {
				t.Errorf("epoch %d: %saccuracy %g, top-1 %g (want equal), top-3 of 3 classes %g (want 1)", e+1, p, acc[e], top1[e], top3[e])
			}
		}
	}
}
