package configs

// OptimizerSGD is Keras's SGD.
const OptimizerSGD = "SGD"

func init() {
	registerOptimizer(OptimizerSpec{
		Type:         OptimizerSGD,
		Doc:          "gradient descent, with momentum and Nesterov momentum",
		LearningRate: 0.01,
		Slots: func(o *Optimizer) int {
			if o.Momentum != 0 {
				return 1
			}
			return 0
		},
		Args: []Arg{
			momentumArg(),
			{Key: "nesterov", Kind: KindBool, Default: false, Doc: "Nesterov momentum"},
		},
	})
}
