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

// Losses, named as Keras's loss functions.
const (
	LossBinaryCrossentropy            = "binary_crossentropy"
	LossSparseCategoricalCrossentropy = "sparse_categorical_crossentropy"
)

// Metrics, as Model.compile's metrics names them (matched case-insensitively). accuracy
// is binary_accuracy or sparse_categorical_accuracy, as the loss implies, logged under its
// own name. AUC, Precision and Recall are Keras's stateful metrics: computed over a whole
// epoch (or the whole validation set) from their accumulated confusion counts, never
// averaged over batches; they need binary labels (binary_crossentropy).
const (
	MetricAccuracy                  = "accuracy"
	MetricBinaryAccuracy            = "binary_accuracy"
	MetricSparseCategoricalAccuracy = "sparse_categorical_accuracy"
	MetricAUC                       = "AUC"       // ROC, 200 thresholds, interpolation: keras.metrics.AUC()
	MetricPrecision                 = "Precision" // at 0.5: keras.metrics.Precision()
	MetricRecall                    = "Recall"    // at 0.5: keras.metrics.Recall()
)

// MetricNames returns the metrics train.metrics takes, in Keras spelling.
func MetricNames() []string {
	return []string{MetricAccuracy, MetricBinaryAccuracy, MetricSparseCategoricalAccuracy, MetricAUC, MetricPrecision, MetricRecall}
}

// MetricLogName is the name a metric's values have in the logs and the history (Keras's:
// a metric class's snake-case name, "auc"; a function's own name); "val_" prefixes it for
// validation.
func MetricLogName(metric string) string { return kerasSnakeCase(metric) }

// IsEpochMetric reports whether a metric is computed over the whole epoch from counts
// (AUC, Precision, Recall) rather than averaged over batches.
func IsEpochMetric(metric string) bool {
	return metric == MetricAUC || metric == MetricPrecision || metric == MetricRecall
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
	// Task is TaskClassifier or TaskGAN. Required.
	Task string `mapstructure:"task" tfrun:"required"`
	// Seed seeds weight initialisation, dropout and shuffling (keras.utils.set_random_seed).
	// Default 42.
	Seed int64 `mapstructure:"seed"`
	// Data says what to train on. Required.
	Data Data `mapstructure:"data" tfrun:"required"`
	// Model is the classifier; required for task classifier, absent for task gan.
	Model Model `mapstructure:"model"`
	// Train holds the arguments of Keras's Model.compile and Model.fit; required for task
	// classifier, absent for task gan (which uses GAN.Epochs and GAN.BatchSize).
	Train Train `mapstructure:"train"`
	// Checkpoint says how often to save the weights.
	Checkpoint Checkpoint `mapstructure:"checkpoint"`
	// GAN is the GAN; required for task gan, nil for task classifier.
	GAN *GAN `mapstructure:"gan"`
}

// Data is the data set: keras.datasets.<Dataset>.load_data, for IMDB followed by
// keras.utils.pad_sequences.
type Data struct {
	// Dataset is one of DatasetIMDB, DatasetMNIST, DatasetFashionMNIST, DatasetCIFAR10.
	// Required.
	Dataset string `mapstructure:"dataset" tfrun:"required"`
	// NumWords keeps the NumWords most frequent words (imdb.load_data num_words); word
	// indices are then < NumWords. Required (> 0) for imdb, absent otherwise.
	NumWords int `mapstructure:"num_words"`
	// Maxlen pads or truncates every review to Maxlen words (pad_sequences maxlen).
	// Required (> 0) for imdb, absent otherwise.
	Maxlen int `mapstructure:"maxlen"`
}

// Model is a keras.Sequential model.
type Model struct {
	// Layers are the Sequential model's layers, input first. Required, non-empty.
	Layers []Layer `mapstructure:"layers" tfrun:"required"`
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
	// Loss is Model.compile loss: LossBinaryCrossentropy or
	// LossSparseCategoricalCrossentropy, on probabilities (from_logits=False). Default
	// binary_crossentropy.
	Loss string `mapstructure:"loss"`
	// Metrics is Model.compile metrics, Metric* names, each logged (and validated) beside
	// the loss under its MetricLogName. Default [accuracy] (tfrun's default; Keras's is
	// none).
	Metrics []string `mapstructure:"metrics"`
	// Optimizer is Model.compile optimizer. Default RMSprop with Keras's defaults (Keras's
	// compile default, "rmsprop"). YAML: a mapping with type, or just the type name.
	Optimizer Optimizer `mapstructure:"optimizer"`
	// Callbacks are Model.fit callbacks, called in order. Default none.
	Callbacks []Callback `mapstructure:"callbacks"`
}

// HasValidation reports whether fit validates each epoch, which val_* monitors need.
func (t Train) HasValidation() bool {
	return t.ValidationData == ValidationTest || t.ValidationSplit > 0
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

// Network is one network of a GAN. Unconditional: Layers is a Sequential stack applied to
// the network's one input. Conditional (GAN.NumClasses > 0), as in Keras's functional API:
//
//	label → LabelBranch ─┐
//	input → InputBranch ─┴→ Layers (Layers[0] is the Concatenate joining the two) → output
type Network struct {
	// Layers is the Sequential stack; for a conditional GAN it starts with Concatenate.
	// Required, non-empty.
	Layers []Layer `mapstructure:"layers" tfrun:"required"`
	// LabelBranch maps the integer class label (shape [batch, 1]) to a tensor that can be
	// concatenated with the input branch's output, typically Embedding → Dense → Reshape.
	// Required, non-empty, for a conditional GAN; absent otherwise.
	LabelBranch []Layer `mapstructure:"label_branch"`
	// InputBranch maps the network's main input (noise or image) before the Concatenate.
	// Conditional GAN only; may be empty (the input is concatenated as it is).
	InputBranch []Layer `mapstructure:"input_branch"`
}

// setDefaults sets Keras's (and tfrun's) defaults for everything the YAML may leave out.
func (c *Config) setDefaults() {
	c.Seed = defaultSeed
	c.Train.setDefaults()
	c.Checkpoint.setDefaults()
}

func (t *Train) setDefaults() {
	t.BatchSize = defaultBatchSize
	t.Shuffle = defaultShuffle
	t.Loss = LossBinaryCrossentropy
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
