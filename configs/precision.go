package configs

// Precisions, Keras's dtype-policy names (keras.mixed_precision.set_global_policy).
const (
	// PrecisionFloat32 computes and keeps everything in float32 (the default).
	PrecisionFloat32 = "float32"
	// PrecisionMixedBFloat16 is Keras's mixed_bfloat16: layers compute in bfloat16,
	// variables, optimizer slots, checkpoints, losses and the model's output stay
	// float32 (see builders/precision.go for what computes in float32 and why).
	PrecisionMixedBFloat16 = "mixed_bfloat16"
)

// Precisions returns the values the precision key takes.
func Precisions() []string { return []string{PrecisionFloat32, PrecisionMixedBFloat16} }
