package configs

import "math"

// Callback types: Keras class names, matched case-insensitively.
const (
	CallbackEarlyStopping     = "EarlyStopping"
	CallbackReduceLROnPlateau = "ReduceLROnPlateau"
)

// Monitored quantities: the logs Model.fit produces with metrics [accuracy].
const (
	MonitorLoss        = "loss"
	MonitorAccuracy    = "accuracy"
	MonitorValLoss     = "val_loss"
	MonitorValAccuracy = "val_accuracy"
)

// Modes of a monitor: auto picks max for accuracy and min otherwise, as Keras does.
const (
	ModeAuto = "auto"
	ModeMin  = "min"
	ModeMax  = "max"
)

// Keras's callback defaults, from keras/src/callbacks.
const (
	defaultMonitor          = MonitorValLoss
	defaultMode             = ModeAuto
	defaultRLROPFactor      = 0.1
	defaultRLROPPatience    = 10
	defaultRLROPMinDelta    = 1e-4
	defaultRLROPCooldown    = 0
	defaultRLROPMinLR       = 0.0
	defaultESMinDelta       = 0.0
	defaultESPatience       = 0
	defaultESRestoreBest    = false
	defaultESStartFromEpoch = 0
)

// Callback is a Keras training callback. Type says which; only the fields of that type's
// arguments are meaningful, the others are zero. After Load every argument is set.
type Callback struct {
	// Type is CallbackReduceLROnPlateau or CallbackEarlyStopping. Required.
	Type string `mapstructure:"type"`
	// Monitor: the quantity watched, one of the Monitor* constants; val_* needs
	// validation, accuracy needs the accuracy metric. Default val_loss.
	Monitor string `mapstructure:"monitor"`
	// Mode: ModeAuto, ModeMin or ModeMax. Default auto.
	Mode string `mapstructure:"mode"`
	// MinDelta: the least change that counts as an improvement. Default
	// ReduceLROnPlateau 1e-4, EarlyStopping 0; >= 0.
	MinDelta float64 `mapstructure:"min_delta"`
	// Patience: epochs without improvement before acting. Default ReduceLROnPlateau 10,
	// EarlyStopping 0; >= 0.
	Patience int `mapstructure:"patience"`

	// Factor: ReduceLROnPlateau factor, new_lr = lr * factor. Default 0.1, in (0, 1).
	Factor float64 `mapstructure:"factor"`
	// Cooldown: ReduceLROnPlateau cooldown, epochs to wait after a reduction. Default 0,
	// >= 0.
	Cooldown int `mapstructure:"cooldown"`
	// MinLR: ReduceLROnPlateau min_lr, the learning rate's lower bound. Default 0, >= 0.
	MinLR float64 `mapstructure:"min_lr"`

	// Baseline: EarlyStopping baseline; training stops if the monitor does not beat it
	// within Patience epochs. Default nil (none).
	Baseline *float64 `mapstructure:"baseline"`
	// RestoreBestWeights: EarlyStopping restore_best_weights. Default false.
	RestoreBestWeights bool `mapstructure:"restore_best_weights"`
	// StartFromEpoch: EarlyStopping start_from_epoch, epochs before watching begins.
	// Default 0, >= 0.
	StartFromEpoch int `mapstructure:"start_from_epoch"`
}

// CallbackTypes returns the known callback types in Keras spelling, sorted.
func CallbackTypes() []string {
	return []string{CallbackEarlyStopping, CallbackReduceLROnPlateau}
}

// callbackArgs returns the valid keys of a canonical callback type besides type.
func callbackArgs(typ string) []string {
	switch typ {
	case CallbackEarlyStopping:
		return []string{"monitor", "min_delta", "patience", "mode", "baseline", "restore_best_weights", "start_from_epoch"}
	case CallbackReduceLROnPlateau:
		return []string{"monitor", "factor", "patience", "mode", "min_delta", "cooldown", "min_lr"}
	}
	return nil
}

// NewCallback returns a callback of type typ (matched case-insensitively) with Keras's
// defaults.
func NewCallback(typ string) (Callback, error) {
	canon, ok := canonical(typ, CallbackTypes())
	if !ok {
		return Callback{}, &Error{Key: "type", Err: unknownValue(typ, CallbackTypes())}
	}
	cb := Callback{Type: canon, Monitor: defaultMonitor, Mode: defaultMode}
	switch canon {
	case CallbackEarlyStopping:
		cb.MinDelta, cb.Patience = defaultESMinDelta, defaultESPatience
		cb.RestoreBestWeights, cb.StartFromEpoch = defaultESRestoreBest, defaultESStartFromEpoch
	case CallbackReduceLROnPlateau:
		cb.Factor, cb.Patience, cb.MinDelta = defaultRLROPFactor, defaultRLROPPatience, defaultRLROPMinDelta
		cb.Cooldown, cb.MinLR = defaultRLROPCooldown, defaultRLROPMinLR
	}
	return cb, nil
}

// monitors returns the known monitored quantities, sorted.
func monitors() []string {
	return []string{MonitorAccuracy, MonitorLoss, MonitorValAccuracy, MonitorValLoss}
}

// callback checks cb; path is its key path, e.g. "train.callbacks[0]"; t is the training
// it belongs to, which decides what can be monitored.
func (c *checker) callback(path string, cb *Callback, t *Train) error {
	at := func(key string) string { return path + "." + key }
	switch cb.Type {
	case CallbackEarlyStopping, CallbackReduceLROnPlateau:
	default:
		if canon, ok := canonical(cb.Type, CallbackTypes()); ok {
			return c.bad(at("type"), "%q: write it as Keras spells it, %q", cb.Type, canon)
		}
		return c.err(at("type"), unknownValue(cb.Type, CallbackTypes()))
	}
	if err := c.oneOf(at("monitor"), cb.Monitor, monitors()); err != nil {
		return err
	}
	if isVal := len(cb.Monitor) > 4 && cb.Monitor[:4] == "val_"; isVal && !t.HasValidation() {
		return c.bad(at("monitor"), "%q needs validation; set train.validation_data: test or train.validation_split > 0, or monitor %q",
			cb.Monitor, cb.Monitor[4:])
	}
	if cb.Monitor == MonitorAccuracy || cb.Monitor == MonitorValAccuracy {
		hasAccuracy := false
		for _, m := range t.Metrics {
			hasAccuracy = hasAccuracy || m == MetricAccuracy
		}
		if !hasAccuracy {
			return c.bad(at("monitor"), "%q needs train.metrics to include accuracy", cb.Monitor)
		}
	}
	checks := []error{
		c.oneOf(at("mode"), cb.Mode, []string{ModeAuto, ModeMax, ModeMin}),
		c.nonNegativeFloat(at("min_delta"), cb.MinDelta),
		c.nonNegative(at("patience"), cb.Patience),
	}
	switch cb.Type {
	case CallbackEarlyStopping:
		checks = append(checks, c.nonNegative(at("start_from_epoch"), cb.StartFromEpoch))
		if b := cb.Baseline; b != nil && (math.IsNaN(*b) || math.IsInf(*b, 0)) {
			checks = append(checks, c.bad(at("baseline"), "must be a finite number, got %g", *b))
		}
	case CallbackReduceLROnPlateau:
		if !(cb.Factor > 0 && cb.Factor < 1) {
			checks = append(checks, c.bad(at("factor"), "must be in (0, 1), got %g", cb.Factor))
		}
		checks = append(checks, c.nonNegative(at("cooldown"), cb.Cooldown), c.nonNegativeFloat(at("min_lr"), cb.MinLR))
	}
	return firstErr(checks)
}
