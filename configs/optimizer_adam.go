package configs

// OptimizerAdam is Keras's Adam.
const OptimizerAdam = "Adam"

func init() {
	registerOptimizer(OptimizerSpec{
		Type:         OptimizerAdam,
		Doc:          "Adam (Kingma & Ba, 2015)",
		LearningRate: 0.001,
		Slots:        slots(2),
		Args:         []Arg{betaArg("beta_1", 0.9), betaArg("beta_2", 0.999), epsilonArg(), sparseEmbeddingGradientsArg()},
	})
}
