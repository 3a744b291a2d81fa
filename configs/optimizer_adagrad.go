package configs

// OptimizerAdagrad is Keras's Adagrad.
const OptimizerAdagrad = "Adagrad"

func init() {
	registerOptimizer(OptimizerSpec{
		Type:         OptimizerAdagrad,
		Doc:          "Adagrad (Duchi et al., 2011): lr·g/√(Σg² + ε)",
		LearningRate: 0.001,
		Slots:        slots(1),
		Args: []Arg{
			{Key: "initial_accumulator_value", Kind: KindFloat, Default: 0.1, Bound: NonNegative, Doc: "starting value of the sum of squared gradients"},
			epsilonArg(),
		},
	})
}
