package tfrun

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// ArgValue is one keyword argument of a loss, an optimizer or a callback: its Keras key,
// as in YAML ("learning_rate", "patience"), and its value.
type ArgValue struct {
	Key   string
	Value any
}

// Arg is the keyword argument key=v.
func Arg(key string, v any) ArgValue { return ArgValue{Key: key, Value: v} }

// setArgs sets the fields of *dst (a configs struct) tagged with the args' keys; valid
// lists the keys the type takes (nil: every tagged field but type; empty: none).
func setArgs(dst any, what string, valid []string, args []ArgValue) error {
	rv := reflect.ValueOf(dst).Elem()
	fields := map[string]reflect.Value{}
	for i := 0; i < rv.NumField(); i++ {
		tag := rv.Type().Field(i).Tag.Get("mapstructure")
		if tag == "" || tag == "-" || tag == "type" {
			continue
		}
		fields[tag] = rv.Field(i)
	}
	if valid == nil {
		for k := range fields {
			valid = append(valid, k)
		}
		sort.Strings(valid)
	}
	for _, a := range args {
		f, ok := fields[a.Key]
		if !ok || !contains(valid, a.Key) {
			if len(valid) == 0 {
				return fmt.Errorf("%s: unknown argument %q (it takes none)", what, a.Key)
			}
			return fmt.Errorf("%s: unknown argument %q (valid: %s)", what, a.Key, strings.Join(valid, ", "))
		}
		if err := setValue(f, a.Value); err != nil {
			return fmt.Errorf("%s: %s: %w", what, a.Key, err)
		}
	}
	return nil
}

// setValue sets f to v, converting ints to floats; a pointer field gets a pointer to it.
func setValue(f reflect.Value, v any) error {
	t := f.Type()
	ptr := t.Kind() == reflect.Pointer
	if ptr {
		t = t.Elem()
	}
	x := reflect.ValueOf(v)
	switch {
	case !x.IsValid():
		return fmt.Errorf("want %s, got nil", t)
	case x.Type() == t:
	case t.Kind() == reflect.Float64 && x.CanInt():
		x = reflect.ValueOf(float64(x.Int()))
	case t.Kind() == reflect.Float64 && x.Kind() == reflect.Float32:
		x = reflect.ValueOf(x.Float())
	case t.Kind() == reflect.Int && x.CanInt():
		x = reflect.ValueOf(int(x.Int()))
	default:
		return fmt.Errorf("want %s, got %T %v", t, v, v)
	}
	if ptr {
		p := reflect.New(t)
		p.Elem().Set(x)
		f.Set(p)
		return nil
	}
	f.Set(x)
	return nil
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
