package tensorboard

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeSample writes an event file with the file version and scalars "loss"
// at steps 0..n-1 and returns its path and the offset of each record.
func writeSample(t *testing.T, dir string, n int) (string, []int64) {
	t.Helper()
	w, err := newWriter(dir, "host", fakeClock(time.Unix(100, 0)))
	if err != nil {
		t.Fatal(err)
	}
	for step := range n {
		if err := w.Scalar("loss", int64(step), float64(step)/10); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	records, err := readRecords(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	offsets := make([]int64, len(records))
	for i, r := range records {
		offsets[i] = r.offset
	}
	return w.Path(), offsets
}

func TestReadFileDamaged(t *testing.T) {
	tests := []struct {
		name       string
		damage     func(data []byte, offsets []int64) []byte
		wantEvents int
		wantErr    error
		wantOffset int // index into offsets of the damaged record
	}{
		{
			name:       "intact",
			damage:     func(data []byte, _ []int64) []byte { return data },
			wantEvents: 4,
		},
		{
			name:       "crash in last record",
			damage:     func(data []byte, _ []int64) []byte { return data[:len(data)-3] },
			wantEvents: 3,
			wantErr:    ErrTruncated,
			wantOffset: 3,
		},
		{
			name:       "crash in a header",
			damage:     func(data []byte, offsets []int64) []byte { return data[:offsets[2]+7] },
			wantEvents: 2,
			wantErr:    ErrTruncated,
			wantOffset: 2,
		},
		{
			name: "bit flipped",
			damage: func(data []byte, offsets []int64) []byte {
				data[offsets[1]+headerSize+2] ^= 1
				return data
			},
			wantErr:    ErrCorrupt,
			wantOffset: 1,
		},
		{
			name: "record not an Event",
			damage: func(data []byte, offsets []int64) []byte {
				var b strings.Builder
				b.Write(data[:offsets[3]])
				WriteRecord(&b, []byte{0xff, 0xff})
				return []byte(b.String())
			},
			wantErr:    ErrCorrupt,
			wantOffset: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, offsets := writeSample(t, t.TempDir(), 3)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tt.damage(data, offsets), 0o644); err != nil {
				t.Fatal(err)
			}
			events, err := ReadFile(path)
			if len(events) != tt.wantEvents {
				t.Errorf("read %d events, want %d", len(events), tt.wantEvents)
			}
			if tt.wantErr == nil {
				if err != nil {
					t.Errorf("error = %v, want nil", err)
				}
				return
			}
			var re *RecordError
			if !errors.Is(err, tt.wantErr) || !errors.As(err, &re) {
				t.Fatalf("error = %v, want a *RecordError wrapping %v", err, tt.wantErr)
			}
			if re.Path != path || re.Offset != offsets[tt.wantOffset] {
				t.Errorf("error at %s byte %d, want %s byte %d", re.Path, re.Offset, path, offsets[tt.wantOffset])
			}
			for i, e := range events {
				if i > 0 && e.GetSummary().GetValue()[0].GetSimpleValue() != float32(i-1)/10 {
					t.Errorf("event %d = %v, want loss %v", i, e, float32(i-1)/10)
				}
			}
		})
	}
}

func TestReadFileMissing(t *testing.T) {
	_, err := ReadFile(filepath.Join(t.TempDir(), "nope"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error = %v, want fs.ErrNotExist", err)
	}
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{
		"events.out.tfevents.0000000200.b",
		"events.out.tfevents.0000000100.b.1",
		"events.out.tfevents.0000000100.b",
		"events.out.tfevents.0000000100.a.v2",
		"notes.txt",
		".trim-123.tmp",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "tfevents.dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"events.out.tfevents.0000000100.a.v2",
		"events.out.tfevents.0000000100.b",
		"events.out.tfevents.0000000100.b.1",
		"events.out.tfevents.0000000200.b",
	}
	for i := range want {
		want[i] = filepath.Join(dir, want[i])
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Files =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	if _, err := Files(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Files(missing) error = %v, want fs.ErrNotExist", err)
	}
}
