package classifier

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/tfrun/tfrun/assemble"
	"github.com/tfrun/tfrun/builders"
	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/datasets"
	"github.com/tfrun/tfrun/runner"
)

// What metrics.json's test evaluation was computed on (Metrics.TestData).
const (
	TestDataTest       = "test"             // the built-in data set's test split
	TestDataTestPath   = "data.test_path"   // the own data's test files
	TestDataValidation = "validation_split" // no test_path: the validation subset
	TestDataTrain      = "train"            // no test_path, no validation: the training data
)

// Files of the run directory that own data writes.
const (
	ClassNamesFile    = "class_names.json"   // the classes in label order
	NormalizationFile = "normalization.json" // a CSV's adapted Normalization
)

// Splits are a classifier's data: Train to fit, Validation from data.validation_split
// (nil without one), Test for metrics.json, and TestData saying what Test is.
type Splits struct {
	Train, Validation, Test *Dataset
	TestData                string
	// ClassNames are the classes of own data in label order (nil for a built-in data set
	// and for a regression).
	ClassNames []string
	// Target is the label column of a CSV regression, whose labels are its numbers; ""
	// otherwise.
	Target string
	// Skipped counts the files of the class folders that are not of the format's type.
	Skipped int
	// Images says how an image folder is read (decoded into memory or streamed), for the
	// run's log; "" for other data.
	Images string
}

// LoadSplits loads a classifier config's data: a built-in data set as LoadData does, or
// the user's own (data.format) as Keras's text_dataset_from_directory,
// image_dataset_from_directory or a CSV reader would, prepared as the config says.
// seed is the run's (data.seed defaults to it); limit > 0 keeps the first limit examples
// of each split. outDir receives vocabulary.json, class_names.json and, for a CSV,
// normalization.json. An own data set whose classes do not suit the loss or the output
// layer is an assemble.ErrModelConfig (a config error).
func LoadSplits(ctx context.Context, cfg *configs.Config, dataDir, outDir string, limit int, seed int64) (*Splits, error) {
	if sup := cfg.Supervised(); sup != nil && sup.Model.MultiIO() {
		return nil, fmt.Errorf("%s: the model is fed by name (data.inputs, data.outputs): its data loads with LoadMultiSplits", cfg.File)
	}
	if !cfg.Data.Own() {
		train, test, err := LoadData(cfg, dataDir, outDir, limit)
		if err != nil {
			return nil, err
		}
		return &Splits{Train: train, Test: test, TestData: TestDataTest}, nil
	}
	var (
		s   *Splits
		err error
	)
	d := cfg.Data
	// The classes are checked as soon as the listing (or the table) tells them, before
	// anything is decoded.
	check := func(classes []string) error { return checkClasses(cfg, classes) }
	switch d.Format {
	case configs.FormatTextDirectory:
		s, err = loadTextDirectory(d, outDir, limit, seed, check)
	case configs.FormatImageDirectory:
		s, err = loadImageDirectory(ctx, d, cfg.Task, limit, seed, check)
	case configs.FormatCSV:
		s, err = loadCSV(d, cfg.Supervised().Train.Loss.Regression(), outDir, limit, seed, check)
	default:
		return nil, fmt.Errorf("%s: data.format %q: no loader", cfg.File, d.Format) // unreachable: Validate
	}
	if err != nil {
		return nil, err
	}
	if outDir != "" {
		if err := writeClassNames(outDir, s); err != nil {
			return nil, err
		}
	}
	switch {
	case s.Test != nil:
		s.TestData = TestDataTestPath
	case s.Validation != nil:
		s.Test, s.TestData = s.Validation, TestDataValidation
	default:
		s.Test, s.TestData = s.Train, TestDataTrain
	}
	return s, nil
}

// writeClassNames writes class_names.json, the classes in label order; a regression has
// none, and no file.
func writeClassNames(outDir string, s *Splits) error {
	if s.Target != "" {
		return nil
	}
	return runner.WriteJSON(filepath.Join(outDir, ClassNamesFile), s.ClassNames)
}

// checkClasses checks that the label mode, the loss and the output layer suit the
// classes the files have: binary labels (label_mode binary, or a 0/1 loss such as
// binary_crossentropy on int labels) need two and one output unit; one-hot labels
// (label_mode categorical) exactly one output per class; class ids
// (sparse_categorical_crossentropy) at least one output per class, two classes included
// (a Dense(2, softmax) on a two-class folder, Keras's label_mode int). A regression loss
// on a folder of classes takes the class ids as numbers. A CSV label column of real
// numbers with a classification loss is refused: it was meant for a regression. The
// keys of train.class_weight must name these classes.
func checkClasses(cfg *configs.Config, classes []string) error {
	k := len(classes)
	loss := cfg.Supervised().Train.Loss
	labels := loss.Labels()
	if labels == configs.LabelsReal {
		return nil
	}
	if _, err := classWeights(cfg, classes); err != nil {
		return err
	}
	if cfg.Data.Format == configs.FormatCSV && len(cfg.Data.ClassNames) == 0 {
		if v, ok := realValued(classes); ok {
			return assemble.ModelErrorf("%s: train.loss: %s is a classification loss, but label column %q of %s holds real numbers (e.g. %s, %d distinct values); for a regression set train.loss to a regression loss such as %s, with a final Dense(1)",
				cfg.File, loss, cfg.Data.Label.String(), cfg.Data.Path, v, k, configs.LossMeanSquaredError)
		}
	}
	last, lastPath := cfg.Supervised().Model.OutputLayer()
	units := 0
	if last.Type == configs.LayerDense {
		units = last.Int("units")
	}
	where := fmt.Sprintf("%s (%d classes: %s)", cfg.Data.Path, k, strings.Join(classes, ", "))
	mode := cfg.Data.LabelMode
	switch {
	case mode == configs.LabelModeBinary && k != 2:
		return assemble.ModelErrorf("%s: data.label_mode: binary needs exactly 2 classes (as Keras's), but %s; use %s or %s",
			cfg.File, where, configs.LabelModeInt, configs.LabelModeCategorical)
	case mode == configs.LabelModeCategorical && units > 0 && units != k:
		return assemble.ModelErrorf("%s: %s.units: %d, but data.label_mode: categorical gives one-hot labels of %s, so the output needs exactly %d units",
			cfg.File, lastPath, units, where, k)
	case k > 2 && labels == configs.LabelsBinary && mode != configs.LabelModeCategorical:
		return assemble.ModelErrorf("%s: train.loss: %s, but %s has integer labels 0..%d; use %s with a final Dense(%d, softmax)",
			cfg.File, loss, where, k-1, configs.LossSparseCategoricalCrossentropy, k)
	case (labels == configs.LabelsSparse || labels == configs.LabelsOneHot) && units > 0 && units < k:
		return assemble.ModelErrorf("%s: %s.units: %d, but %s needs %d outputs, one per class",
			cfg.File, lastPath, units, where, k)
	}
	return nil
}

// realValued reports whether every class name is a number and one is not an integer,
// and returns that one.
func realValued(classes []string) (string, bool) {
	frac := ""
	for _, c := range classes {
		v, err := strconv.ParseFloat(c, 64)
		if err != nil {
			return "", false
		}
		if v != math.Trunc(v) && frac == "" {
			frac = c
		}
	}
	return frac, frac != ""
}

// directoryOptions are the Keras arguments of a directory listing of d.
func directoryOptions(d configs.Data, seed int64) datasets.DirectoryOptions {
	o := datasets.DirectoryOptions{ClassNames: d.ClassNames, Seed: d.SeedOr(seed), NoShuffle: !d.ShuffleOrDefault()}
	if d.ValidationSplit > 0 {
		o.ValidationSplit, o.Subset = d.ValidationSplit, datasets.SubsetBoth
	}
	return o
}

// testOptions list a test folder: the training classes, in file order.
func testOptions(classNames []string) datasets.DirectoryOptions {
	return datasets.DirectoryOptions{ClassNames: classNames, NoShuffle: true}
}

// head keeps the first limit files (all if limit <= 0).
func head(f datasets.LabeledFiles, limit int) datasets.LabeledFiles {
	if limit > 0 && limit < f.Len() {
		return datasets.LabeledFiles{Paths: f.Paths[:limit], Labels: f.Labels[:limit]}
	}
	return f
}

// floatLabels converts class ids to the float labels the classifier takes.
func floatLabels[T int | int32](ids []T) []float32 {
	out := make([]float32, len(ids))
	for i, l := range ids {
		out[i] = float32(l)
	}
	return out
}

// loadTextDirectory reads a text_directory: Keras's listing and split, then IMDB's
// pipeline (Tokenize, BuildVocabulary on the training texts, Encode, PadSequences).
//
// The vocabulary is built from the training texts in class order and, within a class,
// in natural file-name order (numbers compared by value: 9_1.txt before 10_1.txt), not
// in the shuffled order: word ranks tie-break on first appearance, and so they do not
// depend on the seed. For aclImdb this is the built-in IMDB loader's order, so both build
// the same vocabulary.
func loadTextDirectory(d configs.Data, outDir string, limit int, seed int64, check func([]string) error) (*Splits, error) {
	files, err := datasets.TextDirectory(d.Path, datasets.TextDirectoryOptions{DirectoryOptions: directoryOptions(d, seed)})
	if err != nil {
		return nil, err
	}
	if err := check(files.ClassNames); err != nil {
		return nil, err
	}
	texts, err := files.Texts()
	if err != nil {
		return nil, err
	}
	toks := make([][]string, len(texts))
	for i, t := range texts {
		toks[i] = datasets.Tokenize(t)
	}
	order := make([]int, len(texts))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(files.Labels[a], files.Labels[b]), naturalCompare(files.Paths[a], files.Paths[b]),
			strings.Compare(files.Paths[a], files.Paths[b]))
	})
	ranked := make([][]string, len(order))
	for k, i := range order {
		ranked[k] = toks[i]
	}
	vocab := datasets.BuildVocabulary(ranked, d.NumWords)
	if outDir != "" {
		if err := vocab.Save(filepath.Join(outDir, "vocabulary.json")); err != nil {
			return nil, err
		}
	}
	encode := func(texts [][]string, labels []int) (*Dataset, error) {
		if limit > 0 && limit < len(texts) {
			texts, labels = texts[:limit], labels[:limit]
		}
		seqs := make([][]int32, len(texts))
		for i, t := range texts {
			seqs[i] = vocab.Encode(t)
		}
		ids, err := datasets.PadSequences(seqs, d.Maxlen)
		if err != nil {
			return nil, err
		}
		return &Dataset{Ints: ids, Shape: builders.Shape{d.Maxlen}, Labels: floatLabels(labels)}, nil
	}
	read := func(f datasets.LabeledFiles) (*Dataset, error) {
		f = head(f, limit)
		texts, err := datasets.ReadTexts(f.Paths, 0)
		if err != nil {
			return nil, err
		}
		toks := make([][]string, len(texts))
		for i, t := range texts {
			toks[i] = datasets.Tokenize(t)
		}
		return encode(toks, f.Labels)
	}
	s := &Splits{ClassNames: files.ClassNames, Skipped: files.Skipped}
	if s.Train, err = encode(toks, files.Labels); err != nil {
		return nil, err
	}
	if files.Validation.Len() > 0 {
		if s.Validation, err = read(files.Validation); err != nil {
			return nil, err
		}
	}
	if d.TestPath != "" {
		tf, err := datasets.TextDirectory(d.TestPath, datasets.TextDirectoryOptions{DirectoryOptions: testOptions(files.ClassNames)})
		if err != nil {
			return nil, err
		}
		if s.Test, err = read(tf.LabeledFiles); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// naturalCompare orders strings with runs of digits compared by value ("9" < "10").
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Or(cmp.Compare(len(na), len(nb)), strings.Compare(na, nb)); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

// digitRun is the length of s's leading ASCII digits.
func digitRun(s string) int {
	n := 0
	for n < len(s) && '0' <= s[n] && s[n] <= '9' {
		n++
	}
	return n
}

// loadImageDirectory reads an image_directory: Keras's listing and split, each image
// decoded, converted to color_mode and resized to image_size on datasets.NewImageBatches'
// worker goroutines, then scaled as data.scale says. The images are decoded once into
// memory when data.cache says so (default: when they fit in datasets.DefaultImageCacheBytes),
// else streamed from disk batch by batch every epoch (streamImages).
func loadImageDirectory(ctx context.Context, d configs.Data, task string, limit int, seed int64, check func([]string) error) (*Splits, error) {
	files, err := datasets.ImageDirectory(d.Path, datasets.ImageDirectoryOptions{DirectoryOptions: directoryOptions(d, seed)})
	if err != nil {
		return nil, err
	}
	if err := check(files.ClassNames); err != nil {
		return nil, err
	}
	var test datasets.LabeledFiles
	if d.TestPath != "" {
		tf, err := datasets.ImageDirectory(d.TestPath, datasets.ImageDirectoryOptions{DirectoryOptions: testOptions(files.ClassNames)})
		if err != nil {
			return nil, err
		}
		test = head(tf.LabeledFiles, limit)
	}
	train, val := head(files.LabeledFiles, limit), head(files.Validation, limit)
	size := d.ImageSizeOrDefault()
	cache := datasets.CacheImages(d.Cache, train.Len()+val.Len()+test.Len(), size[0], size[1], d.Channels())
	load := ImageLoadOptions(d)
	scale := d.ScaleFor(task)
	read := func(f datasets.LabeledFiles) (*Dataset, error) {
		if cache {
			return readImages(ctx, f, load, scale)
		}
		return streamImages(f, load, scale, builders.Shape{size[0], size[1], d.Channels()})
	}
	s := &Splits{ClassNames: files.ClassNames, Skipped: files.Skipped, Images: cacheNote(d, !cache)}
	if s.Train, err = read(train); err != nil {
		return nil, err
	}
	if val.Len() > 0 {
		if s.Validation, err = read(val); err != nil {
			return nil, err
		}
	}
	if test.Len() > 0 {
		if s.Test, err = read(test); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// ImageLoadOptions are the decoding options of an image_directory config.
func ImageLoadOptions(d configs.Data) datasets.ImageLoadOptions {
	return datasets.ImageLoadOptions{ImageSize: d.ImageSizeOrDefault(), ColorMode: datasets.ColorMode(d.ColorModeOrDefault()),
		CropToAspectRatio: d.CropToAspectRatio}
}

// ScalePixels is the in-place scaling of decoded pixels that scale (configs.ScaleUnit or
// ScaleTanh) names.
func ScalePixels(scale string) func([]float32) {
	if scale == configs.ScaleTanh {
		return datasets.ScaleFloatsToTanh
	}
	return datasets.ScaleFloatsToUnit
}

// ReadImageFiles decodes files in order (datasets.ReadImages) into one array of pixels
// scaled as scale says (configs.ScaleUnit or ScaleTanh), with their labels.
func ReadImageFiles(ctx context.Context, files datasets.LabeledFiles, o datasets.ImageLoadOptions, scale string) (pixels []float32, labels []int32, shape builders.Shape, err error) {
	pixels, labels, shape, err = datasets.ReadImages(ctx, files, o, ScalePixels(scale))
	return pixels, labels, shape, err
}

// readImages reads image files as a classifier Dataset.
func readImages(ctx context.Context, files datasets.LabeledFiles, o datasets.ImageLoadOptions, scale string) (*Dataset, error) {
	pix, labels, shape, err := ReadImageFiles(ctx, files, o, scale)
	if err != nil {
		return nil, err
	}
	return &Dataset{Floats: pix, Shape: shape, Labels: floatLabels(labels)}, nil
}

// Normalization is normalization.json: the keras.layers.Normalization a CSV run adapted
// on its training split, which predictions must apply to their features too.
type Normalization struct {
	FeatureNames []string  `json:"feature_names"`
	Mean         []float64 `json:"mean"`
	Variance     []float64 `json:"variance"`
	LabelName    string    `json:"label"`
	ClassNames   []string  `json:"class_names"`
}

// loadCSV reads a csv: the table, the validation split (the last validation_split of the
// rows after a seeded shuffle), and the Normalization adapted on the training rows and
// applied to every split (saved as normalization.json).
func loadCSV(d configs.Data, regression bool, outDir string, limit int, seed int64, check func([]string) error) (*Splits, error) {
	t, err := datasets.ReadCSV(d.Path, csvOptions(d, d.FeatureColumns, d.ClassNames, regression))
	if err != nil {
		return nil, err
	}
	multi := len(d.Label) > 1
	if !regression && !multi {
		if err := check(t.ClassNames); err != nil {
			return nil, err
		}
	}
	order := make([]int, t.NumRows)
	for i := range order {
		order[i] = i
	}
	if d.ShuffleOrDefault() {
		order = datasets.Shuffle(t.NumRows, d.SeedOr(seed))
	}
	nVal := int(d.ValidationSplit * float64(t.NumRows))
	if d.ValidationSplit > 0 && (nVal == 0 || nVal == t.NumRows) {
		return nil, fmt.Errorf("%s: data.validation_split %g of %d rows leaves an empty split", d.Path, d.ValidationSplit, t.NumRows)
	}
	train, err := t.Rows(order[:t.NumRows-nVal])
	if err != nil {
		return nil, err
	}
	norm := Normalization{FeatureNames: t.FeatureNames, LabelName: t.LabelName, ClassNames: t.ClassNames}
	if d.NormalizeOrDefault() {
		if norm.Mean, norm.Variance, err = datasets.AdaptNormalization(train.Features, train.NumRows, train.NumFeatures()); err != nil {
			return nil, err
		}
		if outDir != "" {
			if err := runner.WriteJSON(filepath.Join(outDir, NormalizationFile), norm); err != nil {
				return nil, err
			}
		}
	}
	toDataset := func(t *datasets.Table) (*Dataset, error) {
		if limit > 0 && limit < t.NumRows {
			idx := make([]int, limit)
			for i := range idx {
				idx[i] = i
			}
			var err error
			if t, err = t.Rows(idx); err != nil {
				return nil, err
			}
		}
		x := t.Features
		if norm.Mean != nil {
			var err error
			if x, err = datasets.Normalize(x, t.NumFeatures(), norm.Mean, norm.Variance); err != nil {
				return nil, err
			}
		}
		labels := t.Targets // a regression's targets, as they are
		if !t.Regression() {
			labels = floatLabels(t.Labels)
		}
		return &Dataset{Floats: x, Shape: builders.Shape{t.NumFeatures()}, Labels: labels, LabelWidth: t.TargetWidth, Weights: t.Weights}, nil
	}
	s := &Splits{ClassNames: t.ClassNames}
	if multi && !regression { // multi-label: the label columns are the classes, in output order
		s.ClassNames = slices.Clone([]string(d.Label))
	}
	if regression {
		s.Target = t.LabelName
	}
	if s.Train, err = toDataset(train); err != nil {
		return nil, err
	}
	if nVal > 0 {
		val, err := t.Rows(order[t.NumRows-nVal:])
		if err != nil {
			return nil, err
		}
		if s.Validation, err = toDataset(val); err != nil {
			return nil, err
		}
	}
	if d.TestPath != "" {
		tt, err := datasets.ReadCSV(d.TestPath, csvOptions(d, t.FeatureNames, t.ClassNames, regression))
		if err != nil {
			return nil, err
		}
		if s.Test, err = toDataset(tt); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// csvOptions are the datasets options of a CSV: its label column (or columns), the
// features, the classes and the sample weights.
func csvOptions(d configs.Data, features, classNames []string, regression bool) datasets.CSVOptions {
	o := datasets.CSVOptions{FeatureColumns: features, ClassNames: classNames, Regression: regression, SampleWeight: d.SampleWeight}
	if len(d.Label) > 1 {
		o.Labels = d.Label
	} else {
		o.Label = d.Label[0]
	}
	return o
}

// reportOwnData prints what own data was found: the classes, the files skipped, what the
// test evaluation runs on.
func reportOwnData(w io.Writer, s *Splits) {
	switch {
	case s.Target != "":
		fmt.Fprintf(w, "Regression target: column %q (real-valued)\n", s.Target)
	case s.ClassNames == nil:
		return
	default:
		fmt.Fprintf(w, "Classes (label order): %s\n", strings.Join(s.ClassNames, ", "))
	}
	if s.Skipped > 0 {
		fmt.Fprintf(w, "Skipped %d files of other types in the class folders\n", s.Skipped)
	}
	if s.Images != "" {
		fmt.Fprintf(w, "Images: %s\n", s.Images)
	}
	if s.Validation != nil {
		fmt.Fprintf(w, "Validating on %d examples held out by data.validation_split\n", s.Validation.Len())
	}
	switch s.TestData {
	case TestDataValidation:
		fmt.Fprintln(w, "No data.test_path: the test evaluation (metrics.json) is on the validation subset")
	case TestDataTrain:
		fmt.Fprintln(w, "No data.test_path and no validation: the test evaluation (metrics.json) is on the training data")
	}
}
