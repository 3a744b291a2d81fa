package runner

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// CSVLogger is Keras's callback of that name: one row per epoch in a CSV file (below the
// run directory), a column "epoch" (0-based, as Keras writes it) and the epoch's logs in
// sorted order. Append keeps the rows of an existing file, as Keras's append=True does.
//
// A resumed run rewrites the file from the run's history first, so that it holds each
// epoch once, then goes on appending.
type CSVLogger struct {
	NopCallback
	Filename  string
	Separator string
	Append    bool

	path string
	keys []string
	f    *os.File
	w    *bufio.Writer
}

func (c *CSVLogger) Name() string { return "CSVLogger" }

func (c *CSVLogger) OnTrainBegin(t Trainer) error {
	c.path = filepath.Join(t.RunDir(), c.Filename)
	if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
		return err
	}
	h := t.History()
	resumed := len(h.Epochs) > 0
	var err error
	switch {
	case resumed:
		// Rewrite the history's rows: no epoch twice, none lost.
		c.keys = nil
		for k := range h.Metrics {
			if k != "seconds" {
				c.keys = append(c.keys, k)
			}
		}
		slices.Sort(c.keys)
		var b strings.Builder
		b.WriteString(c.row("epoch", c.keys))
		for i, e := range h.Epochs {
			vals := make([]string, len(c.keys))
			for j, k := range c.keys {
				vals[j] = formatCSV(h.Metrics[k][i])
			}
			b.WriteString(c.row(strconv.Itoa(e-1), vals))
		}
		if err := WriteFile(c.path, []byte(b.String())); err != nil {
			return err
		}
		c.f, err = os.OpenFile(c.path, os.O_WRONLY|os.O_APPEND, 0o644)
	case c.Append:
		c.f, err = os.OpenFile(c.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err == nil {
			if st, serr := c.f.Stat(); serr == nil && st.Size() > 0 {
				c.keys = []string{} // the file has its header: keep its rows, add ours
			}
		}
	default:
		c.f, err = os.Create(c.path)
	}
	if err != nil {
		return fmt.Errorf("CSVLogger: %w", err)
	}
	c.w = bufio.NewWriter(c.f)
	return nil
}

func (c *CSVLogger) OnEpochEnd(t Trainer, epoch int, logs Logs) ([]string, error) {
	if len(c.keys) == 0 {
		header := c.keys == nil
		c.keys = keys(logs)
		if s, ok := t.(validationSkipping); ok && s.SkipsValidation() && !validated(logs) {
			// As Keras's CSVLogger: when the first epoch did not validate (validation_freq),
			// the later epochs' val_ metrics still get their columns.
			for _, k := range keys(logs) {
				if k != "learning_rate" {
					c.keys = append(c.keys, "val_"+k)
				}
			}
			slices.Sort(c.keys)
		}
		if header {
			c.w.WriteString(c.row("epoch", c.keys))
		}
	}
	vals := make([]string, len(c.keys))
	for i, k := range c.keys {
		v, ok := logs[k]
		if ok {
			vals[i] = formatCSV(v)
		} else {
			vals[i] = "NA" // Keras writes NA for a key an epoch lacks
		}
	}
	c.w.WriteString(c.row(strconv.Itoa(epoch), vals))
	if err := c.w.Flush(); err != nil {
		return nil, fmt.Errorf("CSVLogger: %w", err)
	}
	return nil, nil
}

func (c *CSVLogger) OnTrainEnd(Trainer) error { return c.Close() }

// Close flushes and closes the file (also when training was interrupted).
func (c *CSVLogger) Close() error {
	if c.f == nil {
		return nil
	}
	err := c.w.Flush()
	if cerr := c.f.Close(); err == nil {
		err = cerr
	}
	c.f = nil
	return err
}

// row joins one CSV row.
func (c *CSVLogger) row(first string, rest []string) string {
	return strings.Join(append([]string{first}, rest...), c.Separator) + "\n"
}

func formatCSV(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
