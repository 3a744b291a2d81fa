package configs

// OptimizerAdamW is Keras's AdamW.
const OptimizerAdamW = "AdamW"

func init() {
	registerOptimizer(OptimizerSpec{
		Type:         OptimizerAdamW,
		Doc:          "Adam with decoupled weight decay (Loshchilov & Hutter, 2019)",
		LearningRate: 0.001,
		Slots:        slots(2),
		Args: []Arg{
			{Key: "weight_decay", Kind: KindFloat, Default: 0.004, Bound: NonNegative, Doc: "decoupled weight decay: var ← var − var·weight_decay·lr before each update"},
			betaArg("beta_1", 0.9), betaArg("beta_2", 0.999), epsilonArg(), sparseEmbeddingGradientsArg(),
		},
	})
}
