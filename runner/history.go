package runner

import (
	"bytes"
	"encoding/json"
	"github.com/tfrun/tfrun/internal/atomicfile"
	"math"
	"path/filepath"
	"slices"
	"strconv"
)

// History is Keras's History.history: one value per epoch for each metric, plus the
// epoch numbers (1-based) and the seconds each took.
type History struct {
	Epochs  []int                `json:"epochs"`
	Metrics map[string][]float64 `json:"metrics"`
}

// historyKeys is the column order of history.csv.
var historyKeys = []string{"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate",
	"gen_loss", "disc_loss", "real_accuracy", "fake_accuracy", "seconds"}

// Append records one epoch.
func (h *History) Append(epoch int, logs Logs) {
	if h.Metrics == nil {
		h.Metrics = map[string][]float64{}
	}
	n := len(h.Epochs)
	h.Epochs = append(h.Epochs, epoch)
	// A metric new in this epoch (validation added on resume) gets NaN for the earlier
	// epochs, one missing now gets NaN for this one: every series stays aligned.
	for k, v := range logs {
		for len(h.Metrics[k]) < n {
			h.Metrics[k] = append(h.Metrics[k], math.NaN())
		}
		h.Metrics[k] = append(h.Metrics[k], v)
	}
	for k, s := range h.Metrics {
		if len(s) == n {
			h.Metrics[k] = append(s, math.NaN())
		}
	}
}

// WriteJSON writes history.json atomically.
func (h *History) WriteJSON(path string) error { return WriteJSON(path, h) }

// WriteCSV writes history.csv atomically: epoch and the known metrics present.
func (h *History) WriteCSV(path string) error {
	var b bytes.Buffer
	cols := []string{}
	for _, k := range historyKeys {
		if _, ok := h.Metrics[k]; ok {
			cols = append(cols, k)
		}
	}
	var other []string
	for k := range h.Metrics {
		if !slices.Contains(historyKeys, k) {
			other = append(other, k)
		}
	}
	slices.Sort(other)
	cols = append(cols, other...)
	b.WriteString("epoch")
	for _, c := range cols {
		b.WriteString("," + c)
	}
	b.WriteString("\n")
	for i, e := range h.Epochs {
		b.WriteString(strconv.Itoa(e))
		for _, c := range cols {
			v := math.NaN()
			if i < len(h.Metrics[c]) {
				v = h.Metrics[c][i]
			}
			b.WriteString("," + strconv.FormatFloat(v, 'g', 8, 64))
		}
		b.WriteString("\n")
	}
	return WriteFile(path, b.Bytes())
}

// WriteFiles writes history.json and history.csv into the run directory dir.
func (h *History) WriteFiles(dir string) error {
	if err := h.WriteJSON(filepath.Join(dir, "history.json")); err != nil {
		return err
	}
	return h.WriteCSV(filepath.Join(dir, "history.csv"))
}

// WriteFile writes a run file so that readers never see a torn one (atomicfile).
func WriteFile(path string, data []byte) error { return atomicfile.WriteFile(path, data) }

// WriteJSON writes v to a run file as indented JSON, atomically.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return WriteFile(path, append(b, '\n'))
}

// historyJSON is History's JSON form: a metric missing in an epoch (NaN) is null, since
// JSON has no NaN.
type historyJSON struct {
	Epochs  []int                 `json:"epochs"`
	Metrics map[string][]*float64 `json:"metrics"`
}

// MarshalJSON writes NaN values as null.
func (h History) MarshalJSON() ([]byte, error) {
	out := historyJSON{Epochs: h.Epochs, Metrics: map[string][]*float64{}}
	for k, s := range h.Metrics {
		vs := make([]*float64, len(s))
		for i, v := range s {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				v := v
				vs[i] = &v
			}
		}
		out.Metrics[k] = vs
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads null values as NaN.
func (h *History) UnmarshalJSON(b []byte) error {
	var in historyJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	h.Epochs, h.Metrics = in.Epochs, map[string][]float64{}
	for k, s := range in.Metrics {
		vs := make([]float64, len(s))
		for i, v := range s {
			vs[i] = math.NaN()
			if v != nil {
				vs[i] = *v
			}
		}
		h.Metrics[k] = vs
	}
	return nil
}
