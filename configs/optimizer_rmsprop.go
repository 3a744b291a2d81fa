package configs

// OptimizerRMSprop is Keras's RMSprop.
const OptimizerRMSprop = "RMSprop"

func init() {
	registerOptimizer(OptimizerSpec{
		Type:         OptimizerRMSprop,
		Doc:          "RMSprop (Hinton's lecture 6e), not centered",
		LearningRate: 0.001,
		Slots:        slots(2),
		Args:         []Arg{betaArg("rho", 0.9), momentumArg(), epsilonArg(), sparseEmbeddingGradientsArg()},
	})
}
