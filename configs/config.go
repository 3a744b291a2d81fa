package configs

// Tasks.
const (
	TaskClassifier = "classifier" // a Keras Sequential model trained with Model.fit
	TaskGAN        = "gan"        // a generator and a discriminator trained adversarially
)

// Data sets, named as in keras.datasets.
const (
	DatasetIMDB         = "imdb"
	DatasetMNIST        = "mnist"
	DatasetFashionMNIST = "fashion_mnist"
	DatasetCIFAR10      = "cifar10"
)

// Metrics, as Model.compile's metrics names them (matched case-insensitively). accuracy
// is binary_accuracy, sparse_categorical_accuracy or categorical_accuracy, as the loss
// and the output imply (Keras's "accuracy" string), logged under its own name; a
// regression loss has none. AUC, Precision and Recall are Keras's stateful metrics:
// computed over a whole epoch (or the whole validation set) from their accumulated
// confusion counts, never averaged over batches; they need binary labels. So are
// root_mean_squared_error (the root of the epoch's mean squared error) and r2_score
// (Keras's R2Score, from the epoch's sums of the targets, their squares and the squared
// residuals). mse and mae are Keras's aliases, logged under those names.
const (
	MetricAccuracy                  = "accuracy"
	MetricBinaryAccuracy            = "binary_accuracy"
	MetricSparseCategoricalAccuracy = "sparse_categorical_accuracy"
	MetricCategoricalAccuracy       = "categorical_accuracy"
	MetricAUC                       = "AUC"       // ROC, 200 thresholds, interpolation: keras.metrics.AUC()
	MetricPrecision                 = "Precision" // at 0.5: keras.metrics.Precision()
	MetricRecall                    = "Recall"    // at 0.5: keras.metrics.Recall()
	MetricMeanSquaredError          = "mean_squared_error"
	MetricMSE                       = "mse"
	MetricMeanAbsoluteError         = "mean_absolute_error"
	MetricMAE                       = "mae"
	MetricRootMeanSquaredError      = "root_mean_squared_error" // keras.metrics.RootMeanSquaredError()
	MetricR2Score                   = "r2_score"                // keras.metrics.R2Score()
)

// MetricNames returns the metrics train.metrics takes, in Keras spelling, then the custom
// metrics registered (RegisterMetric).
func MetricNames() []string {
	return append(builtinMetricNames(), customMetricNames()...)
}

// builtinMetricNames are the metrics configs knows itself.
func builtinMetricNames() []string {
	return []string{MetricAccuracy, MetricBinaryAccuracy, MetricSparseCategoricalAccuracy, MetricCategoricalAccuracy,
		MetricAUC, MetricPrecision, MetricRecall,
		MetricMeanSquaredError, MetricMSE, MetricMeanAbsoluteError, MetricMAE, MetricRootMeanSquaredError, MetricR2Score,
		MetricTopKCategoricalAccuracy, MetricSparseTopKCategoricalAccuracy}
}

// MetricLogName is the name a metric's values have in the logs and the history (Keras's:
// a metric class's snake-case name, "auc"; a function's own name); "val_" prefixes it for
// validation.
func MetricLogName(metric string) string { return kerasSnakeCase(metric) }

// IsEpochMetric reports whether a metric is computed over the whole epoch from counts
// (AUC, Precision, Recall, root_mean_squared_error, r2_score) rather than averaged over
// batches.
func IsEpochMetric(metric string) bool {
	return IsConfusionMetric(metric) || metric == MetricRootMeanSquaredError || metric == MetricR2Score
}

// IsConfusionMetric reports whether a metric is computed from confusion counts of binary
// labels (AUC, Precision, Recall).
func IsConfusionMetric(metric string) bool {
	return metric == MetricAUC || metric == MetricPrecision || metric == MetricRecall
}

// IsRegressionMetric reports whether a metric compares targets with outputs of the same
// shape (mean_squared_error, mean_absolute_error, their aliases, root_mean_squared_error,
// r2_score).
func IsRegressionMetric(metric string) bool {
	switch metric {
	case MetricMeanSquaredError, MetricMSE, MetricMeanAbsoluteError, MetricMAE, MetricRootMeanSquaredError, MetricR2Score:
		return true
	}
	return false
}

// ValidationTest, as Train.ValidationData, validates on the data set's test split.
const ValidationTest = "test"

// Defaults that are not Keras layer, optimizer or callback arguments (those live beside
// their types). Model.fit's defaults are Keras's; the rest are tfrun's.
const (
	defaultSeed            = 42
	defaultBatchSize       = 32   // keras Model.fit batch_size
	defaultShuffle         = true // keras Model.fit shuffle
	defaultCheckpointEvery = 15
	defaultCheckpointKeep  = 5
	defaultGANNoiseDim     = 100
	defaultGANBatchSize    = 256
	defaultSampleRows      = 4
	defaultSampleCols      = 4
)

// Config is one run config file.
type Config struct {
	// File is the path the config was loaded from; "" for a Config built in Go.
	File string `mapstructure:"-"`
	// Name names the run. Default: File's base name without its extension.
	Name string `mapstructure:"name"`
	// Task names the config's kind (KindNames: TaskClassifier, TaskGAN, ...). Required.
	Task string `mapstructure:"task" tfrun:"required"`
	// Seed seeds weight initialisation, dropout and shuffling (keras.utils.set_random_seed).
	// Default 42.
	Seed int64 `mapstructure:"seed"`
	// Precision is the run's Keras dtype policy: PrecisionFloat32 (default) or
	// PrecisionMixedBFloat16. It does not change the variables (float32 either way), so
	// it is not part of the Fingerprint: a checkpoint of one precision resumes under the
	// other.
	Precision string `mapstructure:"precision"`
	// Data says what to train on. Required.
	Data Data `mapstructure:"data" tfrun:"required"`
	// Checkpoint says how often to save the weights.
	Checkpoint Checkpoint `mapstructure:"checkpoint"`
	// Section is the kind's own part of the file, its other top-level keys (see Kind):
	// *Supervised for task classifier (model, train), *Adversarial for task gan (gan,
	// train.callbacks), or a registered kind's own section. Load sets it; nil only in a
	// Config whose task names no kind.
	Section Section `mapstructure:"-"`
}

// Data is what a run trains on: a built-in data set (Dataset: keras.datasets.<Dataset>.
// load_data, for IMDB followed by keras.utils.pad_sequences), or the user's own files
// (Format: a folder of texts or images, or a CSV table; see data.go). Exactly one of
// Dataset and Format is given.
type Data struct {
	// Dataset is one of DatasetIMDB, DatasetMNIST, DatasetFashionMNIST, DatasetCIFAR10.
	// Required unless Format is given.
	Dataset string `mapstructure:"dataset"`
	// Format is one of FormatTextDirectory, FormatImageDirectory, FormatCSV: the user's
	// own data at Path. Required unless Dataset is given.
	Format string `mapstructure:"format"`
	// NumWords keeps the NumWords most frequent words (imdb.load_data num_words); word
	// indices are then < NumWords. Required (> 0) for imdb and text_directory, absent
	// otherwise.
	NumWords int `mapstructure:"num_words"`
	// Maxlen pads or truncates every text to Maxlen words (pad_sequences maxlen).
	// Required (> 0) for imdb and text_directory, absent otherwise.
	Maxlen int `mapstructure:"maxlen"`

	// Path is the training data: a folder with one subfolder per class
	// (text_directory, image_directory) or a CSV file. Required with Format. Relative
	// paths are relative to the working directory.
	Path string `mapstructure:"path"`
	// TestPath is the test data, in Path's layout, evaluated into metrics.json. Without
	// it the test evaluation is on the validation subset (ValidationSplit), or on the
	// training data when there is none (metrics.json's test_data says which).
	TestPath string `mapstructure:"test_path"`
	// ClassNames is Keras's class_names: the classes in label order (subfolders, or the
	// values of a CSV's label column). Default: every subfolder in alphanumeric order, or
	// the label values in sorted order.
	ClassNames []string `mapstructure:"class_names"`
	// ValidationSplit is Keras's validation_split with subset="both": the fraction, in
	// [0, 1), of the (shuffled) examples held out for validation; the run validates on
	// them each epoch. Exclusive with train.validation_split and train.validation_data.
	ValidationSplit float64 `mapstructure:"validation_split"`
	// Seed is Keras's seed of the shuffle that picks the validation subset. Default: the
	// run's seed.
	Seed *int64 `mapstructure:"seed"`
	// Shuffle is Keras's shuffle: shuffle the files before the split (numpy's
	// RandomState(seed).shuffle, as Keras). Default true.
	Shuffle *bool `mapstructure:"shuffle"`
	// LabelMode is Keras's label_mode (LabelModeInt, LabelModeCategorical,
	// LabelModeBinary): how the class labels reach the loss. Default: the mode the loss
	// takes (Config.LabelMode). See labels.go.
	LabelMode string `mapstructure:"label_mode"`
	// SampleWeight names a CSV column of per-row weights, Model.fit's sample_weight:
	// each row's loss (and weighted_metrics) is multiplied by it, in training, in
	// validation and in the test evaluation (data.test_path must have the column too).
	// CSV only; exclusive with train.class_weight.
	SampleWeight string `mapstructure:"sample_weight"`

	// ImageSize is image_directory's image_size, [height, width]: every image is resized
	// to it (bilinear). Default [256, 256], Keras's.
	ImageSize [2]int `mapstructure:"image_size"`
	// ColorMode is image_directory's color_mode: grayscale, rgb or rgba. Default rgb.
	ColorMode string `mapstructure:"color_mode"`
	// CropToAspectRatio is image_directory's crop_to_aspect_ratio: resize the largest
	// centred crop of the target's aspect ratio. Default false.
	CropToAspectRatio bool `mapstructure:"crop_to_aspect_ratio"`
	// Scale is how image_directory's pixels reach the model: ScaleUnit ([0, 1], x/255)
	// or ScaleTanh ([-1, 1], (x − 127.5)/127.5). Default unit for a classifier, tanh for
	// a GAN.
	Scale string `mapstructure:"scale"`
	// Cache is image_directory's Keras dataset.cache(): true decodes the images once
	// and keeps them in memory, false streams them from disk every epoch (decoded ahead
	// of the training step on other goroutines, memory bounded by a few batches).
	// Default: cache when the decoded pixels (float32) fit in 1 GiB, else stream.
	Cache *bool `mapstructure:"cache"`

	// Label names a CSV's label column, or a list of several: a multi-label
	// classification (each column 0 or 1, one sigmoid output per column) or several
	// regression targets (one output per column). Required for csv.
	Label Columns `mapstructure:"label"`
	// FeatureColumns names a CSV's feature columns, in the order the model sees them.
	// Default: every column but Label, in file order.
	FeatureColumns []string `mapstructure:"feature_columns"`
	// Inputs maps a functional model's inputs to a CSV's columns, and Outputs its outputs
	// to label columns (data_io.go, docs/guide/multi_io.md); instead of Label and
	// FeatureColumns. Default none.
	Inputs  DataInputs  `mapstructure:"inputs"`
	Outputs DataOutputs `mapstructure:"outputs"`
	// Normalize puts a keras.layers.Normalization adapted on the training split (mean and
	// population variance per feature) in front of the model. Default true.
	Normalize *bool `mapstructure:"normalize"`
}

// Model is a keras.Sequential model, or with Inputs a functional one (functional.go).
type Model struct {
	// Inputs names a functional model's inputs (keras.Input); absent for a Sequential
	// stack. One input for now.
	Inputs Inputs `mapstructure:"inputs"`
	// Layers are the Sequential model's layers, input first; a functional model's
	// layers, each naming the tensors it is called on (Layer.Call). Required, non-empty.
	Layers []Layer `mapstructure:"layers" tfrun:"required"`
	// Outputs names a functional model's outputs. Default: its last layer's. One output
	// for now.
	Outputs []string `mapstructure:"outputs"`
	// Base names the model's base sub-graph (freeze.go); with trainable: false every
	// layer in it is frozen, as Keras's base_model.trainable = False. Default none.
	Base *Base `mapstructure:"base"`
	// multiIO is set by Validate when data.inputs/data.outputs feed the model by name:
	// its graph may then have several inputs and outputs.
	multiIO bool `mapstructure:"-"`
}

// Train holds the arguments of Keras's Model.compile and Model.fit.
type Train struct {
	// Epochs is Model.fit epochs, the most epochs to train (callbacks may stop earlier).
	// Required, > 0.
	Epochs int `mapstructure:"epochs" tfrun:"required"`
	// BatchSize is Model.fit batch_size. Default 32, > 0.
	BatchSize int `mapstructure:"batch_size"`
	// Shuffle is Model.fit shuffle: reshuffle the training data every epoch. Default true.
	Shuffle bool `mapstructure:"shuffle"`
	// ValidationData is ValidationTest to validate on the test split (Model.fit
	// validation_data=(x_test, y_test)) or "" for none. Default "".
	ValidationData string `mapstructure:"validation_data"`
	// ValidationSplit is Model.fit validation_split: the fraction of the training data,
	// taken from its end before shuffling, held out for validation. Default 0, in [0, 1);
	// exclusive with ValidationData.
	ValidationSplit float64 `mapstructure:"validation_split"`
	// Loss is Model.compile loss: a Keras loss and its arguments (see Loss). Default
	// binary_crossentropy.
	Loss Loss `mapstructure:"loss"`
	// Metrics is Model.compile metrics, Metric* names, each logged (and validated) beside
	// the loss under its MetricLogName. Default [accuracy] (tfrun's default; Keras's is
	// none), and none for a regression loss.
	Metrics []string `mapstructure:"metrics"`
	// WeightedMetrics is Model.compile weighted_metrics: metrics (Metric* names, not
	// r2_score) weighted by the examples' weights (train.class_weight in training,
	// data.sample_weight everywhere), logged under their own name, or "weighted_" and
	// their name when Metrics lists them too. Default none.
	WeightedMetrics []string `mapstructure:"weighted_metrics"`
	// ClassWeight is Model.fit class_weight: per class, the weight of each training
	// example of that class in the loss and the weighted metrics (not in validation).
	// Classification losses only; exclusive with data.sample_weight. Default none.
	ClassWeight ClassWeight `mapstructure:"class_weight"`
	// Optimizer is Model.compile optimizer. Default RMSprop with Keras's defaults (Keras's
	// compile default, "rmsprop"). YAML: a mapping with type, or just the type name.
	Optimizer Optimizer `mapstructure:"optimizer"`
	// Callbacks are Model.fit callbacks, called in order. Default none.
	Callbacks []Callback `mapstructure:"callbacks"`
	// StepsPerEpoch is Model.fit steps_per_epoch: an epoch is this many batches, taken
	// where the last epoch stopped in a pass over the data; an epoch ends early when its
	// pass does (fit_args.go). Default nil: one pass per epoch; > 0.
	StepsPerEpoch *int `mapstructure:"steps_per_epoch"`
	// ValidationSteps is Model.fit validation_steps: validate on the first this many
	// batches of the validation data. Default nil: all of it; > 0.
	ValidationSteps *int `mapstructure:"validation_steps"`
	// ValidationFreq is Model.fit validation_freq: which epochs validate. Default 1.
	ValidationFreq ValidationFreq `mapstructure:"validation_freq"`
	// InitialEpoch is Model.fit initial_epoch: the 0-based epoch a fresh run starts at
	// (-resume starts at the checkpoint's). Default 0, < Epochs.
	InitialEpoch int `mapstructure:"initial_epoch"`
	// InitialWeights starts a fresh run from the weights of another run: a tfrun run
	// directory (its latest checkpoint) or a checkpoint prefix (runs/x/checkpoints/ckpt-40),
	// matched by layer name (Keras's load_weights by name). Layers the file lacks keep
	// their initializers (the log says which); a layer of another shape is an error. A
	// resumed run continues from its own checkpoint instead. Relative paths are relative
	// to the working directory. Default "" (the initializers).
	InitialWeights string `mapstructure:"initial_weights"`
	// dataValidates is set by Validate when the data section holds out a validation
	// subset (own data's data.validation_split).
	dataValidates bool `mapstructure:"-"`
	// ownData is set by Validate when the data is the user's own (data.format), whose
	// validation comes from the data section: messages say so.
	ownData bool `mapstructure:"-"`
	// topK is the k a train.metrics mapping gave a top-k metric (Train.TopK).
	topK map[string]int `mapstructure:"-"`
	// PerOutput holds train.loss, train.metrics and train.weighted_metrics given as
	// mappings by output name, and train.loss_weights (compile_outputs.go).
	PerOutput PerOutput `mapstructure:"-"`
	// outputs are the model's output names, set by Validate.
	outputs []string `mapstructure:"-"`
}

// HasValidation reports whether fit validates each epoch, which val_* monitors need.
func (t Train) HasValidation() bool {
	return t.ValidationData == ValidationTest || t.ValidationSplit > 0 || t.dataValidates
}

// Checkpoint says how often tfrun saves the weights (Keras's ModelCheckpoint with
// save_freq in epochs) and how many checkpoints it keeps.
type Checkpoint struct {
	// Every saves after every Every epochs (and after the last). Default 15, >= 1.
	Every int `mapstructure:"every"`
	// Keep keeps the newest Keep checkpoints. Default 5, >= 1.
	Keep int `mapstructure:"keep"`
}

// GAN is a generative adversarial network in the style of Keras's DCGAN and conditional
// GAN examples: a generator maps noise (and, if conditional, a class label) to an image;
// a discriminator maps an image (and a label) to one real/fake logit or probability.
type GAN struct {
	// NoiseDim is the length of the generator's noise input. Default 100, > 0.
	NoiseDim int `mapstructure:"noise_dim"`
	// BatchSize is the number of real images per training step. Default 256, > 0.
	BatchSize int `mapstructure:"batch_size"`
	// Epochs is the number of passes over the training images. Required, > 0.
	Epochs int `mapstructure:"epochs" tfrun:"required"`
	// NumClasses > 0 makes a conditional GAN: both networks also take a class label in
	// [0, NumClasses). Default 0 (unconditional).
	NumClasses int `mapstructure:"num_classes"`
	// SampleGrid is the [rows, cols] grid of generated images saved for inspection.
	// Default [4, 4], each > 0.
	SampleGrid [2]int `mapstructure:"sample_grid"`
	// Generator maps noise (and a label) to an image. Required.
	Generator Network `mapstructure:"generator" tfrun:"required"`
	// Discriminator maps an image (and a label) to one value per image. Required.
	Discriminator Network `mapstructure:"discriminator" tfrun:"required"`
	// GeneratorOptimizer trains the generator. Default Adam with Keras's defaults.
	GeneratorOptimizer Optimizer `mapstructure:"generator_optimizer"`
	// DiscriminatorOptimizer trains the discriminator. Default Adam with Keras's defaults.
	DiscriminatorOptimizer Optimizer `mapstructure:"discriminator_optimizer"`
	// TrainStep is how a step updates the two networks: TrainStepSimultaneous (default)
	// or TrainStepAlternating.
	TrainStep string `mapstructure:"train_step"`
}

// GAN train steps.
const (
	// TrainStepSimultaneous is the assignment's (and TensorFlow's DCGAN tutorial's)
	// train_step: one forward pass, the discriminator on the real batch and on as many
	// generated images, both losses differentiated and both optimizers applied together.
	TrainStepSimultaneous = "simultaneous"
	// TrainStepAlternating is the loop of Brownlee's conditional GAN ("How to Develop a
	// Conditional GAN", the origin of the cgan_fashion architecture): three updates in
	// order, each seeing the previous one's result: the discriminator on the real batch
	// (target 1), the discriminator on as many generated images with random labels (target
	// 0), then the generator on as many fresh noise vectors and random labels (target 1).
	TrainStepAlternating = "alternating"
)

// Conditional reports whether the GAN is conditioned on class labels.
func (g *GAN) Conditional() bool { return g.NumClasses > 0 }

// Network is one network of a GAN (see gan_network.go): a keras.Sequential stack,
// Layers alone, applied to its one input; or a functional graph, as a classifier's
// Model: Inputs named (a conditional GAN's: GANLabelInput and the noise or image),
// Layers naming the tensors they are called on, Outputs.
type Network struct {
	// Inputs names a functional graph's inputs: their shapes default to the noise's
	// (gan.noise_dim) or the images', the label's to [1], int32.
	Inputs Inputs `mapstructure:"inputs"`
	// Layers is the Sequential stack, or the functional graph's layers. Required,
	// non-empty.
	Layers []Layer `mapstructure:"layers" tfrun:"required"`
	// Outputs names a functional graph's one output. Default: its last layer's.
	Outputs []string `mapstructure:"outputs"`
	// LabelBranch and InputBranch are the old form of a conditional network: label →
	// LabelBranch, input → InputBranch, then Layers starting with a Concatenate of the
	// two. Validate rewrites that form into Inputs and Layers (fromBranches) and empties
	// them.
	LabelBranch []Layer `mapstructure:"label_branch"`
	InputBranch []Layer `mapstructure:"input_branch"`
	// oldPaths are, for a network rewritten from the old form, each layer's key path
	// there (for errors).
	oldPaths []string `mapstructure:"-"`
}

// setDefaults sets Keras's (and tfrun's) defaults for everything the YAML may leave out.
func (c *Config) setDefaults() {
	c.Seed = defaultSeed
	c.Precision = PrecisionFloat32
	c.Checkpoint.setDefaults()
}

func (t *Train) setDefaults() {
	t.BatchSize = defaultBatchSize
	t.Shuffle = defaultShuffle
	t.ValidationFreq = ValidationFreq{Every: 1} // keras Model.fit validation_freq
	t.Loss = mustLoss(LossBinaryCrossentropy)
	t.Metrics = []string{MetricAccuracy}
	t.Optimizer = mustOptimizer(OptimizerRMSprop)
}

func (c *Checkpoint) setDefaults() {
	c.Every = defaultCheckpointEvery
	c.Keep = defaultCheckpointKeep
}

func (g *GAN) setDefaults() {
	g.NoiseDim = defaultGANNoiseDim
	g.BatchSize = defaultGANBatchSize
	g.SampleGrid = [2]int{defaultSampleRows, defaultSampleCols}
	g.GeneratorOptimizer = mustOptimizer(OptimizerAdam)
	g.TrainStep = TrainStepSimultaneous
	g.DiscriminatorOptimizer = mustOptimizer(OptimizerAdam)
}

// defaulter is a section with defaults, set when the decoder creates it.
type defaulter interface{ setDefaults() }
