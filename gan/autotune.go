package gan

import (
	"github.com/tfrun/tfrun/graphs"
	"github.com/tfrun/tfrun/graphs/autotune"
	"github.com/tfrun/tfrun/runner"
)

// newTuner is a GAN run's autotune.Tuner: TFRUN_AUTOTUNE's mode, measuring at the run's
// batch size with its threads, the forms a resumed run's checkpoint recorded first. A
// distributed run keeps the fixed rules (nil), so that every replica runs the same forms.
func newTuner(r *runner.Run, o runner.Options, batch int) (*autotune.Tuner, error) {
	if o.Cluster != nil {
		return nil, nil
	}
	forms, resumed := r.ResumedKernelForms()
	return autotune.New(autotune.Options{FromEnv: true, Batch: batch,
		Session: graphs.SessionOptions{IntraOpThreads: o.Threads, InterOpThreads: min(o.Threads, 2)},
		Resumed: resumed, Checkpoint: forms, Warn: r.Out})
}

// runDirIf is dir when the task writes the run directory (the chief), else "".
func runDirIf(chief bool, dir string) string {
	if chief {
		return dir
	}
	return ""
}

// KernelForms are the convolutions' kernel forms the GAN was built with
// (runner.KernelFormer): its checkpoints record them, so a resumed run builds the same.
func (m *GAN) KernelForms() map[string]string {
	return autotune.CheckpointForms(m.graph.Autotune())
}
