package configs

import (
	"slices"
	"sort"
	"strings"
)

// Data formats: the user's own data ("bring your own data"), read with the semantics of
// Keras's readers. Data.Format names one of them instead of a built-in Data.Dataset.
const (
	// FormatTextDirectory is keras.utils.text_dataset_from_directory: one subfolder of
	// .txt files per class, then IMDB's tokenizer, vocabulary and pre-padding.
	FormatTextDirectory = "text_directory"
	// FormatImageDirectory is keras.utils.image_dataset_from_directory: one subfolder of
	// PNG, JPEG, GIF or BMP images per class.
	FormatImageDirectory = "image_directory"
	// FormatCSV is a table with a header row, numeric feature columns and a label column.
	FormatCSV = "csv"
)

// Pixel scalings of Data.Scale.
const (
	// ScaleUnit maps pixels to [0, 1] as x/255 (Keras's Rescaling(1./255)). The default
	// of classifiers.
	ScaleUnit = "unit"
	// ScaleTanh maps pixels to [-1, 1] as (x − 127.5)/127.5, the range of a tanh
	// generator. The default of GANs.
	ScaleTanh = "tanh"
)

// Color modes of Data.ColorMode: keras.utils.image_dataset_from_directory color_mode.
const (
	ColorModeGrayscale = "grayscale"
	ColorModeRGB       = "rgb"
	ColorModeRGBA      = "rgba"
)

// Defaults of the data sources, from Keras's image_dataset_from_directory and
// Normalization.
const (
	defaultImageHeight = 256 // image_size=(256, 256)
	defaultImageWidth  = 256
	defaultColorMode   = ColorModeRGB
	maxImageSide       = 1 << 15 // datasets.MaxImageSide
)

// dataFormat is one registered data format: the keys of Data it takes beyond the
// common ones, and its own checks.
type dataFormat struct {
	// keys are the format's own keys of the data section.
	keys []string
	// check checks the format's keys; nil if there is nothing beyond keys.
	check func(c *checker, d *Data) error
}

// commonDataKeys are the keys every data format takes.
var commonDataKeys = []string{"format", "path", "test_path", "class_names", "validation_split", "seed", "shuffle", "label_mode"}

// dataFormats are the registered data formats by name.
var dataFormats = map[string]dataFormat{}

// registerDataFormat adds a data format; a second registration of a name is a bug.
func registerDataFormat(name string, f dataFormat) {
	if _, dup := dataFormats[name]; dup {
		panic("configs: data format " + name + " registered twice")
	}
	dataFormats[name] = f
}

// DataFormats returns the names data.format takes, sorted.
func DataFormats() []string {
	names := make([]string, 0, len(dataFormats))
	for n := range dataFormats {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func init() {
	registerDataFormat(FormatTextDirectory, dataFormat{
		keys: []string{"num_words", "maxlen"},
		check: func(c *checker, d *Data) error {
			return firstErr([]error{
				c.positiveWhy("data.num_words", d.NumWords, "the vocabulary keeps indices below num_words, as imdb.load_data num_words"),
				c.positiveWhy("data.maxlen", d.Maxlen, "texts are padded or truncated to maxlen tokens, as pad_sequences maxlen"),
				c.atMostMaxDim("data.maxlen", d.Maxlen),
			})
		},
	})
	registerDataFormat(FormatImageDirectory, dataFormat{
		keys: []string{"image_size", "color_mode", "crop_to_aspect_ratio", "scale", "cache"},
		check: func(c *checker, d *Data) error {
			checks := []error{c.oneOf("data.color_mode", d.ColorModeOrDefault(), []string{ColorModeGrayscale, ColorModeRGB, ColorModeRGBA})}
			if d.ImageSize != [2]int{} {
				checks = append(checks, c.positivePair("data.image_size", d.ImageSize))
				if d.ImageSize[0] > maxImageSide || d.ImageSize[1] > maxImageSide {
					checks = append(checks, c.bad("data.image_size", "[%d, %d]: sides must be at most %d", d.ImageSize[0], d.ImageSize[1], maxImageSide))
				}
			}
			if d.Scale != "" {
				checks = append(checks, c.oneOf("data.scale", d.Scale, []string{ScaleUnit, ScaleTanh}))
			}
			return firstErr(checks)
		},
	})
	registerDataFormat(FormatCSV, dataFormat{
		keys: []string{"label", "feature_columns", "normalize", "sample_weight", "inputs", "outputs"},
		check: func(c *checker, d *Data) error {
			if len(d.Inputs) > 0 || len(d.Outputs) > 0 {
				return c.checkDataIO(d)
			}
			if len(d.Label) == 0 {
				return c.missing("data.label", " for format csv: the name of the label column")
			}
			for i, l := range d.Label {
				p := indexPath("data.label", i)
				switch {
				case l == "":
					return c.bad(p, "empty column name")
				case slices.Index(d.Label, l) < i:
					return c.bad(p, "%q given twice", l)
				}
			}
			for i, f := range d.FeatureColumns {
				p := indexPath("data.feature_columns", i)
				switch {
				case f == "":
					return c.bad(p, "empty column name")
				case slices.Contains(d.Label, f):
					return c.bad(p, "%q is data.label, the target; it cannot also be a feature", f)
				case slices.Index(d.FeatureColumns, f) < i:
					return c.bad(p, "%q given twice", f)
				}
			}
			return nil
		},
	})
}

// Own reports whether the data is the user's own (Format) rather than a built-in data set.
func (d Data) Own() bool { return d.Format != "" }

// Name names the data for messages: the data set, or the format and path.
func (d Data) Name() string {
	if d.Own() {
		return d.Format + " " + d.Path
	}
	return d.Dataset
}

// ImageSizeOrDefault is data.image_size, or Keras's default [256, 256].
func (d Data) ImageSizeOrDefault() [2]int {
	if d.ImageSize == [2]int{} {
		return [2]int{defaultImageHeight, defaultImageWidth}
	}
	return d.ImageSize
}

// ColorModeOrDefault is data.color_mode, or Keras's default rgb.
func (d Data) ColorModeOrDefault() string {
	if d.ColorMode == "" {
		return defaultColorMode
	}
	return d.ColorMode
}

// Channels is the number of channels of data.color_mode (0 if unknown).
func (d Data) Channels() int {
	switch d.ColorModeOrDefault() {
	case ColorModeGrayscale:
		return 1
	case ColorModeRGB:
		return 3
	case ColorModeRGBA:
		return 4
	}
	return 0
}

// ScaleFor is data.scale, or the task's kind's default (Kind.Scale): ScaleUnit for
// classifiers, ScaleTanh for GANs (whose generators end in tanh).
func (d Data) ScaleFor(task string) string {
	if d.Scale != "" {
		return d.Scale
	}
	if k, ok := LookupKind(task); ok && k.Scale != "" {
		return k.Scale
	}
	return ScaleUnit
}

// NormalizeOrDefault is data.normalize, default true.
func (d Data) NormalizeOrDefault() bool { return d.Normalize == nil || *d.Normalize }

// SeedOr is data.seed, or seed (the run's) when it is not given.
func (d Data) SeedOr(seed int64) int64 {
	if d.Seed != nil {
		return *d.Seed
	}
	return seed
}

// ShuffleOrDefault is data.shuffle, default true (Keras's shuffle=True).
func (d Data) ShuffleOrDefault() bool { return d.Shuffle == nil || *d.Shuffle }

// ownData checks the data section of a config that trains on the user's own data.
func (c *checker) ownData(d *Data, k Kind) error {
	if d.Dataset != "" {
		return c.bad("data.dataset", "%q given with data.format %q; give one: dataset for a built-in data set (%s) or format for your own (%s)",
			d.Dataset, d.Format, strings.Join(builtinDatasets(), ", "), strings.Join(DataFormats(), ", "))
	}
	f, ok := dataFormats[d.Format]
	if !ok {
		return c.err("data.format", unknownValue(d.Format, DataFormats()))
	}
	if !k.trainsOn(d) {
		return c.bad("data.format", "%q: not for task %s (it trains on %s)", d.Format, k.Name, strings.Join(k.Formats, ", "))
	}
	if err := c.sampleWeightFormat(d); err != nil {
		return err
	}
	for _, k := range d.given() {
		if !slices.Contains(commonDataKeys, k) && !slices.Contains(f.keys, k) {
			return c.bad("data."+k, "not a key of format %s (its keys: %s)", d.Format, strings.Join(append(slices.Clone(commonDataKeys), f.keys...), ", "))
		}
	}
	if k.NoValidation != "" {
		switch {
		case d.ValidationSplit != 0:
			return c.bad("data.validation_split", "%s does not validate; remove it", k.NoValidation)
		case d.TestPath != "":
			return c.bad("data.test_path", "%s is not evaluated on test data; remove it", k.NoValidation)
		}
	}
	if d.Path == "" {
		return c.missing("data.path", " for format "+d.Format+": the folder or file to train on")
	}
	for i, n := range d.ClassNames {
		p := indexPath("data.class_names", i)
		switch {
		case n == "":
			return c.bad(p, "empty class name")
		case slices.Index(d.ClassNames, n) < i:
			return c.bad(p, "%q given twice", n)
		}
	}
	if len(d.ClassNames) == 1 {
		return c.bad("data.class_names", "one class (%q); a classifier needs 2 or more", d.ClassNames[0])
	}
	if err := c.unitInterval("data.validation_split", d.ValidationSplit); err != nil {
		return err
	}
	if d.Seed != nil && (*d.Seed < 0 || *d.Seed > 1<<32-1) {
		return c.bad("data.seed", "must be in 0..%d (numpy's RandomState seeds), got %d", uint32(1<<32-1), *d.Seed)
	}
	if f.check != nil {
		return f.check(c, d)
	}
	return nil
}

// given lists the format-specific keys of d that are set (non-zero).
func (d *Data) given() []string {
	var keys []string
	add := func(key string, set bool) {
		if set {
			keys = append(keys, key)
		}
	}
	add("num_words", d.NumWords != 0)
	add("maxlen", d.Maxlen != 0)
	add("image_size", d.ImageSize != [2]int{})
	add("color_mode", d.ColorMode != "")
	add("crop_to_aspect_ratio", d.CropToAspectRatio)
	add("scale", d.Scale != "")
	add("cache", d.Cache != nil)
	add("label", len(d.Label) > 0)
	add("feature_columns", len(d.FeatureColumns) > 0)
	add("normalize", d.Normalize != nil)
	add("sample_weight", d.SampleWeight != "")
	add("inputs", len(d.Inputs) > 0)
	add("outputs", len(d.Outputs) > 0)
	return keys
}

// ownKeysGiven lists the keys of the data section that only own data takes and d sets.
func (d *Data) ownKeysGiven() []string {
	keys := d.given()
	keys = slices.DeleteFunc(keys, func(k string) bool { return k == "num_words" || k == "maxlen" })
	add := func(key string, set bool) {
		if set {
			keys = append(keys, key)
		}
	}
	add("path", d.Path != "")
	add("test_path", d.TestPath != "")
	add("class_names", len(d.ClassNames) > 0)
	add("validation_split", d.ValidationSplit != 0)
	add("seed", d.Seed != nil)
	add("shuffle", d.Shuffle != nil)
	add("label_mode", d.LabelMode != "")
	return keys
}

// builtinDatasets are the names data.dataset takes.
func builtinDatasets() []string {
	return []string{DatasetCIFAR10, DatasetFashionMNIST, DatasetIMDB, DatasetMNIST}
}

// ownInputShape is the shape of one example of own data, when the config tells it.
func (d Data) ownInputShape() (shape Shape, ids, known bool) {
	switch d.Format {
	case FormatTextDirectory:
		return Shape{d.Maxlen}, true, d.Maxlen > 0
	case FormatImageDirectory:
		s := d.ImageSizeOrDefault()
		return Shape{s[0], s[1], d.Channels()}, false, d.Channels() > 0
	case FormatCSV:
		return Shape{len(d.FeatureColumns)}, false, len(d.FeatureColumns) > 0
	}
	return nil, false, false
}

// NumClasses is the number of classes of the data, when the config tells it: 2 for
// IMDB, 10 for the image data sets, len(class_names) for own data; 0 when only the
// files tell.
func (d Data) NumClasses() int {
	if d.Own() {
		return len(d.ClassNames)
	}
	return numClasses(d.Dataset)
}

// builtinWithOwnKeys refuses own-data keys given with a built-in data set.
func (c *checker) builtinWithOwnKeys(d *Data) error {
	if keys := d.ownKeysGiven(); len(keys) > 0 {
		return c.bad("data."+keys[0], "only with data.format (%s), not with data.dataset %s", strings.Join(DataFormats(), ", "), d.Dataset)
	}
	return nil
}

// positiveWhy checks n > 0, saying why it must be.
func (c *checker) positiveWhy(key string, n int, why string) error {
	if n <= 0 {
		return c.bad(key, "must be > 0 (%s), got %d", why, n)
	}
	return nil
}
