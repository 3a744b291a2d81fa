// Package autotune is how a tfrun run chooses its kernels by measuring them on the machine
// at hand: the TFRUN_AUTOTUNE switch, the winners cached in the user cache directory per
// machine (CPU, TensorFlow build, oneDNN setting, threads), the record of the choices in
// the run directory (autotune.json) and in the checkpoint. The choosing itself is
// graphs.Autotune's, when the graph is built; see docs/guide/autotune.md.
package autotune

import (
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	tf "github.com/wamuir/graft/tensorflow"

	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/convkernel"
	"github.com/tfrun/tfrun/graphs/lstmkernel"
)

// EnvVar turns autotuning off ("0", "false", "off": TensorFlow's own kernels everywhere)
// or on ("1", "true", "on"). Unset, it is on, except in a test binary (go test), where
// tfrun's fixed rules decide so that tests never depend on timing.
const EnvVar = "TFRUN_AUTOTUNE"

// CacheDirEnvVar, when set, is the directory of the cache instead of
// os.UserCacheDir()/tfrun/autotune.
const CacheDirEnvVar = "TFRUN_AUTOTUNE_CACHE"

// RecordFile is the file in the run directory that lists the run's choices.
const RecordFile = "autotune.json"

// checkpointPrefix marks the autotune choices among a checkpoint's kernel forms
// (runner.KernelFormer), beside the LSTMs' forms keyed by layer name.
const checkpointPrefix = "autotune: "

// Mode is what EnvVar asks for.
type Mode int

const (
	Rules Mode = iota // no Autotune: tfrun's fixed rules (a test binary's default)
	On                // measure, cache the winners
	Off               // TensorFlow's own kernels
)

// ModeFromEnv reads EnvVar; an unknown value is an error naming it.
func ModeFromEnv() (Mode, error) {
	v, set := os.LookupEnv(EnvVar)
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		if set || !testing.Testing() {
			return On, nil
		}
		return Rules, nil
	case "1", "true", "on":
		return On, nil
	case "0", "false", "off":
		return Off, nil
	}
	return Rules, fmt.Errorf("%s=%q: want 1 (measure, the default) or 0 (TensorFlow's own kernels)", EnvVar, v)
}

// Options configure New.
type Options struct {
	// Mode; New reads it from EnvVar when FromEnv is set.
	Mode    Mode
	FromEnv bool
	// Batch is the batch size the model trains with (graphs.Autotune.Batch).
	Batch int
	// Session is the model's session's thread pools (graphs.Autotune.Session).
	Session graphs.SessionOptions
	// Resumed says the run continues a checkpoint whose kernel forms are Checkpoint
	// (runner.Run.ResumedKernelForms).
	Resumed    bool
	Checkpoint map[string]string
	// CacheDir is the cache's directory; "": CacheDirEnvVar, else
	// os.UserCacheDir()/tfrun/autotune.
	CacheDir string
	// Warn receives warnings (a corrupt cache file, a candidate that failed); nil: none.
	Warn io.Writer
}

// Tuner is a run's graphs.Autotune with its cache and the machine it measures on.
type Tuner struct {
	*graphs.Autotune
	Mode    Mode
	Machine Machine
	cache   *Cache // nil unless On
	warn    io.Writer
}

// New returns the run's Tuner; nil (with no error) in Rules mode and not resumed from a
// checkpoint that recorded choices. Opening the cache never fails a run: an unreadable
// one is reported to o.Warn and the run measures afresh.
func New(o Options) (*Tuner, error) {
	mode := o.Mode
	if o.FromEnv {
		m, err := ModeFromEnv()
		if err != nil {
			return nil, err
		}
		mode = m
	}
	forms, legacy := fromCheckpoint(o.Checkpoint, o.Resumed)
	if mode == Rules && len(forms) == 0 {
		return nil, nil
	}
	t := &Tuner{Mode: mode, Machine: ThisMachine(o.Session), warn: o.Warn}
	t.Autotune = &graphs.Autotune{Off: mode == Off, Batch: o.Batch, Session: o.Session, Resumed: forms, Rules: legacy || mode == Rules,
		ConvFilterKernel: ownFilterKernel(), ConvInputKernel: ownInputKernel(), Warn: t.warnf}
	if mode == On {
		dir := o.CacheDir
		if dir == "" {
			var err error
			if dir, err = DefaultCacheDir(); err != nil {
				t.warnf(fmt.Sprintf("autotune: no cache directory (%v): measuring without one", err))
			}
		}
		if dir != "" {
			t.cache = OpenCache(dir, t.Machine, t.warnf)
			t.Autotune.Cache = t.cache
		}
	}
	return t, nil
}

// ownFilterKernel are the dtypes in which tfrun's own filter gradient kernel can be a
// candidate: none when tfrun's kernels are turned off by name (lstmkernel.EnvVar=0) or it
// did not register, else those this CPU runs it in.
func ownFilterKernel() []tf.DataType {
	if lstmkernel.Disabled() || convkernel.Register() != nil {
		return nil
	}
	var types []tf.DataType
	if convkernel.Supported() {
		types = append(types, tf.Float)
	}
	if convkernel.SupportedBFloat16() {
		types = append(types, tf.Bfloat16)
	}
	return types
}

// ownInputKernel is ownFilterKernel for tfrun's own input gradient kernel (few input
// channels).
func ownInputKernel() []tf.DataType {
	if lstmkernel.Disabled() || convkernel.Register() != nil {
		return nil
	}
	var types []tf.DataType
	if convkernel.SupportedInput() {
		types = append(types, tf.Float)
	}
	if convkernel.SupportedInputBFloat16() {
		types = append(types, tf.Bfloat16)
	}
	return types
}

func (t *Tuner) warnf(msg string) {
	if t.warn != nil {
		fmt.Fprintf(t.warn, "warning: %s\n", msg)
	}
}

// Graph is the graphs.Autotune to build a graph with (Graph.SetAutotune); nil for a nil
// tuner, which leaves the graph to the fixed rules.
func (t *Tuner) Graph() *graphs.Autotune {
	if t == nil {
		return nil
	}
	return t.Autotune
}

// Finish saves the winners measured into the cache (a failure is a warning: the next run
// measures again) and, when runDir is set, writes the run's record (RecordFile).
func (t *Tuner) Finish(runDir string) error {
	if t == nil {
		return nil
	}
	if t.cache != nil {
		if err := t.cache.Save(); err != nil {
			t.warnf(fmt.Sprintf("autotune: %v", err))
		}
	}
	if runDir == "" {
		return nil
	}
	return t.WriteRecord(runDir)
}

// CheckpointForms are the choices as a checkpoint records them, beside the LSTMs' kernel
// forms (runner.KernelFormer): each key prefixed with "autotune: ". nil for a nil tuner.
func (t *Tuner) CheckpointForms() map[string]string {
	if t == nil {
		return nil
	}
	return CheckpointForms(t.Autotune)
}

// CheckpointForms is Tuner.CheckpointForms of a graph's Autotune (nil: none).
func CheckpointForms(a *graphs.Autotune) map[string]string {
	if a == nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range a.Forms() {
		out[checkpointPrefix+k] = v
	}
	return out
}

// fromCheckpoint picks the autotune choices out of a checkpoint's kernel forms. legacy: a
// resumed run whose checkpoint recorded none (a tfrun before autotuning, or a model
// without a choice to make), which then keeps to the fixed rules.
func fromCheckpoint(forms map[string]string, resumed bool) (choices map[string]string, legacy bool) {
	if !resumed {
		return nil, false
	}
	for k, v := range forms {
		if key, ok := strings.CutPrefix(k, checkpointPrefix); ok {
			if choices == nil {
				choices = map[string]string{}
			}
			choices[key] = v
		}
	}
	return choices, len(choices) == 0
}
