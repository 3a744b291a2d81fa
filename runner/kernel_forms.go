package runner

// KernelFormer is a Model built with a choice among kernel forms that compute the same
// function to rounding (an LSTM's TensorFlow BlockLSTMV2, unrolled cell, or unrolled cell
// with tfrun's own cell kernels). Its checkpoints keep the choice, and a resumed run builds
// the same forms again (Run.ResumedKernelForms), so that it continues bit for bit.
type KernelFormer interface {
	// KernelForms maps each layer built with a choice (by name) to its form.
	KernelForms() map[string]string
}

// ResumedKernelForms returns the kernel forms recorded by the checkpoint the run continues
// (KernelFormer). resumed is false for a fresh run. forms is nil for a checkpoint written
// by a tfrun that recorded none (before tfrun had kernels of its own): its model used the
// forms that tfrun chose.
func (r *Run) ResumedKernelForms() (forms map[string]string, resumed bool) {
	if r.state == nil {
		return nil, false
	}
	return r.state.KernelForms, true
}
