package configs

// OptimizerAdadelta is Keras's Adadelta.
const OptimizerAdadelta = "Adadelta"

func init() {
	registerOptimizer(OptimizerSpec{
		Type:         OptimizerAdadelta,
		Doc:          "Adadelta (Zeiler, 2012)",
		LearningRate: 0.001,
		Slots:        slots(2),
		Args:         []Arg{betaArg("rho", 0.95), epsilonArg()},
	})
}
