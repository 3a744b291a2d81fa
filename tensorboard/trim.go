package tensorboard

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/wamuir/graft/tensorflow/core/framework/summary_go_proto"
	"google.golang.org/protobuf/proto"
)

// Trim removes summary values from the event files in dir, so that a training
// run resumed from a checkpoint does not log again, and TensorBoard does not
// show twice, the steps its crashed or stopped predecessor logged after that
// checkpoint. keep reports whether the value of tag at step stays; a resumed
// run typically keeps step <= the checkpoint's step.
//
// Trim rewrites each event file that holds a value keep rejects, or that ends
// in a truncated record (a crash mid-write). The new file has every other
// event unchanged: the file version, graphs, and the kept values; an event
// whose summary loses all its values is dropped. It is written to a temporary
// file in dir, synced and renamed over the original, and then dir is synced,
// so a crash leaves either the old file or the new one. Files that need no
// change are not touched. A file with a corrupt record is an error, and Trim
// leaves it as it is. A dir that does not exist holds nothing to trim.
//
// No Writer may have a file in dir open while Trim runs.
func Trim(dir string, keep func(tag string, step int64) bool) error {
	paths, err := Files(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	rewritten := false
	for _, path := range paths {
		changed, err := trimFile(path, keep)
		if err != nil {
			return err
		}
		rewritten = rewritten || changed
	}
	if rewritten {
		if err := syncDir(dir); err != nil {
			return fmt.Errorf("tensorboard: trim %s: %w", dir, err)
		}
	}
	return nil
}

// trimFile rewrites the event file at path without the values keep rejects
// and without a truncated final record. It reports whether it rewrote the
// file.
func trimFile(path string, keep func(tag string, step int64) bool) (bool, error) {
	records, err := readRecords(path)
	changed := false
	switch {
	case errors.Is(err, ErrTruncated):
		changed = true
	case err != nil:
		return false, err
	}
	out := make([][]byte, 0, len(records))
	for _, r := range records {
		e, err := r.event(path)
		if err != nil {
			return false, err
		}
		s := e.GetSummary()
		if s == nil || len(s.Value) == 0 {
			out = append(out, r.data)
			continue
		}
		var kept []*summary_go_proto.Summary_Value
		for _, v := range s.Value {
			if keep(v.Tag, e.Step) {
				kept = append(kept, v)
			}
		}
		switch {
		case len(kept) == len(s.Value):
			out = append(out, r.data) // byte for byte as it was
		case len(kept) == 0:
			changed = true
		default:
			changed = true
			s.Value = kept
			data, err := proto.Marshal(e)
			if err != nil {
				return false, fmt.Errorf("tensorboard: trim %s: encode event: %w", path, err)
			}
			out = append(out, data)
		}
	}
	if !changed {
		return false, nil
	}
	if err := replaceFile(path, out); err != nil {
		return false, fmt.Errorf("tensorboard: trim %s: %w", path, err)
	}
	return true, nil
}

// replaceFile atomically replaces the file at path with one holding records:
// it writes a temporary file beside it, syncs it and renames it over path.
// The caller syncs the directory.
func replaceFile(path string, records [][]byte) (err error) {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	// The temporary name lacks "tfevents", so TensorBoard and Files
	// never read a half-written file.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".trim-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	buf := bufio.NewWriter(tmp)
	for _, r := range records {
		if err := WriteRecord(buf, r); err != nil {
			return err
		}
	}
	if err := buf.Flush(); err != nil {
		return err
	}
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// syncDir syncs the directory dir, making the renames in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return err
	}
	return d.Close()
}
