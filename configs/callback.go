package configs

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
)

// Callback types: Keras class names, matched case-insensitively.
const (
	CallbackCSVLogger         = "CSVLogger"
	CallbackEarlyStopping     = "EarlyStopping"
	CallbackModelCheckpoint   = "ModelCheckpoint"
	CallbackReduceLROnPlateau = "ReduceLROnPlateau"
	CallbackTensorBoard       = "TensorBoard"
	CallbackTerminateOnNaN    = "TerminateOnNaN"
)

// Monitored quantities: the logs Model.fit produces with metrics [accuracy], and a GAN
// run's. A classifier can also monitor any metric of its train.metrics by its log name
// (MetricLogName: auc, precision, ...) and its val_ twin.
const (
	MonitorLoss        = "loss"
	MonitorAccuracy    = "accuracy"
	MonitorValLoss     = "val_loss"
	MonitorValAccuracy = "val_accuracy"

	MonitorGenLoss      = "gen_loss"
	MonitorDiscLoss     = "disc_loss"
	MonitorRealAccuracy = "real_accuracy"
	MonitorFakeAccuracy = "fake_accuracy"
)

// UpdateFreqEpoch, as Callback.UpdateFreq, is TensorBoard's update_freq "epoch".
const UpdateFreqEpoch = 0

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
	defaultMCSaveBestOnly   = false
	defaultCSVFilename      = "training.log" // Keras requires one; tfrun's is in the run directory
	defaultCSVSeparator     = ","
	defaultCSVAppend        = false
	defaultTBLogDir         = "logs"
	defaultTBHistogramFreq  = 0
	defaultTBWriteGraph     = true
	defaultTBUpdateFreq     = UpdateFreqEpoch
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

	// SaveBestOnly: ModelCheckpoint save_best_only. False (default): a checkpoint after
	// every epoch; true: <run dir>/checkpoints/best/ holds the checkpoint of the epoch with
	// the best monitored value.
	SaveBestOnly bool `mapstructure:"save_best_only"`

	// Filename: CSVLogger filename, relative to the run directory. Default training.log.
	Filename string `mapstructure:"filename"`
	// Separator: CSVLogger separator, one character. Default ",".
	Separator string `mapstructure:"separator"`
	// Append: CSVLogger append: keep the rows of an existing file. Default false.
	Append bool `mapstructure:"append"`

	// LogDir: TensorBoard log_dir, relative to the run directory. Default logs.
	LogDir string `mapstructure:"log_dir"`
	// HistogramFreq: TensorBoard histogram_freq, weight histograms every N epochs (0:
	// none). Default 0, >= 0.
	HistogramFreq int `mapstructure:"histogram_freq"`
	// WriteGraph: TensorBoard write_graph, the training graph for the Graphs tab. Default
	// true.
	WriteGraph bool `mapstructure:"write_graph"`
	// UpdateFreq: TensorBoard update_freq: UpdateFreqEpoch (YAML "epoch", the default) or
	// every N batches (YAML N, or "batch" for 1).
	UpdateFreq int `mapstructure:"update_freq"`
}

// CallbackTypes returns the known callback types in Keras spelling, sorted.
func CallbackTypes() []string {
	return []string{CallbackCSVLogger, CallbackEarlyStopping, CallbackModelCheckpoint, CallbackReduceLROnPlateau,
		CallbackTensorBoard, CallbackTerminateOnNaN}
}

// callbackArgs returns the valid keys of a canonical callback type besides type.
func callbackArgs(typ string) []string {
	switch typ {
	case CallbackEarlyStopping:
		return []string{"monitor", "min_delta", "patience", "mode", "baseline", "restore_best_weights", "start_from_epoch"}
	case CallbackReduceLROnPlateau:
		return []string{"monitor", "factor", "patience", "mode", "min_delta", "cooldown", "min_lr"}
	case CallbackModelCheckpoint:
		return []string{"monitor", "mode", "save_best_only"}
	case CallbackCSVLogger:
		return []string{"filename", "separator", "append"}
	case CallbackTensorBoard:
		return []string{"log_dir", "histogram_freq", "write_graph", "update_freq"}
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
	case CallbackModelCheckpoint:
		cb.SaveBestOnly = defaultMCSaveBestOnly
	case CallbackCSVLogger:
		cb.Monitor, cb.Mode = "", ""
		cb.Filename, cb.Separator, cb.Append = defaultCSVFilename, defaultCSVSeparator, defaultCSVAppend
	case CallbackTensorBoard:
		cb.Monitor, cb.Mode = "", ""
		cb.LogDir, cb.HistogramFreq, cb.WriteGraph, cb.UpdateFreq = defaultTBLogDir, defaultTBHistogramFreq, defaultTBWriteGraph, defaultTBUpdateFreq
	case CallbackTerminateOnNaN:
		cb.Monitor, cb.Mode = "", ""
	}
	return cb, nil
}

// monitorable is what a run's callbacks can monitor.
type monitorable struct {
	// names are the quantities, sorted.
	names []string
	// noValidation says why no val_ quantity exists ("a GAN run has no validation"); ""
	// when the run can validate (train says whether it does).
	noValidation string
	// train is the supervised kind's training, whose metrics and validation decide the
	// names; nil for other kinds.
	train *Train
}

// trainMonitors is what a classifier's callbacks can monitor: its loss and its
// train.metrics (by their log names), each also with val_.
func trainMonitors(t *Train) monitorable {
	out := t.LogNames()
	for _, m := range slices.Clone(out) {
		out = append(out, "val_"+m)
	}
	slices.Sort(out)
	return monitorable{names: out, train: t}
}

// callback checks cb; path is its key path, e.g. "train.callbacks[0]"; mon is what the
// run can monitor.
func (c *checker) callback(path string, cb *Callback, mon monitorable) error {
	at := func(key string) string { return path + "." + key }
	if _, ok := canonical(cb.Type, CallbackTypes()); !ok {
		return c.err(at("type"), unknownValue(cb.Type, CallbackTypes()))
	}
	if canon, _ := canonical(cb.Type, CallbackTypes()); canon != cb.Type {
		return c.bad(at("type"), "%q: write it as Keras spells it, %q", cb.Type, canon)
	}
	switch cb.Type {
	case CallbackTerminateOnNaN:
		return nil
	case CallbackCSVLogger:
		if err := c.relativeFile(at("filename"), cb.Filename); err != nil {
			return err
		}
		if len([]rune(cb.Separator)) != 1 || cb.Separator == "\n" || cb.Separator == "\"" {
			return c.bad(at("separator"), "must be one character other than a newline or a quote, got %q", cb.Separator)
		}
		return nil
	case CallbackTensorBoard:
		return firstErr([]error{c.relativeFile(at("log_dir"), cb.LogDir), c.nonNegative(at("histogram_freq"), cb.HistogramFreq),
			c.nonNegative(at("update_freq"), cb.UpdateFreq)})
	case CallbackModelCheckpoint:
		if err := c.oneOf(at("mode"), cb.Mode, []string{ModeAuto, ModeMax, ModeMin}); err != nil {
			return err
		}
		if !cb.SaveBestOnly { // Keras: without save_best_only the monitor is not used
			return nil
		}
	}
	if err := c.oneOf(at("monitor"), cb.Monitor, mon.names); err != nil {
		if mon.noValidation != "" && strings.HasPrefix(cb.Monitor, "val_") {
			return c.bad(at("monitor"), "%q: %s; monitor one of %s", cb.Monitor, mon.noValidation, strings.Join(mon.names, ", "))
		}
		if name := strings.TrimPrefix(cb.Monitor, "val_"); mon.train != nil && slices.ContainsFunc(MetricNames(), func(m string) bool { return MetricLogName(m) == name }) {
			return c.bad(at("monitor"), "%q needs train.metrics to include %s", cb.Monitor, name)
		}
		return err
	}
	t := mon.train
	if isVal := len(cb.Monitor) > 4 && cb.Monitor[:4] == "val_"; isVal && t != nil && !t.HasValidation() && t.ownData {
		return c.bad(at("monitor"), "%q needs validation; set data.validation_split > 0 (held out of data.path), or data.test_path with train.validation_data: test, or monitor %q",
			cb.Monitor, cb.Monitor[4:])
	}
	if isVal := len(cb.Monitor) > 4 && cb.Monitor[:4] == "val_"; isVal && t != nil && !t.HasValidation() {
		return c.bad(at("monitor"), "%q needs validation; set train.validation_data: test or train.validation_split > 0, or monitor %q",
			cb.Monitor, cb.Monitor[4:])
	}
	if cb.Type == CallbackModelCheckpoint {
		return nil
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

// relativeFile checks a path that a callback writes below the run directory.
func (c *checker) relativeFile(path, file string) error {
	if file == "" {
		return c.bad(path, "must not be empty")
	}
	if filepath.IsAbs(file) || strings.HasPrefix(filepath.Clean(file), "..") {
		return c.bad(path, "%q: give a path inside the run directory (relative, without ..)", file)
	}
	return nil
}
