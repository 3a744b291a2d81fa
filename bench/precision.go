package bench

import (
	"fmt"

	"github.com/tfrun/tfrun/configs"
)

// SplitPrecisions separates float32 rows from mixed_bfloat16 rows, keeping their order.
func SplitPrecisions(rows []Row) (float32Rows, mixedRows []Row) {
	for _, r := range rows {
		if PrecisionOf(r.Model.Precision) == configs.PrecisionMixedBFloat16 {
			mixedRows = append(mixedRows, r)
		} else {
			float32Rows = append(float32Rows, r)
		}
	}
	return float32Rows, mixedRows
}

// Label names a row in tables that mix precisions: the model, with " (mixed_bfloat16)"
// under that policy.
func (r Row) Label() string {
	if PrecisionOf(r.Model.Precision) == configs.PrecisionMixedBFloat16 {
		return r.Model.Name + " (" + configs.PrecisionMixedBFloat16 + ")"
	}
	return r.Model.Name
}

// PrecisionTable renders, per mixed_bfloat16 row, its speed against Keras under the same
// policy (the median of the per-round ratios) and against the same side's float32 run of
// the model in float32Rows (median examples/s over median examples/s; "–" when the model
// did not run in float32).
func PrecisionTable(mixedRows, float32Rows []Row) (string, error) {
	t := [][]string{{"model", "batch × steps", "tfrun bf16 ex/s", "Keras bf16 ex/s", "tfrun/Keras bf16 (min–max)",
		"tfrun bf16/f32", "Keras bf16/f32"}}
	f32 := map[string]Row{}
	for _, r := range float32Rows {
		f32[r.Model.Name] = r
	}
	for _, r := range mixedRows {
		tr, kr := examplesPerSec(r.Tfrun).Median, examplesPerSec(r.Keras).Median
		cells := []string{r.Model.Name, fmt.Sprintf("%d × %d", r.Model.Batch, r.Steps), "pending", Rate(kr), Pending}
		if r.TfrunPending == "" {
			ratios, err := r.Ratios()
			if err != nil {
				return "", err
			}
			q := NewSpread(ratios)
			cells[2], cells[4] = Rate(tr), fmt.Sprintf("%s (%s–%s)", Ratio(q.Median), Ratio(q.Min), Ratio(q.Max))
		}
		vsT, vsK := "–", "–"
		if base, ok := f32[r.Model.Name]; ok {
			if b := examplesPerSec(base.Tfrun).Median; b > 0 && r.TfrunPending == "" {
				vsT = Ratio(tr / b)
			}
			if b := examplesPerSec(base.Keras).Median; b > 0 {
				vsK = Ratio(kr / b)
			}
		}
		t = append(t, append(cells, vsT, vsK))
	}
	return Markdown(t, 2), nil
}
