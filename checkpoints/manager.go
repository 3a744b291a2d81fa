package checkpoints

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
)

// SidecarFormat is the format tag of the sidecars this version writes and reads.
const SidecarFormat = "tfrun-checkpoint-1"

// Sidecar is ckpt-N.json, written atomically beside each bundle before the state file
// names it: what the checkpoint holds besides tensors (the caller's State), and what
// restoring needs to check it first (sizes and SHA-256 of its files, its tensors).
type Sidecar struct {
	Format string `json:"format"`
	// Name is the checkpoint's name, "ckpt-<Step>".
	Name string    `json:"checkpoint"`
	Step int64     `json:"step"`
	Time time.Time `json:"time"`
	// Fingerprint identifies the config that defines the model
	// (configs.Config.Fingerprint); Source is that config's file, for messages.
	Fingerprint string `json:"fingerprint,omitempty"`
	Source      string `json:"source,omitempty"`
	// Definition is the canonical model definition the fingerprint hashes
	// (configs.Config.ModelDefinition), kept to explain a mismatch setting by setting.
	Definition json.RawMessage `json:"definition,omitempty"`
	// Files are the bundle's files as written.
	Files []FileSum `json:"files"`
	// Tensors are the bundle's tensors (variables and extras) in name order.
	Tensors []TensorInfo `json:"tensors"`
	// Extras are the names of the tensors that are not variables.
	Extras []string `json:"extras,omitempty"`
	// State is the caller's JSON (a training loop's position, history, callbacks).
	State json.RawMessage `json:"state,omitempty"`
}

// FileSum is one file of a bundle: its name in the directory, size and SHA-256 (hex).
type FileSum struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// TensorInfo is one tensor of a bundle as the sidecar lists it.
type TensorInfo struct {
	Name  string  `json:"name"`
	DType string  `json:"dtype"`
	Shape []int64 `json:"shape"`
}

// SidecarFile is the sidecar of the checkpoint at prefix: <prefix>.json.
func SidecarFile(prefix string) string { return prefix + ".json" }

// Meta is what a save records in the sidecar besides the tensors.
type Meta struct {
	Fingerprint string
	Source      string
	Definition  json.RawMessage
	State       json.RawMessage
}

// Manager keeps a directory of checkpoints as tf.train.CheckpointManager does: ckpt-<step>
// bundles, a "checkpoint" state file naming them (newest last), and the newest Keep kept.
// Each checkpoint also has its sidecar ckpt-<step>.json (see Sidecar).
//
// A save goes: bundle to ckpt-N_temp/ and merged to ckpt-N.{index,data-00000-of-00001};
// files synced; sidecar written atomically; state file replaced atomically to name ckpt-N
// (this is the commit point); then checkpoints beyond Keep deleted. A crash before the
// commit leaves the state file naming the previous checkpoint, untouched; leftovers of the
// unfinished save are removed by the next save. A Manager is not safe for concurrent use;
// Lock keeps two processes out of one directory.
type Manager struct {
	saver *Saver
	dir   string
	keep  int
	// crashAt, in tests, makes Save return at that stage as if the process had died there.
	crashAt string
}

// errCrash is what Save returns at crashAt.
var errCrash = errors.New("checkpoints: simulated crash")

// NewManager returns a manager saving saver's variables in dir, keeping the newest keep
// (>= 1) checkpoints.
func NewManager(saver *Saver, dir string, keep int) (*Manager, error) {
	if keep < 1 {
		return nil, fmt.Errorf("checkpoints: keep %d, want >= 1", keep)
	}
	return &Manager{saver: saver, dir: dir, keep: keep}, nil
}

// Dir is the checkpoint directory.
func (m *Manager) Dir() string { return m.dir }

// Name is the name of the checkpoint of a step: "ckpt-<step>".
func Name(step int64) string { return fmt.Sprintf("ckpt-%d", step) }

// Save writes checkpoint ckpt-<step> of the variables' current values, the extras and
// meta, makes it the latest and deletes those beyond the newest Keep. It returns the
// checkpoint's prefix. It refuses (an *Error wrapping ErrNotFinite, nothing written) when a
// value is NaN or infinite, and refuses to overwrite a checkpoint the state file lists. On
// any error the earlier checkpoints are intact and still the latest; the error says which.
func (m *Manager) Save(sess *graphs.Session, step int64, meta Meta, extras []Tensor) (string, error) {
	name := Name(step)
	prefix := filepath.Join(m.dir, name)
	if step < 0 {
		return "", &Error{Op: "saving", Path: prefix, Err: fmt.Errorf("negative step %d", step)}
	}
	if err := os.MkdirAll(m.dir, 0o755); err != nil {
		return "", &Error{Op: "saving", Path: prefix, Err: err}
	}
	st, err := ReadState(m.dir)
	if err != nil {
		return "", err
	}
	fail := func(kind, err error) error {
		return &Error{Op: "saving", Path: prefix, Kind: kind, Err: fmt.Errorf("%w; %s", err, intact(m.dir, st))}
	}
	if st != nil && slices.Contains(st.All, name) {
		return "", fail(nil, errors.New("a checkpoint of this name exists; checkpoints are never overwritten"))
	}
	m.cleanup(st)
	bad, err := m.saver.NonFinite(sess, extras)
	if err != nil {
		return "", fail(nil, err)
	}
	if len(bad) > 0 {
		return "", fail(ErrNotFinite, fmt.Errorf("not saved: NaN or Inf in %s", listSome(bad)))
	}
	if err := m.saver.Write(sess, prefix, extras); err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			err = ce.Err
		}
		return "", fail(nil, err)
	}
	if m.crashAt == "bundle" {
		return "", errCrash
	}
	sc := &Sidecar{Format: SidecarFormat, Name: name, Step: step, Time: time.Now().UTC(),
		Fingerprint: meta.Fingerprint, Source: meta.Source, Definition: meta.Definition, State: meta.State}
	for _, f := range []string{IndexFile(prefix), DataFile(prefix, 0, 1)} {
		if err := syncFile(f); err != nil {
			m.remove(name)
			return "", fail(nil, err)
		}
		sum, err := fileSum(f)
		if err != nil {
			m.remove(name)
			return "", fail(nil, err)
		}
		sc.Files = append(sc.Files, sum)
	}
	entries, err := List(prefix)
	if err != nil {
		m.remove(name)
		return "", fail(nil, fmt.Errorf("the bundle just written does not read back: %w", err))
	}
	for _, e := range entries {
		sc.Tensors = append(sc.Tensors, TensorInfo{Name: e.Name, DType: graphs.DTypeName(e.DType), Shape: e.Shape})
	}
	for _, e := range extras {
		sc.Extras = append(sc.Extras, e.Name)
	}
	b, err := json.MarshalIndent(sc, "", "  ")
	if err != nil {
		m.remove(name)
		return "", fail(nil, err)
	}
	if err := writeFileAtomic(SidecarFile(prefix), append(b, '\n')); err != nil {
		m.remove(name)
		return "", fail(nil, err)
	}
	if m.crashAt == "sidecar" {
		return "", errCrash
	}
	next := &State{Latest: name}
	if st != nil {
		next.All = slices.Clone(st.All)
		if len(st.Timestamps) == len(st.All) {
			next.Timestamps = slices.Clone(st.Timestamps)
		}
	}
	next.All = append(next.All, name)
	if next.Timestamps != nil || st == nil {
		next.Timestamps = append(next.Timestamps, float64(sc.Time.UnixNano())/1e9)
	}
	var pruned []string
	if n := len(next.All) - m.keep; n > 0 {
		pruned = next.All[:n]
		next.All = slices.Clone(next.All[n:])
		if next.Timestamps != nil {
			next.Timestamps = next.Timestamps[n:]
		}
	}
	if next.Timestamps != nil {
		next.LastPreserved = next.Timestamps[0]
	}
	if err := WriteState(m.dir, next); err != nil {
		// The rename may have happened before a failed directory sync: then ckpt-N is
		// committed and must stay.
		if now, _ := ReadState(m.dir); now == nil || now.Latest != name {
			m.remove(name)
		}
		return "", fail(nil, err)
	}
	if m.crashAt == "state" {
		return "", errCrash
	}
	for _, p := range pruned {
		if !filepath.IsAbs(p) {
			m.remove(p)
		}
	}
	return prefix, nil
}

// intact describes what a failed save left as the latest checkpoint.
func intact(dir string, st *State) string {
	if st == nil {
		return "there is no earlier checkpoint"
	}
	return fmt.Sprintf("the earlier checkpoint %s is intact and still the latest", resolve(dir, st.Latest))
}

// checkpointFile matches the files and folders of checkpoint ckpt-N, and the temporary
// files of atomic writes.
var (
	checkpointFile = regexp.MustCompile(`^(ckpt-[0-9]+)(\.index|\.data-[0-9]{5}-of-[0-9]{5}|\.json|_temp)$`)
	atomicTemp     = regexp.MustCompile(`^\.(checkpoint|ckpt-[0-9]+\.json)\.tmp[0-9]*$`)
)

// Cleanup removes from dir what unfinished saves and prunes left (a process killed
// mid-save): files of checkpoints the state file does not list, temporary folders and
// files. It never touches a listed checkpoint, and does nothing when the state file
// cannot be read. Saves clean up too; a resuming run calls it first.
func Cleanup(dir string) error {
	st, err := ReadState(dir)
	if err != nil {
		return err
	}
	(&Manager{dir: dir}).cleanup(st)
	return nil
}

// cleanup removes what unfinished saves and prunes left: files of checkpoints the state
// file does not list, and temporary files. Best effort.
func (m *Manager) cleanup(st *State) {
	des, err := os.ReadDir(m.dir)
	if err != nil {
		return
	}
	for _, de := range des {
		if atomicTemp.MatchString(de.Name()) {
			os.Remove(filepath.Join(m.dir, de.Name()))
			continue
		}
		sub := checkpointFile.FindStringSubmatch(de.Name())
		if sub == nil {
			continue
		}
		if st == nil || !slices.Contains(st.All, sub[1]) || sub[2] == "_temp" {
			os.RemoveAll(filepath.Join(m.dir, de.Name()))
		}
	}
}

// remove deletes every file of checkpoint name (best effort).
func (m *Manager) remove(name string) {
	des, err := os.ReadDir(m.dir)
	if err != nil {
		return
	}
	for _, de := range des {
		if sub := checkpointFile.FindStringSubmatch(de.Name()); sub != nil && sub[1] == name {
			os.RemoveAll(filepath.Join(m.dir, de.Name()))
		}
	}
}

// Restore checks the checkpoint at prefix (Inspect), lets accept (if not nil) refuse it
// by its sidecar, checks the model's variables against it (Saver.Read), then assigns the
// variables. It returns the sidecar and the extras by name. On any error nothing has
// changed.
func (m *Manager) Restore(sess *graphs.Session, prefix string, accept func(*Sidecar) error) (*Sidecar, map[string]*tf.Tensor, error) {
	sc, err := Inspect(prefix)
	if err != nil {
		return nil, nil, err
	}
	if accept != nil {
		if err := accept(sc); err != nil {
			return nil, nil, err
		}
	}
	extras, err := m.saver.Read(sess, prefix, sc.Extras)
	if err != nil {
		return nil, nil, err
	}
	return sc, extras, nil
}

// Inspect reads and checks the checkpoint at prefix without a graph: its sidecar must be
// present and of this format, its files of the recorded sizes and SHA-256, its index
// readable and listing the tensors the sidecar records. Errors are *Error values wrapping
// ErrCorrupt that name the file and what is wrong.
func Inspect(prefix string) (*Sidecar, error) {
	corrupt := func(format string, args ...any) error {
		return &Error{Op: "reading", Path: prefix, Kind: ErrCorrupt, Err: fmt.Errorf(format, args...)}
	}
	base := filepath.Base(prefix)
	b, err := os.ReadFile(SidecarFile(prefix))
	if errors.Is(err, os.ErrNotExist) {
		if _, ierr := os.Stat(IndexFile(prefix)); ierr != nil {
			return nil, corrupt("%s.index and %s.json are missing: no such checkpoint", base, base)
		}
		return nil, corrupt("%s.json is missing: the checkpoint is incomplete or was not written by tfrun", base)
	}
	if err != nil {
		return nil, &Error{Op: "reading", Path: prefix, Err: err}
	}
	var sc Sidecar
	if err := json.Unmarshal(b, &sc); err != nil {
		return nil, corrupt("%s.json: %v", base, err)
	}
	if sc.Format != SidecarFormat {
		return nil, corrupt("%s.json: format %q, this tfrun reads %q", base, sc.Format, SidecarFormat)
	}
	if sc.Name != base {
		return nil, corrupt("%s.json describes checkpoint %q", base, sc.Name)
	}
	want := []string{filepath.Base(IndexFile(prefix)), filepath.Base(DataFile(prefix, 0, 1))}
	var got []string
	for _, f := range sc.Files {
		got = append(got, f.Name)
	}
	if !slices.Equal(got, want) {
		return nil, corrupt("%s.json lists files %v, want %v", base, got, want)
	}
	for _, f := range sc.Files {
		path := filepath.Join(filepath.Dir(prefix), f.Name)
		fi, err := os.Stat(path)
		if errors.Is(err, os.ErrNotExist) {
			return nil, corrupt("%s is missing", f.Name)
		}
		if err != nil {
			return nil, &Error{Op: "reading", Path: prefix, Err: err}
		}
		if fi.Size() != f.Size {
			how := "truncated"
			if fi.Size() > f.Size {
				how = "grown"
			}
			return nil, corrupt("%s is %d bytes, it was written with %d (%s)", f.Name, fi.Size(), f.Size, how)
		}
		sum, err := fileSum(path)
		if err != nil {
			return nil, &Error{Op: "reading", Path: prefix, Err: err}
		}
		if sum.SHA256 != f.SHA256 {
			return nil, corrupt("%s was changed or damaged after it was written (its SHA-256 differs from the one recorded)", f.Name)
		}
	}
	entries, err := List(prefix)
	if err != nil {
		return nil, err
	}
	if len(entries) != len(sc.Tensors) {
		return nil, corrupt("the index lists %d tensors, %s.json %d", len(entries), base, len(sc.Tensors))
	}
	for i, e := range entries {
		t := sc.Tensors[i]
		if t.Name != e.Name || t.DType != graphs.DTypeName(e.DType) || !slices.Equal(t.Shape, e.Shape) {
			return nil, corrupt("the index lists %s where %s.json lists %s %s %v", e, base, t.Name, t.DType, t.Shape)
		}
	}
	return &sc, nil
}

// fileSum returns a file's name, size and SHA-256.
func fileSum(path string) (FileSum, error) {
	f, err := os.Open(path)
	if err != nil {
		return FileSum{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return FileSum{}, err
	}
	return FileSum{Name: filepath.Base(path), Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// Describe lists a directory's kept checkpoints for messages: "ckpt-40, ckpt-80 (latest)".
func Describe(dir string) string {
	st, err := ReadState(dir)
	if err != nil || st == nil {
		return "none"
	}
	var parts []string
	for _, p := range st.All {
		if p == st.Latest {
			p += " (latest)"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}
