package graphs

// Keras's AdamW defaults (keras/src/optimizers/adamw.py); the others are Adam's.
const (
	AdamWLearningRate = 0.001
	AdamWWeightDecay  = 0.004
)

// NewAdamW adds Keras's AdamW (Loshchilov & Hutter, 2019) under scope name (e.g. "adamw"):
// Adam whose every update first decays each variable, var ← var − var·weight_decay·lr,
// then applies Adam's step (ResourceApplyAdam) to the decayed variable, as Keras 3's
// AdamW, a subclass of its Adam, does. Slots "m" and "v", as Adam's.
func NewAdamW(s *Scope, name string, lr, weightDecay, beta1, beta2, epsilon float64) *Adam {
	a := NewAdam(s, name, lr, beta1, beta2, epsilon)
	a.Options.WeightDecay = weightDecay
	return a
}
