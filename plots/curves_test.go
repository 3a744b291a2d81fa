package plots

import (
	"bytes"
	"errors"
	"image"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Pixel size of the LearningCurves figure: 12in × 4.5in at 96 dpi.
const wantCurvesW, wantCurvesH = 1152, 432

func TestLearningCurvesWritesPNG(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name  string
		h     History
		title string
	}{
		{"full history", History{Series: map[string][]float64{
			"accuracy": {0.5, 0.7, 0.8}, "val_accuracy": {0.45, 0.6, 0.7},
			"loss": {1.2, 0.8, 0.5}, "val_loss": {1.3, 0.9, 0.7},
		}}, "dropout = 0.2"},
		{"no validation", History{Series: map[string][]float64{
			"accuracy": {0.5, 0.7, 0.8}, "loss": {1.2, 0.8, 0.5},
		}}, "dropout = 0"},
		{"loss only", History{Series: map[string][]float64{"loss": {1.2, 0.8}, "val_loss": {1.3, 1.1}}}, ""},
		{"empty history", History{}, "nothing yet"},
		{"epochs only", History{Epochs: []int{1, 2, 3}}, ""},
		{"resumed run", History{Epochs: []int{11, 12, 13}, Series: map[string][]float64{"loss": {0.3, 0.2, 0.1}}}, ""},
		{"single epoch", History{Series: map[string][]float64{"accuracy": {0.9}, "loss": {0.3}}}, ""},
		{"diverged loss", History{Series: map[string][]float64{
			"loss": {1, nan, math.Inf(1), 0.5}, "accuracy": {nan, nan, nan, nan},
		}}, ""},
		{"flat accuracy", History{Series: map[string][]float64{"accuracy": {1, 1, 1}}}, ""},
		{"extra series ignored", History{Series: map[string][]float64{"loss": {1, 0.5}, "lr": {1e-3, 1e-4, 1e-5}}}, ""},
		{"many epochs", History{Series: map[string][]float64{"loss": ramp(500, 2, 0.1), "val_loss": ramp(500, 2.2, 0.3)}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "curves.png")
			if err := LearningCurves(path, tt.h, tt.title); err != nil {
				t.Fatalf("LearningCurves: %v", err)
			}
			img := decodePNGFile(t, path)
			if got := img.Bounds().Size(); got != (image.Point{X: wantCurvesW, Y: wantCurvesH}) {
				t.Errorf("size = %v, want %dx%d", got, wantCurvesW, wantCurvesH)
			}
			checkOnlyFiles(t, dir, "curves.png")
		})
	}
}

// ramp returns n values going linearly from a to b.
func ramp(n int, a, b float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = a + (b-a)*float64(i)/float64(n-1)
	}
	return s
}

func TestLearningCurvesPanelsDiffer(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "curves.png")
	h := History{Series: map[string][]float64{
		"accuracy": {0.5, 0.7, 0.8, 0.85}, "val_accuracy": {0.45, 0.6, 0.7, 0.72},
		"loss": {1.2, 0.8, 0.5, 0.4}, "val_loss": {1.3, 0.9, 0.7, 0.75},
	}}
	if err := LearningCurves(path, h, ""); err != nil {
		t.Fatal(err)
	}
	if halvesEqual(decodePNGFile(t, path)) {
		t.Error("left (accuracy) and right (loss) halves are identical, want different panels")
	}
}

// TestLearningCurvesPanelSides checks that accuracy series land in the left
// panel and loss series in the right one: adding accuracy data to an
// otherwise empty history changes only the left half.
func TestLearningCurvesPanelSides(t *testing.T) {
	epochs := []int{1, 2, 3, 4, 5}
	tests := []struct {
		name                string
		series              map[string][]float64
		leftSame, rightSame bool
	}{
		{"accuracy", map[string][]float64{"accuracy": {0.2, 0.4, 0.6, 0.7, 0.8}}, false, true},
		{"val_accuracy", map[string][]float64{"val_accuracy": {0.2, 0.4, 0.6, 0.7, 0.8}}, false, true},
		{"loss", map[string][]float64{"loss": {0.2, 0.4, 0.6, 0.7, 0.8}}, true, false},
		{"val_loss", map[string][]float64{"val_loss": {0.2, 0.4, 0.6, 0.7, 0.8}}, true, false},
	}
	dir := t.TempDir()
	emptyPath := filepath.Join(dir, "empty.png")
	if err := LearningCurves(emptyPath, History{Epochs: epochs}, "t"); err != nil {
		t.Fatal(err)
	}
	empty := decodePNGFile(t, emptyPath)
	// The panels are 5.655in tiles with 0.12in edges and a 0.45in gap
	// centred on the figure: the left one ends at pixel 554, the right one
	// starts at pixel 597, so the halves hold one panel each.
	left := image.Rect(0, 0, wantCurvesW/2, wantCurvesH)
	right := image.Rect(wantCurvesW/2, 0, wantCurvesW, wantCurvesH)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".png")
			if err := LearningCurves(path, History{Epochs: epochs, Series: tt.series}, "t"); err != nil {
				t.Fatal(err)
			}
			img := decodePNGFile(t, path)
			if got := sameRegion(img, empty, left); got != tt.leftSame {
				t.Errorf("left half same as empty figure = %v, want %v", got, tt.leftSame)
			}
			if got := sameRegion(img, empty, right); got != tt.rightSame {
				t.Errorf("right half same as empty figure = %v, want %v", got, tt.rightSame)
			}
		})
	}
}

func TestLearningCurvesErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		path    string
		h       History
		invalid bool   // wraps ErrInvalidArgument
		want    string // substring of the message
	}{
		{"empty path", "", History{}, true, "empty path"},
		{"length mismatch with epochs", "a.png", History{Epochs: []int{1, 2, 3}, Series: map[string][]float64{"loss": {1, 2}}}, true, "loss has 2 values, want 3 (len(Epochs))"},
		{"series disagree", "a.png", History{Series: map[string][]float64{"accuracy": {1, 2, 3}, "val_loss": {1, 2}}}, true, "val_loss has 2 values, want 3 (len(accuracy))"},
		{"zero-based epochs", "a.png", History{Epochs: []int{0, 1}, Series: map[string][]float64{"loss": {1, 2}}}, true, "Epochs[0] = 0, want >= 1"},
		{"epochs not increasing", "a.png", History{Epochs: []int{1, 3, 3}}, true, "Epochs[2] = 3 after 3"},
		{"missing directory", filepath.Join("no", "such", "dir", "a.png"), History{}, false, "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if path != "" {
				path = filepath.Join(dir, path)
			}
			err := LearningCurves(path, tt.h, "")
			if err == nil {
				t.Fatal("LearningCurves succeeded, want error")
			}
			if got := errors.Is(err, ErrInvalidArgument); got != tt.invalid {
				t.Errorf("errors.Is(%v, ErrInvalidArgument) = %v, want %v", err, got, tt.invalid)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "plots: ") {
				t.Errorf("error %q, want prefix %q and substring %q", err, "plots: ", tt.want)
			}
		})
	}
	checkOnlyFiles(t, dir)
}

// TestLearningCurvesReplacesAtomically checks that a good file is replaced
// by a new one, and left alone when the new write fails.
func TestLearningCurvesReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	old := []byte("previous figure")
	path := writeFile(t, dir, "curves.png", old)

	if err := LearningCurves(path, History{Epochs: []int{0}}, ""); err == nil {
		t.Fatal("LearningCurves with bad epochs succeeded, want error")
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, old) {
		t.Errorf("after a failed write the file is %q, want it untouched (%q)", got, old)
	}

	if err := LearningCurves(path, History{Series: map[string][]float64{"loss": {1, 0.5}}}, ""); err != nil {
		t.Fatal(err)
	}
	decodePNGFile(t, path)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != filePerm {
		t.Errorf("mode of written file = %v (%v), want %v", fi.Mode().Perm(), err, os.FileMode(filePerm))
	}
	checkOnlyFiles(t, dir, "curves.png")
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		name   string
		ticker niceTicks
		lo, hi float64
		want   []string
	}{
		{"few epochs", niceTicks{max: 10, whole: true}, 1, 4, []string{"1", "2", "3", "4"}},
		{"one epoch", niceTicks{max: 10, whole: true}, 0.5, 1.5, []string{"1"}},
		{"twenty epochs", niceTicks{max: 10, whole: true}, 1, 20, []string{"2", "4", "6", "8", "10", "12", "14", "16", "18", "20"}},
		{"fifty epochs", niceTicks{max: 10, whole: true}, 1, 50, []string{"5", "10", "15", "20", "25", "30", "35", "40", "45", "50"}},
		{"no whole epoch", niceTicks{max: 10, whole: true}, 1.2, 1.8, nil},
		{"accuracy", niceTicks{max: 8}, 0.48, 0.98, []string{"0.5", "0.6", "0.7", "0.8", "0.9"}},
		{"quarters", niceTicks{max: 8}, 0.5, 2.3, []string{"0.50", "0.75", "1.00", "1.25", "1.50", "1.75", "2.00", "2.25"}},
		{"through zero", niceTicks{max: 8}, -0.02, 1.2, []string{"0.0", "0.2", "0.4", "0.6", "0.8", "1.0", "1.2"}},
		{"large", niceTicks{max: 8}, 0, 3000, []string{"0", "500", "1000", "1500", "2000", "2500", "3000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, tick := range tt.ticker.Ticks(tt.lo, tt.hi) {
				got = append(got, tick.Label)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("Ticks(%v, %v) = %q, want %q", tt.lo, tt.hi, got, tt.want)
			}
		})
	}
}
