package plots

import (
	"errors"
	"image"
	"path/filepath"
	"testing"
)

// LearningCurvesWith adds one 6-inch panel per metric beyond accuracy and loss; a metric
// whose series has the wrong length is an error, as for the others.
func TestLearningCurvesWithMetrics(t *testing.T) {
	h := History{Series: map[string][]float64{
		"accuracy": {0.5, 0.7}, "val_accuracy": {0.45, 0.6}, "loss": {1.2, 0.8}, "val_loss": {1.3, 0.9},
		"auc": {0.6, 0.8}, "val_auc": {0.55, 0.75}, "precision": {0.5, 0.6},
	}}
	for _, tc := range []struct {
		metrics []string
		panels  int
	}{
		{nil, 2},
		{[]string{"accuracy", "loss"}, 2},
		{[]string{"accuracy", "auc", "precision"}, 4},
	} {
		path := filepath.Join(t.TempDir(), "curves.png")
		if err := LearningCurvesWith(path, h, "", tc.metrics); err != nil {
			t.Fatal(err)
		}
		if got := decodePNGFile(t, path).Bounds().Size(); got != (image.Point{X: wantCurvesW * tc.panels / 2, Y: wantCurvesH}) {
			t.Errorf("%v: size %v, want %d panels of %d pixels", tc.metrics, got, tc.panels, wantCurvesW/2)
		}
	}
	bad := History{Series: map[string][]float64{"loss": {1, 0.5}, "auc": {0.5}}}
	if err := LearningCurvesWith(filepath.Join(t.TempDir(), "c.png"), bad, "", []string{"auc"}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("short auc series: %v, want ErrInvalidArgument", err)
	}
}
