package configs

import (
	"math"
	"reflect"
)

// Learning-rate schedules: Keras's class names (keras.optimizers.schedules), matched
// case-insensitively.
const (
	ScheduleExponentialDecay       = "ExponentialDecay"
	ScheduleCosineDecay            = "CosineDecay"
	SchedulePiecewiseConstantDecay = "PiecewiseConstantDecay"
)

// ScheduleTypes returns the known schedule types, sorted.
func ScheduleTypes() []string {
	return []string{ScheduleCosineDecay, ScheduleExponentialDecay, SchedulePiecewiseConstantDecay}
}

// Schedule is a Keras learning-rate schedule: optimizer.learning_rate given as a mapping
// with type instead of a number. The optimizer's learning rate at each training step is
// LearningRate(step), step counting the updates before it (Keras's optimizer.iterations:
// 0 at the first), so a resumed run, whose step counter the checkpoint keeps, continues
// the schedule exactly. Only the fields of Type's arguments are meaningful.
//
//	optimizer: {type: Adam, learning_rate: {type: CosineDecay, initial_learning_rate: 0, warmup_target: 1.0e-3, warmup_steps: 500, decay_steps: 5000}}
type Schedule struct {
	// Type is one of the Schedule* constants. Required.
	Type string `mapstructure:"type"`
	// InitialLearningRate: ExponentialDecay and CosineDecay initial_learning_rate.
	// Required, >= 0 (> 0 for ExponentialDecay).
	InitialLearningRate float64 `mapstructure:"initial_learning_rate"`
	// DecaySteps: ExponentialDecay and CosineDecay decay_steps. Required, > 0.
	DecaySteps int `mapstructure:"decay_steps"`
	// DecayRate: ExponentialDecay decay_rate, the factor per decay_steps. Required, > 0.
	DecayRate float64 `mapstructure:"decay_rate"`
	// Staircase: ExponentialDecay staircase, decay in whole decay_steps. Default false.
	Staircase bool `mapstructure:"staircase"`
	// Alpha: CosineDecay alpha, the final fraction of the rate decayed from. Default 0,
	// in [0, 1].
	Alpha float64 `mapstructure:"alpha"`
	// WarmupTarget: CosineDecay warmup_target, the rate a linear warmup from
	// initial_learning_rate reaches after warmup_steps, and decays from. Default none
	// (no warmup: the decay starts from initial_learning_rate).
	WarmupTarget *float64 `mapstructure:"warmup_target"`
	// WarmupSteps: CosineDecay warmup_steps. Default 0, >= 0.
	WarmupSteps int `mapstructure:"warmup_steps"`
	// Boundaries: PiecewiseConstantDecay boundaries, the steps at which the value
	// changes, strictly increasing. Required, non-empty.
	Boundaries []int `mapstructure:"boundaries"`
	// Values: PiecewiseConstantDecay values, one more than boundaries: values[0] while
	// step <= boundaries[0], ..., values[i] while boundaries[i-1] < step <= boundaries[i],
	// the last after the last boundary. Required, each > 0.
	Values []float64 `mapstructure:"values"`
}

// scheduleArgs returns a schedule type's keys besides type, and which are required.
func scheduleArgs(typ string) (args, required []string) {
	switch typ {
	case ScheduleExponentialDecay:
		return []string{"initial_learning_rate", "decay_steps", "decay_rate", "staircase"},
			[]string{"initial_learning_rate", "decay_steps", "decay_rate"}
	case ScheduleCosineDecay:
		return []string{"initial_learning_rate", "decay_steps", "alpha", "warmup_target", "warmup_steps"},
			[]string{"initial_learning_rate", "decay_steps"}
	case SchedulePiecewiseConstantDecay:
		return []string{"boundaries", "values"}, []string{"boundaries", "values"}
	}
	return nil, nil
}

// LearningRate is the schedule's learning rate at step (the number of updates before this
// one), by Keras's formulas (keras/src/optimizers/schedules/learning_rate_schedule.py),
// computed in float64 (Keras computes in float32; they agree to float32's precision):
//
//	ExponentialDecay:       initial · decay_rate^(step / decay_steps)  (the exponent floored with staircase)
//	CosineDecay:            warmup, if any: initial + (target − initial) · step / warmup_steps;
//	                        then from d = target (or initial), with s = min(step − warmup_steps, decay_steps):
//	                        d · ((1 − alpha) · ½(1 + cos(π s / decay_steps)) + alpha)
//	PiecewiseConstantDecay: values[i] for the first boundaries[i] >= step, else the last
func (s *Schedule) LearningRate(step int64) float64 {
	x := float64(step)
	switch s.Type {
	case ScheduleExponentialDecay:
		p := x / float64(s.DecaySteps)
		if s.Staircase {
			p = math.Floor(p)
		}
		return s.InitialLearningRate * math.Pow(s.DecayRate, p)
	case ScheduleCosineDecay:
		decay := float64(s.DecaySteps)
		from := s.InitialLearningRate
		if s.WarmupTarget != nil {
			warm := float64(s.WarmupSteps)
			x = math.Min(x, decay+warm)
			if x < warm {
				return (*s.WarmupTarget-s.InitialLearningRate)*(x/warm) + s.InitialLearningRate
			}
			x -= warm
			from = *s.WarmupTarget
		}
		x = math.Min(x, decay)
		cosine := 0.5 * (1 + math.Cos(math.Pi*x/decay))
		return from * ((1-s.Alpha)*cosine + s.Alpha)
	case SchedulePiecewiseConstantDecay:
		for i, b := range s.Boundaries {
			if step <= int64(b) {
				return s.Values[i]
			}
		}
		return s.Values[len(s.Values)-1]
	}
	return math.NaN()
}

// schedule decodes a schedule mapping.
func (d *decoder) schedule(path string, raw any) (*Schedule, error) {
	m, typ, err := d.typed(path, raw, "{type: ExponentialDecay, initial_learning_rate: 0.01, decay_steps: 1000, decay_rate: 0.9}", ScheduleTypes())
	if err != nil {
		return nil, err
	}
	args, required := scheduleArgs(typ)
	for _, key := range required {
		if _, ok := m[key]; !ok {
			return nil, d.missing(join(path, key), " for "+typ)
		}
	}
	s := &Schedule{Type: typ}
	if err := d.args(path, m, typ, args, reflect.ValueOf(s).Elem()); err != nil {
		return nil, err
	}
	return s, nil
}

// schedule checks a schedule; path is its key path ("train.optimizer.learning_rate").
func (c *checker) schedule(path string, s *Schedule) error {
	at := func(key string) string { return path + "." + key }
	if err := c.oneOf(at("type"), s.Type, ScheduleTypes()); err != nil {
		return err
	}
	finite := func(key string, f float64, positive bool) error {
		if positive {
			return c.positiveFloat(at(key), f)
		}
		return c.nonNegativeFloat(at(key), f)
	}
	switch s.Type {
	case ScheduleExponentialDecay:
		return firstErr([]error{finite("initial_learning_rate", s.InitialLearningRate, true),
			c.positive(at("decay_steps"), s.DecaySteps), finite("decay_rate", s.DecayRate, true)})
	case ScheduleCosineDecay:
		checks := []error{finite("initial_learning_rate", s.InitialLearningRate, false), c.positive(at("decay_steps"), s.DecaySteps),
			c.nonNegative(at("warmup_steps"), s.WarmupSteps)}
		if !(s.Alpha >= 0 && s.Alpha <= 1) {
			checks = append(checks, c.bad(at("alpha"), "must be in [0, 1], got %g", s.Alpha))
		}
		if s.WarmupTarget != nil {
			checks = append(checks, finite("warmup_target", *s.WarmupTarget, true))
			if s.WarmupSteps == 0 {
				checks = append(checks, c.bad(at("warmup_steps"), "0 with a warmup_target; give the steps the warmup takes"))
			}
		} else {
			checks = append(checks, finite("initial_learning_rate", s.InitialLearningRate, true))
			if s.WarmupSteps > 0 {
				checks = append(checks, c.bad(at("warmup_steps"), "%d without a warmup_target (Keras then ignores it); give warmup_target", s.WarmupSteps))
			}
		}
		return firstErr(checks)
	case SchedulePiecewiseConstantDecay:
		if len(s.Boundaries) == 0 {
			return c.bad(at("boundaries"), "empty; give the steps at which the learning rate changes")
		}
		if len(s.Values) != len(s.Boundaries)+1 {
			return c.bad(at("values"), "%d values for %d boundaries; give one more value than boundaries", len(s.Values), len(s.Boundaries))
		}
		for i, b := range s.Boundaries {
			if b < 0 || i > 0 && b <= s.Boundaries[i-1] {
				return c.bad(indexPath(at("boundaries"), i), "%d: boundaries must be >= 0 and strictly increasing", b)
			}
		}
		for i, v := range s.Values {
			if err := c.positiveFloat(indexPath(at("values"), i), v); err != nil {
				return err
			}
		}
	}
	return nil
}
