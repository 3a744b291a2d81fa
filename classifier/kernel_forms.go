package classifier

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/tfrun/tfrun/distributed"
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/autotune"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/graphs/lstmkernel"
)

// kernelChoice is what a run's LSTMs choose their implementations from: for a resumed run
// the forms its checkpoint recorded (runner.Run.ResumedKernelForms), so that it continues
// bit for bit; for a fresh one (the zero value) the batch size and lstmkernel.EnvVar.
type kernelChoice struct {
	resumed bool
	forms   map[string]string // nil when resumed: a checkpoint that recorded none
	// autotune: the convolutions' forms are chosen by measuring (tuner), warnings to warn.
	autotune bool
	warn     io.Writer
	// measureLSTMs: a fresh run whose tuner measures (measuring): its LSTMs that the
	// config leaves to tfrun choose their implementations by measuring when the graph is
	// built (builders.LSTM.Form), not by the fixed rule.
	measureLSTMs bool
	// measure, when set, times the candidates instead of running them (tests: a fake
	// timer, graphs.Autotune.Measure).
	measure func(graphs.Candidate) (time.Duration, error)
}

// measuring reports whether a fresh run's LSTMs choose by measuring: k.autotune, not
// resumed, not a replica of a cluster (every replica must run the same forms), on a CPU,
// and autotune.EnvVar on.
func (k kernelChoice) measuring(srv *distributed.Server, p graphs.Platform) (bool, error) {
	if !k.autotune || k.resumed || srv != nil || p.GPU() {
		return false, nil
	}
	mode, err := autotune.ModeFromEnv()
	return mode == autotune.On, err
}

// tuner is the run's autotune.Tuner (nil: the fixed rules, when !k.autotune or on a
// cluster, so that every replica runs the same forms): TFRUN_AUTOTUNE's mode, measuring
// at the batch size with the model session's threads, a resumed run's recorded forms
// first.
//
// An LSTM's forms are timed with the thread pools its model would run with
// (lstmSession: threads as the user's -threads).
func (k kernelChoice) tuner(batch int, session graphs.SessionOptions, threads int, p graphs.Platform, srv *distributed.Server) (*autotune.Tuner, error) {
	if !k.autotune || srv != nil {
		return nil, nil
	}
	t, err := autotune.New(autotune.Options{FromEnv: true, Batch: batch, Session: session,
		Resumed: k.resumed, Checkpoint: k.forms, Warn: k.warn})
	if t != nil {
		t.Measure = k.measure
		t.SessionFor = func(form string) graphs.SessionOptions {
			if slices.Contains(builders.LSTMForms(), form) {
				return lstmSession(form, threads, p)
			}
			return session
		}
	}
	return t, err
}

// lstmImplementations are the implementations a checkpoint may record.
var lstmImplementations = append([]string{""}, builders.LSTMForms()...)

// apply gives each of layers' LSTMs (a Bidirectional's included) its implementation:
//   - fresh and k.measureLSTMs: none (each LSTM the config leaves to tfrun measures its
//     forms when the graph is built, builders.LSTM.Form);
//   - fresh otherwise: assemble.ChooseLSTMImplementations for batchSize, with tfrun's cell
//     kernels when lstmkernel.EnvVar turns them on (the fixed rule);
//   - resumed from a checkpoint that recorded no forms: the same without tfrun's kernels,
//     the choice of the tfrun that wrote it;
//   - resumed otherwise: the recorded form of each LSTM, by name (a missing or unknown
//     one is an error), the cell_kernel forms included when the variable is unset. With
//     the kernels turned off by name (lstmkernel.Disabled), a recorded cell_kernel or
//     cell_kernel_split becomes the unrolled cell with TensorFlow's ops (in the same
//     type): the same function, no longer bit for bit.
func (k kernelChoice) apply(layers []builders.Layer, batchSize int) error {
	own, err := lstmkernel.Enabled()
	if err != nil {
		return err
	}
	if !k.resumed && k.measureLSTMs {
		return nil
	}
	if !k.resumed || k.forms == nil {
		assemble.ChooseLSTMImplementations(layers, batchSize, own && !k.resumed)
		return nil
	}
	for _, l := range lstms(layers) {
		form, ok := k.forms[l.Name()]
		if !ok {
			return fmt.Errorf("the checkpoint records no kernel form for layer %q (it has %v): it was written for another model", l.Name(), slices.Sorted(maps.Keys(k.forms)))
		}
		if !slices.Contains(lstmImplementations, form) {
			return fmt.Errorf("the checkpoint records kernel form %q for layer %q (valid: %q)", form, l.Name(), lstmImplementations[1:])
		}
		if lstmkernel.Disabled() {
			switch form {
			case builders.LSTMCellKernel, builders.LSTMCellKernelSplit:
				form = builders.LSTMUnrolled
			case builders.LSTMCellKernelBFloat16, builders.LSTMCellKernelSplitBFloat16:
				form = builders.LSTMUnrolledBFloat16
			}
		}
		l.Implementation = form
	}
	return nil
}

// lstmForms are the implementations of layers' LSTMs by layer name (Classifier.KernelForms).
func lstmForms(layers []builders.Layer) map[string]string {
	forms := map[string]string{}
	for _, l := range lstms(layers) {
		forms[l.Name()] = l.Form()
	}
	return forms
}

// lstms are layers' LSTMs, a Bidirectional's included.
func lstms(layers []builders.Layer) []*builders.LSTM {
	var out []*builders.LSTM
	for _, l := range layers {
		if b, ok := l.(*builders.Bidirectional); ok {
			l = b.Layer
		}
		if lstm, ok := l.(*builders.LSTM); ok {
			out = append(out, lstm)
		}
	}
	return out
}

// KernelForms maps each of the model's LSTM layers to the implementation it was built
// with, and each autotuned op ("autotune: " and its key) to its form
// (runner.KernelFormer): its checkpoints record them for a resumed run.
func (c *Classifier) KernelForms() map[string]string {
	forms := maps.Clone(c.kernelForms)
	if forms == nil {
		forms = map[string]string{}
	}
	maps.Copy(forms, autotune.CheckpointForms(c.graph.Autotune()))
	return forms
}
