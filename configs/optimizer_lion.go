package configs

// OptimizerLion is Keras's Lion.
const OptimizerLion = "Lion"

func init() {
	registerOptimizer(OptimizerSpec{
		Type:         OptimizerLion,
		Doc:          "Lion, the sign of an interpolated momentum (Chen et al., 2023)",
		LearningRate: 0.001,
		Slots:        slots(1),
		Args: []Arg{
			{Key: "beta_1", Kind: KindFloat, Default: 0.9, Doc: "weight of the momentum in the update's sign, in (0, 1]"},
			betaArg("beta_2", 0.99),
		},
		Check: func(o *Optimizer) error {
			if !(o.Beta1 > 0 && o.Beta1 <= 1) {
				return argErr("beta_1", "must be in (0, 1], got %g (Keras refuses it too: Lion would degenerate to SignSGD)", o.Beta1)
			}
			return nil
		},
	})
}
