package checkpoints

import (
	"errors"
	"fmt"
	"github.com/tfrun/tfrun/internal/atomicfile"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// StateFile is the name of the file in a checkpoint directory that names its checkpoints.
const StateFile = "checkpoint"

// State is a checkpoint directory's "checkpoint" file: TensorFlow's CheckpointState
// protocol buffer in text format, as tf.train.CheckpointManager writes it and
// tf.train.get_checkpoint_state / tf.train.latest_checkpoint read it. Paths are relative to
// the directory.
type State struct {
	// Latest is model_checkpoint_path, the newest checkpoint ("ckpt-120").
	Latest string
	// All is all_model_checkpoint_paths, every checkpoint kept, oldest first; it ends with
	// Latest.
	All []string
	// Timestamps is all_model_checkpoint_timestamps, when each of All was saved (seconds
	// since 1970).
	Timestamps []float64
	// LastPreserved is last_preserved_timestamp (CheckpointManager's
	// keep_checkpoint_every_n_hours bookkeeping; tfrun writes the time of the oldest kept).
	LastPreserved float64
}

// ReadState reads dir's state file; it returns nil and no error when there is none.
// A file that does not parse is an *Error wrapping ErrCorrupt naming the line.
func ReadState(dir string) (*State, error) {
	path := filepath.Join(dir, StateFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &Error{Op: "reading", Path: path, Err: err}
	}
	st, err := parseState(string(b))
	if err != nil {
		return nil, &Error{Op: "reading", Path: path, Kind: ErrCorrupt, Err: err}
	}
	return st, nil
}

func parseState(text string) (*State, error) {
	st := &State{}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("line %d: %q is not \"key: value\"", n+1, line)
		}
		val = strings.TrimSpace(val)
		bad := func(err error) error { return fmt.Errorf("line %d: %s: %v", n+1, key, err) }
		switch key {
		case "model_checkpoint_path", "all_model_checkpoint_paths":
			s, err := strconv.Unquote(val)
			if err != nil {
				return nil, bad(fmt.Errorf("want a quoted string, got %s", val))
			}
			if s == "" || strings.ContainsAny(s, "\x00\n") {
				return nil, bad(fmt.Errorf("bad path %q", s))
			}
			if key == "model_checkpoint_path" {
				st.Latest = s
			} else {
				st.All = append(st.All, s)
			}
		case "all_model_checkpoint_timestamps", "last_preserved_timestamp":
			f, err := strconv.ParseFloat(val, 64)
			if err != nil {
				return nil, bad(fmt.Errorf("want a number, got %s", val))
			}
			if key == "last_preserved_timestamp" {
				st.LastPreserved = f
			} else {
				st.Timestamps = append(st.Timestamps, f)
			}
		default:
			return nil, fmt.Errorf("line %d: unknown field %q (valid: model_checkpoint_path, all_model_checkpoint_paths, all_model_checkpoint_timestamps, last_preserved_timestamp)", n+1, key)
		}
	}
	if st.Latest == "" {
		return nil, errors.New("no model_checkpoint_path")
	}
	if len(st.All) == 0 {
		st.All = []string{st.Latest}
	}
	if len(st.Timestamps) != 0 && len(st.Timestamps) != len(st.All) {
		return nil, fmt.Errorf("%d timestamps for %d checkpoints", len(st.Timestamps), len(st.All))
	}
	return st, nil
}

// text renders the state as TensorFlow's text format.
func (st *State) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "model_checkpoint_path: %s\n", strconv.Quote(st.Latest))
	for _, p := range st.All {
		fmt.Fprintf(&b, "all_model_checkpoint_paths: %s\n", strconv.Quote(p))
	}
	for _, t := range st.Timestamps {
		fmt.Fprintf(&b, "all_model_checkpoint_timestamps: %s\n", formatTimestamp(t))
	}
	if st.LastPreserved != 0 {
		fmt.Fprintf(&b, "last_preserved_timestamp: %s\n", formatTimestamp(st.LastPreserved))
	}
	return b.String()
}

func formatTimestamp(t float64) string {
	if math.IsNaN(t) || math.IsInf(t, 0) {
		t = 0
	}
	return strconv.FormatFloat(t, 'f', 6, 64)
}

// WriteState replaces dir's state file atomically (temporary file, fsync, rename, fsync of
// the directory): a reader sees the old state or the new one, never a torn one.
func WriteState(dir string, st *State) error {
	if err := writeFileAtomic(filepath.Join(dir, StateFile), []byte(st.text())); err != nil {
		return &Error{Op: "saving", Path: filepath.Join(dir, StateFile), Err: err}
	}
	return nil
}

// Latest returns the prefix (directory joined with the name) of the checkpoint dir's
// state file names as the newest, or "" when dir has no state file.
func Latest(dir string) (string, error) {
	st, err := ReadState(dir)
	if err != nil || st == nil {
		return "", err
	}
	return resolve(dir, st.Latest), nil
}

// resolve joins a state file path to its directory unless it is absolute.
func resolve(dir, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(dir, name)
}

// writeFileAtomic: see package atomicfile.
var writeFileAtomic = atomicfile.WriteFile

// syncFile flushes a file's contents to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
