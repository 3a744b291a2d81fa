package configs

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// A Kind is one kind of model a run config describes, named by its task key: the
// supervised model (TaskClassifier: a classifier or a regressor, kind_supervised.go), the
// GAN (TaskGAN, kind_gan.go), or any kind a package registers with [RegisterKind]. Kinds
// are an open set that registers itself, as layers are: Load, Validate, the fingerprint
// and the memory estimate look the config's kind up and never switch on it.
//
// A config has the parts every kind has (name, task, seed, precision, data, checkpoint)
// and its kind's own [Section]: the other top-level keys, decoded strictly into the
// section's struct by its mapstructure tags, as every section is.
type Kind struct {
	// Name is the value of the config's task key.
	Name string
	// New returns a section of this kind with its defaults set: a pointer to a struct
	// whose fields, tagged mapstructure with their YAML key (and tfrun:"required" if
	// they are), are the top-level keys the kind owns.
	New func() Section
	// Formats are the data.format values the kind trains on; nil takes every one.
	Formats []string
	// Datasets are the built-in data sets the kind trains on; nil takes every one.
	Datasets []string
	// NoValidation says that the kind neither validates nor evaluates on test data, so
	// data.validation_split and data.test_path are refused; it names the kind for the
	// message ("a gan").
	NoValidation string
	// Scale is the default data.scale of image pixels, ScaleUnit if "".
	Scale string
}

// A Section is a kind's own part of a config (see [Kind]).
type Section interface {
	// Validate checks the section against the whole config, whose common parts are
	// checked already: the first problem, as an [*Error] naming the key (see
	// [Config.Errorf]).
	Validate(c *Config) error
	// ModelDefinition returns what defines the model's variables and inputs beyond the
	// data, by top-level key (the section's keys): the fingerprint hashes it (see
	// Config.ModelDefinition), so it must not change for an existing config.
	ModelDefinition() map[string]any
}

// sectionDecoder is a section with work to do after it is decoded (defaults that depend
// on what was given; names to resolve); raw is the whole file's settings.
type sectionDecoder interface {
	decoded(raw map[string]any)
}

// sectionChecker is a section that checks the file's settings raw before they are
// decoded, for a better message than the decoder's.
type sectionChecker interface {
	sections(d *decoder, raw map[string]any) error
}

// kinds are the registered kinds by name.
var kinds = map[string]Kind{}

// RegisterKind adds a kind of model; call it from an init function of the package that
// defines the kind's section. A second registration of a name, or a kind without a name
// or a section, is a bug and panics.
func RegisterKind(k Kind) {
	if k.Name == "" || k.New == nil {
		panic("configs: RegisterKind: a kind needs a Name and New")
	}
	if _, dup := kinds[k.Name]; dup {
		panic("configs: kind " + k.Name + " registered twice")
	}
	kinds[k.Name] = k
}

// KindNames returns the names the task key takes, sorted.
func KindNames() []string {
	names := make([]string, 0, len(kinds))
	for n := range kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LookupKind returns the kind registered as name.
func LookupKind(name string) (Kind, bool) {
	k, ok := kinds[name]
	return k, ok
}

// Keys returns the top-level keys the kind's section owns, in its struct's field order.
func (k Kind) Keys() []string { return tagKeys(reflect.TypeOf(k.New()).Elem()) }

// required returns the kind's required top-level keys.
func (k Kind) required() []string {
	t := reflect.TypeOf(k.New()).Elem()
	var keys []string
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("tfrun") == "required" {
			keys = append(keys, t.Field(i).Tag.Get("mapstructure"))
		}
	}
	return keys
}

// trainsOn reports whether the kind takes data d (its format or built-in data set).
func (k Kind) trainsOn(d *Data) bool {
	if d.Own() {
		return k.Formats == nil || slices.Contains(k.Formats, d.Format)
	}
	return k.Datasets == nil || slices.Contains(k.Datasets, d.Dataset)
}

// topLevelKeys are the keys a config file may have: the common parts', then each kind's
// (in the order of the kinds' names), once each.
func topLevelKeys() []string {
	keys := tagKeys(reflect.TypeFor[Config]())
	for _, name := range KindNames() {
		for _, key := range kinds[name].Keys() {
			if !slices.Contains(keys, key) {
				keys = append(keys, key)
			}
		}
	}
	return keys
}

// kindSections checks which top-level sections the kind needs and allows, before they
// are decoded: each required one is there, and none that only other kinds own.
func (d *decoder) kindSections(k Kind, raw map[string]any) error {
	for _, key := range k.required() {
		if _, ok := raw[key]; !ok {
			return d.missing(key, " for task "+k.Name)
		}
	}
	own := k.Keys()
	common := tagKeys(reflect.TypeFor[Config]())
	for _, key := range topLevelKeys() {
		if _, given := raw[key]; !given || slices.Contains(own, key) || slices.Contains(common, key) {
			continue
		}
		var owners []string
		for _, name := range KindNames() {
			if slices.Contains(kinds[name].Keys(), key) {
				owners = append(owners, name)
			}
		}
		return d.bad(key, "only for task %s; task %s uses %s", strings.Join(owners, ", "), k.Name, strings.Join(own, " and "))
	}
	if sc, ok := k.New().(sectionChecker); ok {
		return sc.sections(d, raw)
	}
	return nil
}

// section decodes the kind's own top-level keys of raw into a new section.
func (d *decoder) section(k Kind, raw map[string]any) (Section, error) {
	s := k.New()
	own := map[string]any{}
	for _, key := range k.Keys() {
		if r, ok := raw[key]; ok {
			own[key] = r
		}
	}
	if err := d.structure("", own, reflect.ValueOf(s).Elem()); err != nil {
		return nil, err
	}
	if sd, ok := s.(sectionDecoder); ok {
		sd.decoded(raw)
	}
	return s, nil
}

// Kind returns the config's kind; false if its task names none.
func (c *Config) Kind() (Kind, bool) { return LookupKind(c.Task) }

// Errorf returns the [*Error] of a problem at key of c's file: kind is the sentinel it
// wraps ([ErrBadValue], [ErrMissingKey], ...), the message says what and what would be
// valid. A kind's Section.Validate reports with it.
func (c *Config) Errorf(key string, kind error, format string, args ...any) error {
	return &Error{File: c.File, Key: key, Err: &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}}
}

// validateSection checks that c holds a section of its kind, then the section itself.
func (c *Config) validateSection(ch *checker, k Kind) error {
	if c.Section == nil || reflect.TypeOf(c.Section) != reflect.TypeOf(k.New()) {
		key := "task"
		if req := k.required(); len(req) > 0 {
			key = req[0]
		}
		return ch.missing(key, " for task "+k.Name)
	}
	return c.Section.Validate(c)
}
