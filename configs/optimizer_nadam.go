package configs

// OptimizerNadam is Keras's Nadam.
const OptimizerNadam = "Nadam"

func init() {
	registerOptimizer(OptimizerSpec{
		Type:         OptimizerNadam,
		Doc:          "Adam with Nesterov momentum and Keras's momentum schedule (Dozat, 2016)",
		LearningRate: 0.001,
		Slots:        slots(2),
		Args:         []Arg{betaArg("beta_1", 0.9), betaArg("beta_2", 0.999), epsilonArg()},
	})
}
