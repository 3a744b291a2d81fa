package configs

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/spf13/viper"
)

// keyDelimiter replaces viper's ".", so a YAML key containing a dot stays one (unknown)
// key instead of silently becoming a nested one.
const keyDelimiter = "::"

// Load reads the YAML run config at path, applies Keras's defaults to everything left out
// and validates the result (see [Config.Validate]). Any problem is an [*Error] naming path
// and the key path, wrapping [ErrUnknownKey], [ErrMissingKey], [ErrWrongType],
// [ErrBadValue] or [ErrSyntax]; a file that cannot be read wraps the [io/fs] error, so
// errors.Is(err, fs.ErrNotExist) works.
//
// Keys are matched case-insensitively (viper lower-cases them) and reported in lower case.
func Load(path string) (*Config, error) {
	v := viper.NewWithOptions(viper.KeyDelimiter(keyDelimiter))
	v.SetConfigFile(path)
	v.SetConfigType("yaml")
	if err := v.ReadInConfig(); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, &Error{File: path, Err: &kindError{kind: pe, msg: "cannot read: " + pe.Err.Error()}}
		}
		if inner := errors.Unwrap(err); inner != nil {
			err = inner // viper's "While parsing config: " adds nothing
		}
		return nil, &Error{File: path, Err: &kindError{kind: ErrSyntax, msg: yamlMessage(err)}}
	}

	c := &Config{}
	c.setDefaults()
	d := &decoder{checker{file: path}}
	raw := v.AllSettings()
	// Unknown keys first: a misspelt section is better reported as such than as missing.
	if err := d.knownKeys("", raw, topLevelKeys(), ""); err != nil {
		return nil, err
	}
	task, _ := raw["task"].(string)
	kind, known := LookupKind(task)
	if known {
		if err := d.kindSections(kind, raw); err != nil {
			return nil, err
		}
	}
	if err := d.sections(raw); err != nil {
		return nil, err
	}
	if err := d.shuffleBatch(raw); err != nil {
		return nil, err
	}
	raw, perOutput, outputTopK, err := d.outputArgs(raw)
	if err != nil {
		return nil, err
	}
	raw, topK, err := d.metricArgs(raw)
	if err != nil {
		return nil, err
	}
	for metric, k := range outputTopK {
		if old, seen := topK[metric]; seen && old != k {
			return nil, d.bad("train.metrics", "%s with k %d and with k %d; give one k per top-k metric", metric, old, k)
		}
		if topK == nil {
			topK = map[string]int{}
		}
		topK[metric] = k
	}
	common := map[string]any{}
	for _, key := range tagKeys(reflect.TypeFor[Config]()) {
		if r, ok := raw[key]; ok {
			common[key] = r
		}
	}
	if err := d.structure("", common, reflect.ValueOf(c).Elem()); err != nil {
		return nil, err
	}
	if known { // an unknown task is Validate's to report
		s, err := d.section(kind, raw)
		if err != nil {
			return nil, err
		}
		if t, ok := s.(interface{ setTopK(map[string]int) }); ok {
			t.setTopK(topK) // the k of each top-k metric, which metricArgs took out of train.metrics
		}
		if t, ok := s.(interface{ setPerOutput(PerOutput) }); ok {
			t.setPerOutput(perOutput) // the train keys by output name, which outputArgs took out
		}
		c.Section = s
	}
	c.File = path
	if c.Name == "" {
		c.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// yamlMessage turns a YAML parser error into one line.
func yamlMessage(err error) string {
	var lines []string
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(line, "yaml: "))
		if line == "" || line == "unmarshal errors:" {
			continue
		}
		if i := strings.Index(line, "cannot unmarshal !!"); i >= 0 && strings.Contains(line, " into map[") {
			kind, _, _ := strings.Cut(line[i+len("cannot unmarshal "):], " ")
			line = line[:i] + "the file must be a mapping (task: ..., data: ...), got " + kind
		}
		lines = append(lines, line)
	}
	return "invalid YAML: " + strings.Join(lines, "; ")
}

// decoder turns viper's settings tree into the structs, strictly: it walks the tree with
// the structs' mapstructure tags, so every error has the exact key path.
type decoder struct{ checker }

// sections checks what the data section needs before it is decoded; the kind's own
// sections are checked by kindSections.
func (d *decoder) sections(raw map[string]any) error {
	if data, ok := raw["data"].(map[string]any); ok && data["dataset"] == DatasetIMDB {
		for _, arg := range []struct{ key, keras string }{
			{"num_words", "imdb.load_data num_words"},
			{"maxlen", "pad_sequences maxlen"},
		} {
			if _, ok := data[arg.key]; !ok {
				return d.missing("data."+arg.key, " for dataset imdb (Keras "+arg.keras+")")
			}
		}
	}
	return nil
}

// value decodes raw into dst; path is raw's key path.
func (d *decoder) value(path string, raw any, dst reflect.Value) error {
	switch p := dst.Addr().Interface().(type) {
	case *Layer:
		return d.layer(path, raw, p)
	case *Inputs:
		return d.inputs(path, raw, p)
	case *Optimizer:
		return d.optimizer(path, raw, p)
	case *Loss:
		return d.loss(path, raw, p)
	case *Callback:
		return d.callback(path, raw, p)
	case *ValidationFreq:
		return d.validationFreq(path, raw, p)
	case *ClassWeight:
		return d.classWeight(path, raw, p)
	case *Columns:
		return d.columns(path, raw, p)
	case *DataInputs:
		return d.dataInputs(path, raw, p)
	case *DataOutputs:
		return d.dataOutputs(path, raw, p)
	}
	switch dst.Kind() {
	case reflect.Struct:
		return d.structure(path, raw, dst)
	case reflect.Pointer:
		p := reflect.New(dst.Type().Elem())
		if df, ok := p.Interface().(defaulter); ok {
			df.setDefaults()
		}
		if err := d.value(path, raw, p.Elem()); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case reflect.Slice:
		list, ok := raw.([]any)
		if !ok {
			return d.wrongType(path, "a list", raw)
		}
		s := reflect.MakeSlice(dst.Type(), len(list), len(list))
		for i, item := range list {
			if err := d.value(indexPath(path, i), item, s.Index(i)); err != nil {
				return err
			}
		}
		dst.Set(s)
		return nil
	case reflect.Array:
		list, ok := raw.([]any)
		if !ok {
			return d.wrongType(path, fmt.Sprintf("a list of %d", dst.Len()), raw)
		}
		if len(list) != dst.Len() {
			return d.bad(path, "want a list of %d, got %d items", dst.Len(), len(list))
		}
		for i, item := range list {
			if err := d.value(indexPath(path, i), item, dst.Index(i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Int, reflect.Int64:
		n, ok := asInt(raw)
		if !ok {
			return d.wrongType(path, "an integer", raw)
		}
		dst.SetInt(n)
		return nil
	case reflect.Float64:
		switch f := raw.(type) {
		case float64:
			dst.SetFloat(f)
			return nil
		case float32:
			dst.SetFloat(float64(f))
			return nil
		}
		n, ok := asInt(raw)
		if !ok {
			return d.wrongType(path, "a number", raw)
		}
		dst.SetFloat(float64(n))
		return nil
	case reflect.Bool:
		b, ok := raw.(bool)
		if !ok {
			return d.wrongType(path, "true or false", raw)
		}
		dst.SetBool(b)
		return nil
	case reflect.String:
		s, ok := raw.(string)
		if !ok {
			return d.wrongType(path, "a string", raw)
		}
		dst.SetString(s)
		return nil
	}
	panic(fmt.Sprintf("configs: no decoder for %s at %s", dst.Type(), path)) // unreachable: schema types only
}

// structure decodes a YAML mapping into a struct by its mapstructure tags; keys the struct
// lacks are errors, and so are absent keys tagged tfrun:"required".
func (d *decoder) structure(path string, raw any, dst reflect.Value) error {
	m, err := d.mapping(path, raw, "")
	if err != nil {
		return err
	}
	t := dst.Type()
	if err := d.knownKeys(path, m, tagKeys(t), ""); err != nil {
		return err
	}
	for i := range t.NumField() {
		f := t.Field(i)
		key := f.Tag.Get("mapstructure")
		if key == "-" {
			continue
		}
		r, ok := m[key]
		if !ok {
			if f.Tag.Get("tfrun") == "required" {
				return d.missing(join(path, key), "")
			}
			continue
		}
		if err := d.value(join(path, key), r, dst.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

// tagKeys returns the YAML keys of a struct's fields, from their mapstructure tags.
func tagKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		if key := t.Field(i).Tag.Get("mapstructure"); key != "-" {
			keys = append(keys, key)
		}
	}
	return keys
}

// layer decodes one layer: its type first, then only that type's arguments (see its
// LayerSpec), a nested layer recursively.
func (d *decoder) layer(path string, raw any, l *Layer) error {
	if m, ok := raw.(map[string]any); ok {
		if _, reuse := m["reuse"]; reuse {
			return d.reuse(path, m, l)
		}
	}
	m, typ, err := d.typed(path, raw, "{type: Dense, units: 10}", LayerTypes())
	if err != nil {
		return err
	}
	spec := layerRegistry[typ]
	*l, _ = NewLayer(typ)
	if err := d.call(path, m, l); err != nil {
		return err
	}
	known := append(append([]string{"type", "name"}, spec.ArgKeys()...), "call", "trainable")
	for _, a := range spec.Args {
		if a.Alias == "" {
			continue
		}
		known = append(known, a.Alias)
		_, alias := m[a.Alias]
		if _, key := m[a.Key]; alias && key {
			return d.bad(join(path, a.Alias), "another name for %s, which is also given; set only %s", a.Key, a.Key)
		}
	}
	if err := d.knownKeys(path, m, known, " for "+typ); err != nil {
		return err
	}
	if r, ok := m["name"]; ok && r != nil {
		if err := d.value(join(path, "name"), r, reflect.ValueOf(&l.Name).Elem()); err != nil {
			return err
		}
	}
	if r, ok := m["trainable"]; ok && r != nil {
		trainable := true
		if err := d.value(join(path, "trainable"), r, reflect.ValueOf(&trainable).Elem()); err != nil {
			return err
		}
		l.Frozen = !trainable
	}
	for _, a := range spec.Args {
		key := a.Key
		r, ok := m[key]
		if (!ok || r == nil) && a.Alias != "" {
			key = a.Alias
			r, ok = m[key]
		}
		if !ok || r == nil {
			if a.Required {
				return d.missing(join(path, a.Key), " for "+typ)
			}
			continue
		}
		v, err := d.arg(join(path, key), a, r)
		if err != nil {
			return err
		}
		l.args[a.Key] = v
	}
	return nil
}

// arg decodes one layer argument of kind a.Kind.
func (d *decoder) arg(path string, a Arg, raw any) (any, error) {
	switch a.Kind {
	case KindInt:
		if n, ok := asInt(raw); ok {
			return int(n), nil
		}
	case KindFloat:
		switch f := raw.(type) {
		case float64:
			return f, nil
		case float32:
			return float64(f), nil
		}
		if n, ok := asInt(raw); ok {
			return float64(n), nil
		}
	case KindBool:
		if b, ok := raw.(bool); ok {
			return b, nil
		}
	case KindString:
		if s, ok := raw.(string); ok {
			return s, nil
		}
	case KindPair:
		return d.pair(path, raw)
	case KindPadding:
		return d.padding(path, raw)
	case KindInts:
		list, ok := raw.([]any)
		if !ok {
			break
		}
		out := make([]int, len(list))
		for i, item := range list {
			if item == nil && a.NullItems {
				out[i] = -1
				continue
			}
			n, ok := asInt(item)
			if !ok {
				return nil, d.wrongType(indexPath(path, i), "an integer", item)
			}
			out[i] = int(n)
		}
		return out, nil
	case KindRegularizer:
		r, err := parseRegularizer(raw)
		if err != nil {
			return nil, d.err(path, &kindError{kind: ErrBadValue, msg: err.Error()})
		}
		return r, nil
	case KindLayer:
		inner := &Layer{}
		if err := d.layer(path, raw, inner); err != nil {
			return nil, err
		}
		return inner, nil
	}
	return nil, d.wrongType(path, kindNames[a.Kind], raw)
}

// pair decodes a 2-D kernel size, stride or pool size: an int n means [n, n].
func (d *decoder) pair(path string, raw any) ([2]int, error) {
	if n, ok := asInt(raw); ok {
		return [2]int{int(n), int(n)}, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return [2]int{}, d.wrongType(path, "an integer or a list [height, width]", raw)
	}
	if len(list) != 2 {
		return [2]int{}, d.bad(path, "want an integer or a list [height, width], got a list of %d", len(list))
	}
	var p [2]int
	for i, item := range list {
		n, ok := asInt(item)
		if !ok {
			return [2]int{}, d.wrongType(indexPath(path, i), "an integer", item)
		}
		p[i] = int(n)
	}
	return p, nil
}

// padding decodes Keras's 2-D padding: n, [h, w] (the same on both sides) or
// [[top, bottom], [left, right]].
func (d *decoder) padding(path string, raw any) ([2][2]int, error) {
	const want = "an integer, a list [height, width] or [[top, bottom], [left, right]]"
	if list, ok := raw.([]any); ok && len(list) == 2 {
		_, nested0 := list[0].([]any)
		_, nested1 := list[1].([]any)
		if nested0 || nested1 {
			var p [2][2]int
			for i, item := range list {
				side, ok := item.([]any)
				if !ok {
					return p, d.wrongType(indexPath(path, i), "a list [before, after]", item)
				}
				if len(side) != 2 {
					return p, d.bad(indexPath(path, i), "want a list [before, after], got a list of %d", len(side))
				}
				for j, v := range side {
					n, ok := asInt(v)
					if !ok {
						return p, d.wrongType(indexPath(indexPath(path, i), j), "an integer", v)
					}
					p[i][j] = int(n)
				}
			}
			return p, nil
		}
	}
	if list, ok := raw.([]any); ok && len(list) != 2 {
		return [2][2]int{}, d.bad(path, "want %s, got a list of %d", want, len(list))
	}
	if _, isList := raw.([]any); !isList {
		if _, isInt := asInt(raw); !isInt {
			return [2][2]int{}, d.wrongType(path, want, raw)
		}
	}
	p, err := d.pair(path, raw)
	return [2][2]int{{p[0], p[0]}, {p[1], p[1]}}, err
}

// fieldIndex returns the index of the field tagged key; the tables guarantee it exists.
func fieldIndex(t reflect.Type, key string) []int {
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("mapstructure") == key {
			return []int{i}
		}
	}
	panic(fmt.Sprintf("configs: %s has no field tagged %q", t, key)) // unreachable
}

// optimizer decodes an optimizer: a mapping with type, or just the type name.
func (d *decoder) optimizer(path string, raw any, o *Optimizer) error {
	if name, ok := raw.(string); ok {
		canon, known := canonical(name, OptimizerTypes())
		if !known {
			return d.err(path, unknownValue(name, OptimizerTypes()))
		}
		*o = mustOptimizer(canon)
		return nil
	}
	m, typ, err := d.typed(path, raw, "{type: Adam, learning_rate: 0.001}", OptimizerTypes())
	if err != nil {
		return err
	}
	*o = mustOptimizer(typ)
	if lr, ok := m["learning_rate"]; ok {
		if _, isNumber := asFloat(lr); !isNumber && lr != nil {
			s, err := d.schedule(join(path, "learning_rate"), lr)
			if err != nil {
				return err
			}
			o.Schedule, o.LearningRate = s, s.LearningRate(0)
			m = maps.Clone(m)
			delete(m, "learning_rate")
			if err := d.knownKeys(path, m, append([]string{"type", "learning_rate"}, optimizerArgs(typ)...), " for "+typ); err != nil {
				return err
			}
		}
	}
	return d.args(path, m, typ, optimizerArgs(typ), reflect.ValueOf(o).Elem())
}

// asFloat returns raw as a number if it is a YAML number.
func asFloat(raw any) (float64, bool) {
	switch f := raw.(type) {
	case float64:
		return f, true
	case float32:
		return float64(f), true
	}
	n, ok := asInt(raw)
	return float64(n), ok
}

// callback decodes a callback: a mapping with type and arguments, or just the type name
// (Keras's defaults).
func (d *decoder) callback(path string, raw any, cb *Callback) error {
	if name, ok := raw.(string); ok {
		c, err := NewCallback(name)
		if err != nil {
			return d.err(path, unknownValue(name, CallbackTypes()))
		}
		*cb = c
		return nil
	}
	m, typ, err := d.typed(path, raw, "{type: EarlyStopping, patience: 3}", CallbackTypes())
	if err != nil {
		return err
	}
	*cb, _ = NewCallback(typ)
	if f, ok := m["update_freq"]; ok && typ == CallbackTensorBoard {
		// Keras's update_freq is "epoch", "batch" or a number of batches.
		switch f {
		case "epoch":
			cb.UpdateFreq = UpdateFreqEpoch
		case "batch":
			cb.UpdateFreq = 1
		default:
			n, ok := asInt(f)
			if !ok || n < 1 {
				return d.bad(join(path, "update_freq"), "want \"epoch\", \"batch\" or a number of batches >= 1, got %v", f)
			}
			cb.UpdateFreq = int(n)
		}
		m = maps.Clone(m)
		delete(m, "update_freq")
		if err := d.knownKeys(path, m, append([]string{"type", "update_freq"}, callbackArgs(typ)...), " for "+typ); err != nil {
			return err
		}
		return d.args(path, m, typ, slices.DeleteFunc(callbackArgs(typ), func(a string) bool { return a == "update_freq" }), reflect.ValueOf(cb).Elem())
	}
	return d.args(path, m, typ, callbackArgs(typ), reflect.ValueOf(cb).Elem())
}

// args decodes the arguments of a typed mapping (all optional) into dst by tag.
func (d *decoder) args(path string, m map[string]any, typ string, args []string, dst reflect.Value) error {
	valid := append([]string{"type"}, args...)
	if err := d.knownKeys(path, m, valid, " for "+typ); err != nil {
		return err
	}
	for _, key := range args {
		if r, ok := m[key]; ok {
			if err := d.value(join(path, key), r, dst.FieldByIndex(fieldIndex(dst.Type(), key))); err != nil {
				return err
			}
		}
	}
	return nil
}

// typed reads a mapping with a type key naming one of valid (case-insensitively) and
// returns the mapping and the type in canonical spelling.
func (d *decoder) typed(path string, raw any, example string, valid []string) (map[string]any, string, error) {
	m, err := d.mapping(path, raw, " with type, e.g. "+example)
	if err != nil {
		return nil, "", err
	}
	rt, ok := m["type"]
	if !ok {
		return nil, "", d.missing(join(path, "type"), " (valid: "+strings.Join(valid, ", ")+")")
	}
	typ, ok := rt.(string)
	if !ok {
		return nil, "", d.wrongType(join(path, "type"), "a string", rt)
	}
	canon, ok := canonical(typ, valid)
	if !ok {
		return nil, "", d.err(join(path, "type"), unknownValue(typ, valid))
	}
	return m, canon, nil
}

// mapping returns raw as a mapping; what describes the mapping wanted.
func (d *decoder) mapping(path string, raw any, what string) (map[string]any, error) {
	switch m := raw.(type) {
	case map[string]any:
		return m, nil
	case map[any]any:
		out := make(map[string]any, len(m))
		for k, v := range m {
			out[strings.ToLower(fmt.Sprint(k))] = v
		}
		return out, nil
	}
	return nil, d.wrongType(path, "a mapping"+what, raw)
}

// knownKeys returns ErrUnknownKey for the first key of m (in sorted order) not in valid;
// where says where the valid keys apply (e.g. " for Dense").
func (d *decoder) knownKeys(path string, m map[string]any, valid []string, where string) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(valid, k) {
			msg := fmt.Sprintf("unknown key%s (valid: %s)", where, strings.Join(valid, ", "))
			return d.err(join(path, k), &kindError{kind: ErrUnknownKey, msg: msg})
		}
	}
	return nil
}

// wrongType returns ErrWrongType at path: wanted want, got raw.
func (d *decoder) wrongType(path, want string, raw any) error {
	return d.err(path, &kindError{kind: ErrWrongType, msg: fmt.Sprintf("want %s, got %s", want, describe(raw))})
}

// describe names a YAML value's type and shows the value.
func describe(raw any) string {
	switch v := raw.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("string %q", v)
	case bool:
		return fmt.Sprintf("bool %t", v)
	case float64, float32:
		return fmt.Sprintf("float %v", v)
	case []any:
		return fmt.Sprintf("a list of %d", len(v))
	case map[string]any, map[any]any:
		return "a mapping"
	case time.Time:
		return fmt.Sprintf("timestamp %s (quote it to make it a string)", v.Format(time.RFC3339))
	}
	if n, ok := asInt(raw); ok {
		return fmt.Sprintf("integer %d", n)
	}
	return fmt.Sprintf("%T", raw)
}

// asInt returns raw as an int64 if it is a YAML integer.
func asInt(raw any) (int64, bool) {
	switch n := raw.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint:
		return int64(n), n <= 1<<63-1
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		return int64(n), n <= 1<<63-1
	}
	return 0, false
}

// join returns the key path of key inside path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
