package configs

// OptimizerAdamax is Keras's Adamax.
const OptimizerAdamax = "Adamax"

func init() {
	registerOptimizer(OptimizerSpec{
		Type:         OptimizerAdamax,
		Doc:          "Adamax, Adam with the infinity norm (Kingma & Ba, 2015)",
		LearningRate: 0.001,
		Slots:        slots(2),
		Args:         []Arg{betaArg("beta_1", 0.9), betaArg("beta_2", 0.999), epsilonArg()},
	})
}
