package tensorboard

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wamuir/graft/tensorflow/core/util/event_go_proto"
	"google.golang.org/protobuf/proto"
)

// ReadFile reads every event of the event file at path. If the file ends
// inside a record, as it does when its writer crashed mid-write, ReadFile
// returns the events before that record together with a *RecordError
// wrapping ErrTruncated, so the caller can decide whether to use them. Any
// other damage (a checksum mismatch, a record that is not an Event) returns
// no events and a *RecordError wrapping ErrCorrupt.
func ReadFile(path string) ([]*event_go_proto.Event, error) {
	records, err := readRecords(path)
	if err != nil && !errors.Is(err, ErrTruncated) {
		return nil, err
	}
	events := make([]*event_go_proto.Event, len(records))
	for i, r := range records {
		e, derr := r.event(path)
		if derr != nil {
			return nil, derr
		}
		events[i] = e
	}
	return events, err
}

// Files returns the paths of the event files in dir, sorted by name, the
// order in which TensorBoard reads them. Like TensorBoard, it counts every
// regular file whose name contains "tfevents"; it does not descend into
// subdirectories, which TensorBoard shows as runs of their own.
func Files(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("tensorboard: %w", err)
	}
	var paths []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.Contains(e.Name(), "tfevents") {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(paths) // os.ReadDir sorts by name already; keep the promise explicit.
	return paths, nil
}

// A record is one intact TFRecord of a file.
type record struct {
	offset int64 // byte offset of the record in its file
	data   []byte
}

// event decodes r, a record of the file at path, as an Event.
func (r record) event(path string) (*event_go_proto.Event, error) {
	e := new(event_go_proto.Event)
	if err := proto.Unmarshal(r.data, e); err != nil {
		return nil, &RecordError{Path: path, Offset: r.offset, Err: ErrCorrupt, Detail: fmt.Sprintf("not an Event: %v", err)}
	}
	return e, nil
}

// readRecords returns every intact record of the file at path. If the file
// ends inside a record, it returns the records before it and the error.
func readRecords(path string) ([]record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tensorboard: %w", err)
	}
	defer f.Close()
	var records []record
	rr := NewRecordReader(f)
	for {
		offset := rr.Offset()
		data, err := rr.Next()
		if err == io.EOF {
			return records, nil
		}
		var re *RecordError
		if errors.As(err, &re) {
			withPath := *re
			withPath.Path = path
			return records, &withPath
		}
		if err != nil {
			return records, fmt.Errorf("tensorboard: read %s: %w", path, err)
		}
		records = append(records, record{offset: offset, data: data})
	}
}
