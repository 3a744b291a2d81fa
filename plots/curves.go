package plots

import (
	"fmt"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// Keys of History.Series that LearningCurves draws; they are the names
// Keras's History callback records for model.compile(metrics=["accuracy"]).
const (
	KeyAccuracy    = "accuracy"
	KeyLoss        = "loss"
	KeyValAccuracy = "val_accuracy"
	KeyValLoss     = "val_loss"
)

// Size of the LearningCurves figure: two panels side by side, 1152×432
// pixels at figureDPI.
const (
	curvesWidth  = 12 * vg.Inch
	curvesHeight = 4.5 * vg.Inch
)

// History is the per-epoch record of a training run, the Go twin of the
// `history.history` dict returned by Keras's model.fit.
type History struct {
	// Epochs are the 1-based epoch numbers, strictly increasing (Keras's
	// 0-based history.epoch plus one). When empty, the epochs are
	// 1..len(series).
	Epochs []int
	// Series maps a metric name ("accuracy", "loss", "val_accuracy",
	// "val_loss", ...) to one value per epoch.
	Series map[string][]float64
}

// LearningCurves writes to path a PNG of two panels side by side, like the
// Keras course's print_result(history, dropout): on the left "accuracy", on
// the right "loss", each with a "train" line (Series "accuracy" / "loss")
// and a dashed "validation" line ("val_accuracy" / "val_loss") over the
// epochs. title (for example "dropout = 0.2") heads the figure; it may be
// empty.
//
// Any of the four series may be missing or empty: what exists is drawn, and
// a panel with no data still shows its axes. Other keys of h.Series (such as
// "lr") are not drawn. Non-finite values (a diverged loss) leave a gap in
// their line. Every present series must have one value per epoch.
//
// The image is 12in × 4.5in at 96 dpi (1152×432 pixels), written atomically.
func LearningCurves(path string, h History, title string) error {
	return LearningCurvesWith(path, h, title, nil)
}

// LearningCurvesWith is LearningCurves with a panel more, to the right, for each of
// metrics (Series names such as "auc", with "val_auc" the dashed validation line): the
// figure grows by 6in per panel. A metric named accuracy or loss adds nothing.
func LearningCurvesWith(path string, h History, title string, metrics []string) error {
	if path == "" {
		return fmt.Errorf("%w: LearningCurves: empty path", ErrInvalidArgument)
	}
	keys := []string{KeyAccuracy, KeyValAccuracy, KeyLoss, KeyValLoss}
	var extra []string
	for _, m := range metrics {
		if m != KeyAccuracy && m != KeyLoss && !slices.Contains(extra, m) {
			extra = append(extra, m)
			keys = append(keys, m, "val_"+m)
		}
	}
	xs, err := epochAxis("LearningCurves", h.Epochs, keys, h.Series)
	if err != nil {
		return err
	}
	trainVal := func(train, val string) []curve {
		return []curve{
			{name: "train", x: xs, y: h.Series[train], color: colorFirst},
			{name: "validation", x: xs, y: h.Series[val], color: colorSecond, dashes: []vg.Length{vg.Points(5), vg.Points(3)}},
		}
	}
	acc, err := newPanel("accuracy", "accuracy", xs, trainVal(KeyAccuracy, KeyValAccuracy))
	if err != nil {
		return fmt.Errorf("plots: LearningCurves: %w", err)
	}
	loss, err := newPanel("loss", "loss", xs, trainVal(KeyLoss, KeyValLoss))
	if err != nil {
		return fmt.Errorf("plots: LearningCurves: %w", err)
	}
	panels := []*plot.Plot{acc, loss}
	for _, m := range extra {
		p, err := newPanel(m, m, xs, trainVal(m, "val_"+m))
		if err != nil {
			return fmt.Errorf("plots: LearningCurves: %w", err)
		}
		panels = append(panels, p)
	}
	width := curvesWidth * vg.Length(len(panels)) / 2
	if err := renderFigure(path, width, curvesHeight, title, panels); err != nil {
		return fmt.Errorf("plots: LearningCurves: %w", err)
	}
	return nil
}

// epochAxis checks that every non-empty series among keys has one value per
// epoch and returns the epochs as x values. Without epochs, the series must
// agree on their length n and the epochs are 1..n. fn names the caller in
// errors.
func epochAxis(fn string, epochs []int, keys []string, series map[string][]float64) ([]float64, error) {
	n := len(epochs)
	lengthOf := "len(Epochs)"
	if n == 0 {
		for _, k := range keys {
			if m := len(series[k]); m > 0 {
				n, lengthOf = m, fmt.Sprintf("len(%s)", k)
				break
			}
		}
	}
	for _, k := range keys {
		if m := len(series[k]); m > 0 && m != n {
			return nil, fmt.Errorf("%w: %s: %s has %d values, want %d (%s)", ErrInvalidArgument, fn, k, m, n, lengthOf)
		}
	}
	xs := make([]float64, n)
	for i := range xs {
		if len(epochs) == 0 {
			xs[i] = float64(i + 1)
			continue
		}
		e := epochs[i]
		switch {
		case e < 1:
			return nil, fmt.Errorf("%w: %s: Epochs[%d] = %d, want >= 1 (epochs are 1-based: Keras's history.epoch + 1)", ErrInvalidArgument, fn, i, e)
		case i > 0 && e <= epochs[i-1]:
			return nil, fmt.Errorf("%w: %s: Epochs[%d] = %d after %d, want strictly increasing", ErrInvalidArgument, fn, i, e, epochs[i-1])
		}
		xs[i] = float64(e)
	}
	return slices.Clip(xs), nil
}
