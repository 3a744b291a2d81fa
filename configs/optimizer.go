package configs

// Optimizer types: Keras class names, matched case-insensitively.
const (
	OptimizerAdam    = "Adam"
	OptimizerRMSprop = "RMSprop"
	OptimizerSGD     = "SGD"
)

// Keras's optimizer defaults, from keras/src/optimizers.
const (
	defaultSGDLearningRate     = 0.01
	defaultSGDMomentum         = 0.0
	defaultSGDNesterov         = false
	defaultRMSpropLearningRate = 0.001
	defaultRMSpropRho          = 0.9
	defaultRMSpropMomentum     = 0.0
	defaultRMSpropEpsilon      = 1e-7
	defaultAdamLearningRate    = 0.001
	defaultAdamBeta1           = 0.9
	defaultAdamBeta2           = 0.999
	defaultAdamEpsilon         = 1e-7 // Keras's; TF Java's Adam uses 1e-8
)

// Optimizer is a Keras optimizer. Type says which; only the fields of that type's
// arguments are meaningful, the others are zero. After Load every argument is set.
//
// In YAML it is a mapping ({type: Adam, learning_rate: 1.0e-4}) or just the type name
// (adam), as Keras's compile accepts optimizer="adam".
type Optimizer struct {
	// Type is OptimizerSGD, OptimizerRMSprop or OptimizerAdam. Required.
	Type string `mapstructure:"type"`
	// LearningRate: learning_rate of every optimizer. Default SGD 0.01, RMSprop 0.001,
	// Adam 0.001; > 0. With a Schedule, its value at step 0.
	LearningRate float64 `mapstructure:"learning_rate"`
	// Schedule is the learning-rate schedule when YAML's learning_rate is a mapping with
	// type (Keras's learning_rate=keras.optimizers.schedules.X(...)); nil for a constant
	// rate.
	Schedule *Schedule `mapstructure:"-"`
	// Momentum: SGD and RMSprop momentum. Default 0, in [0, 1).
	Momentum float64 `mapstructure:"momentum"`
	// Nesterov: SGD nesterov. Default false.
	Nesterov bool `mapstructure:"nesterov"`
	// Rho: RMSprop rho, the discount of the moving average of squared gradients.
	// Default 0.9, in [0, 1).
	Rho float64 `mapstructure:"rho"`
	// Epsilon: RMSprop and Adam epsilon. Default 1e-7, > 0.
	Epsilon float64 `mapstructure:"epsilon"`
	// Beta1: Adam beta_1. Default 0.9, in [0, 1).
	Beta1 float64 `mapstructure:"beta_1"`
	// Beta2: Adam beta_2. Default 0.999, in [0, 1).
	Beta2 float64 `mapstructure:"beta_2"`
}

// OptimizerTypes returns the known optimizer types in Keras spelling, sorted.
func OptimizerTypes() []string {
	return []string{OptimizerAdam, OptimizerRMSprop, OptimizerSGD}
}

// optimizerArgs returns the valid keys of a canonical optimizer type besides type.
func optimizerArgs(typ string) []string {
	switch typ {
	case OptimizerAdam:
		return []string{"learning_rate", "beta_1", "beta_2", "epsilon"}
	case OptimizerRMSprop:
		return []string{"learning_rate", "rho", "momentum", "epsilon"}
	case OptimizerSGD:
		return []string{"learning_rate", "momentum", "nesterov"}
	}
	return nil
}

// NewOptimizer returns an optimizer of type typ (matched case-insensitively) with Keras's
// defaults.
func NewOptimizer(typ string) (Optimizer, error) {
	canon, ok := canonical(typ, OptimizerTypes())
	if !ok {
		return Optimizer{}, &Error{Key: "type", Err: unknownValue(typ, OptimizerTypes())}
	}
	o := Optimizer{Type: canon}
	switch canon {
	case OptimizerAdam:
		o.LearningRate, o.Beta1, o.Beta2, o.Epsilon = defaultAdamLearningRate, defaultAdamBeta1, defaultAdamBeta2, defaultAdamEpsilon
	case OptimizerRMSprop:
		o.LearningRate, o.Rho, o.Momentum, o.Epsilon = defaultRMSpropLearningRate, defaultRMSpropRho, defaultRMSpropMomentum, defaultRMSpropEpsilon
	case OptimizerSGD:
		o.LearningRate, o.Momentum, o.Nesterov = defaultSGDLearningRate, defaultSGDMomentum, defaultSGDNesterov
	}
	return o, nil
}

// mustOptimizer is NewOptimizer for the package's own constants.
func mustOptimizer(typ string) Optimizer {
	o, err := NewOptimizer(typ)
	if err != nil {
		panic(err) // unreachable: typ is one of the Optimizer* constants
	}
	return o
}

// Slots is the number of slot variables the optimizer keeps per trainable weight, as
// graphs builds them: Adam m and v; RMSprop rms and momentum (ResourceApplyRMSProp
// takes a momentum accumulator even at momentum 0); SGD momentum, when momentum > 0.
func (o Optimizer) Slots() int {
	switch o.Type {
	case OptimizerAdam, OptimizerRMSprop:
		return 2
	case OptimizerSGD:
		if o.Momentum != 0 {
			return 1
		}
	}
	return 0
}

// optimizer checks o; path is its key path, e.g. "train.optimizer".
func (c *checker) optimizer(path string, o *Optimizer) error {
	at := func(key string) string { return path + "." + key }
	if _, ok := canonical(o.Type, OptimizerTypes()); !ok {
		return c.err(at("type"), unknownValue(o.Type, OptimizerTypes()))
	}
	var checks []error
	if o.Schedule != nil {
		checks = append(checks, c.schedule(at("learning_rate"), o.Schedule))
	} else {
		checks = append(checks, c.positiveFloat(at("learning_rate"), o.LearningRate))
	}
	switch o.Type {
	case OptimizerAdam:
		checks = append(checks, c.unitInterval(at("beta_1"), o.Beta1), c.unitInterval(at("beta_2"), o.Beta2),
			c.positiveFloat(at("epsilon"), o.Epsilon))
	case OptimizerRMSprop:
		checks = append(checks, c.unitInterval(at("rho"), o.Rho), c.unitInterval(at("momentum"), o.Momentum),
			c.positiveFloat(at("epsilon"), o.Epsilon))
	case OptimizerSGD:
		checks = append(checks, c.unitInterval(at("momentum"), o.Momentum))
	default:
		canon, _ := canonical(o.Type, OptimizerTypes())
		return c.bad(at("type"), "%q: write it as Keras spells it, %q", o.Type, canon)
	}
	return firstErr(checks)
}
