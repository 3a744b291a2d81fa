package tensorboard

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wamuir/graft/tensorflow/core/framework/summary_go_proto"
	"github.com/wamuir/graft/tensorflow/core/util/event_go_proto"
)

// describe renders events compactly: "v" for the file version, "g" for a
// graph, and tag@step for each summary value.
func describe(events []*event_go_proto.Event) string {
	var parts []string
	for _, e := range events {
		switch {
		case e.GetFileVersion() != "":
			parts = append(parts, "v")
		case e.GetGraphDef() != nil:
			parts = append(parts, "g")
		default:
			var tags []string
			for _, v := range e.GetSummary().GetValue() {
				tags = append(tags, fmt.Sprintf("%s@%d", v.Tag, e.Step))
			}
			parts = append(parts, strings.Join(tags, "+"))
		}
	}
	return strings.Join(parts, " ")
}

// keepUpTo2 keeps the steps up to 2, as a run resumed from the checkpoint of
// epoch 3 (step 2) does, and every value of "note".
func keepUpTo2(tag string, step int64) bool { return step <= 2 || tag == "note" }

func TestTrim(t *testing.T) {
	dir := t.TempDir()
	clock := fakeClock(time.Unix(500, 0))
	create := func(host string, write func(w *Writer) error) string {
		t.Helper()
		w, err := newWriter(dir, host, clock)
		if err != nil {
			t.Fatal(err)
		}
		if err := write(w); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return w.Path()
	}

	// The crashed run: a graph, scalars and histograms for steps 0..4,
	// and at step 3 one event holding two values, one of them kept.
	crashed := create("a", func(w *Writer) error {
		if err := w.Graph([]byte{0x0a, 0x03, 0x0a, 0x01, 'x'}); err != nil {
			return err
		}
		for step := range int64(5) {
			if err := w.Scalar("epoch_loss", step, 1/float64(step+1)); err != nil {
				return err
			}
			if err := w.Histogram("kernel", step, []float64{float64(step), 1}); err != nil {
				return err
			}
			if step == 3 {
				err := w.write(&event_go_proto.Event{WallTime: 1, Step: 3, What: &event_go_proto.Event_Summary{Summary: &summary_go_proto.Summary{
					Value: []*summary_go_proto.Summary_Value{
						{Tag: "epoch_lr", Value: &summary_go_proto.Summary_Value_SimpleValue{SimpleValue: 0.5}},
						{Tag: "note", Value: &summary_go_proto.Summary_Value_SimpleValue{SimpleValue: 7}},
					},
				}}})
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err := os.Chmod(crashed, 0o640); err != nil {
		t.Fatal(err)
	}
	// An earlier run that never got past step 1: nothing to trim.
	early := create("b", func(w *Writer) error {
		for step := range int64(2) {
			if err := w.Scalar("epoch_loss", step, 1); err != nil {
				return err
			}
		}
		return nil
	})
	// A run that crashed mid-write at step 1: only its torn record goes.
	torn := create("c", func(w *Writer) error {
		for step := range int64(2) {
			if err := w.Scalar("epoch_loss", step, 1); err != nil {
				return err
			}
		}
		return nil
	})
	tornData, err := os.ReadFile(torn)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(torn, tornData[:len(tornData)-5], 0o644); err != nil {
		t.Fatal(err)
	}
	notAnEventFile := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notAnEventFile, []byte("not a record"), 0o644); err != nil {
		t.Fatal(err)
	}

	before := map[string]os.FileInfo{}
	for _, path := range []string{crashed, early, torn} {
		if before[path], err = os.Stat(path); err != nil {
			t.Fatal(err)
		}
	}
	earlyData, err := os.ReadFile(early)
	if err != nil {
		t.Fatal(err)
	}

	if err := Trim(dir, keepUpTo2); err != nil {
		t.Fatalf("Trim: %v", err)
	}

	tests := []struct {
		path      string
		want      string
		rewritten bool
	}{
		{crashed, "v g epoch_loss@0 kernel@0 epoch_loss@1 kernel@1 epoch_loss@2 kernel@2 note@3", true},
		{early, "v epoch_loss@0 epoch_loss@1", false},
		{torn, "v epoch_loss@0", true},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			events, err := ReadFile(tt.path)
			if err != nil {
				t.Fatalf("ReadFile after Trim: %v", err)
			}
			if got := describe(events); got != tt.want {
				t.Errorf("events after Trim:\n%s\nwant\n%s", got, tt.want)
			}
			after, err := os.Stat(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if got := !os.SameFile(before[tt.path], after); got != tt.rewritten {
				t.Errorf("rewritten = %v, want %v", got, tt.rewritten)
			}
			if after.Mode() != before[tt.path].Mode() {
				t.Errorf("mode = %v, want %v", after.Mode(), before[tt.path].Mode())
			}
		})
	}
	if data, err := os.ReadFile(early); err != nil || !bytes.Equal(data, earlyData) {
		t.Errorf("untouched file changed (err %v)", err)
	}
	// An event that lost some of its values keeps its wall time and step.
	events, err := ReadFile(crashed)
	if err != nil {
		t.Fatal(err)
	}
	if last := events[len(events)-1]; last.WallTime != 1 || last.GetSummary().Value[0].GetSimpleValue() != 7 {
		t.Errorf("split event = %v, want wall_time 1 and note = 7", last)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	wantNames := []string{filepath.Base(crashed), filepath.Base(early), filepath.Base(torn), "notes.txt"}
	slices.Sort(wantNames)
	if !slices.Equal(names, wantNames) {
		t.Errorf("dir holds %q, want %q (no temporary files)", names, wantNames)
	}

	// Trimming again changes nothing.
	again, err := os.Stat(crashed)
	if err != nil {
		t.Fatal(err)
	}
	if err := Trim(dir, keepUpTo2); err != nil {
		t.Fatal(err)
	}
	if after, err := os.Stat(crashed); err != nil || !os.SameFile(again, after) {
		t.Errorf("second Trim rewrote %s (err %v)", crashed, err)
	}
}

func TestTrimCorrupt(t *testing.T) {
	dir := t.TempDir()
	path, offsets := writeSample(t, dir, 5)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[offsets[2]+headerSize] ^= 0x80
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	err = Trim(dir, keepUpTo2)
	var re *RecordError
	if !errors.Is(err, ErrCorrupt) || !errors.As(err, &re) || re.Path != path || re.Offset != offsets[2] {
		t.Fatalf("Trim error = %v, want ErrCorrupt in %s at byte %d", err, path, offsets[2])
	}
	if after, err := os.ReadFile(path); err != nil || !bytes.Equal(after, data) {
		t.Errorf("Trim changed the corrupt file (err %v)", err)
	}
}

func TestTrimMissingDir(t *testing.T) {
	if err := Trim(filepath.Join(t.TempDir(), "never-logged"), keepUpTo2); err != nil {
		t.Errorf("Trim(missing dir) = %v, want nil", err)
	}
}
