package configs

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"
)

// The layer specs' defaults are Keras's: each is compared with the config Keras 3.15.1
// reports for the layer made with only its required arguments (the golden cases of
// builders/testdata/keras_golden.json named after the layer's default name, recorded by
// builders/testdata/keras/make_golden.py).
func TestLayerDefaultsAreKeras(t *testing.T) {
	raw, err := os.ReadFile("../builders/testdata/keras_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Keras string
		Cases []struct {
			Name, Class string
			Config      map[string]any
		}
	}
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	if golden.Keras != "3.15.1" {
		t.Fatalf("golden file from Keras %s, want 3.15.1", golden.Keras)
	}
	checked := 0
	for _, kc := range golden.Cases {
		spec, ok := LookupLayer(kc.Class)
		if !ok || kc.Name != spec.DefaultName {
			continue // not a defaults case
		}
		t.Run(kc.Name, func(t *testing.T) {
			l, _ := NewLayer(spec.Type)
			for _, a := range spec.Args {
				if a.Required {
					if err := l.Set(a.Key, kerasValue(kc.Config[a.Key])); err != nil {
						t.Fatalf("%s: %v", a.Key, err)
					}
				}
			}
			args := l.Args()
			for _, a := range spec.Args {
				want, ok := kc.Config[a.Key]
				if a.Required || !ok {
					continue
				}
				checked++
				if a.Kind == KindRegularizer && want == nil {
					want = "None" // Keras's None: no regularizer
				}
				kv := kerasValue(want)
				if a.Kind == KindPadding { // Keras's ((top, bottom), (left, right)), folded to a pair when symmetric
					kv, _ = asPadding(kv)
				}
				if got, want := fmt.Sprint(args[a.Key]), fmt.Sprint(kv); got != want {
					t.Errorf("%s: %s, Keras %s", a.Key, got, want)
				}
			}
		})
	}
	if checked < 40 {
		t.Errorf("only %d defaults compared", checked)
	}
}

// kerasValue normalises a value of a Keras config: a 1-tuple is its entry, an
// initializer its snake-case name, a 2-list of numbers a [2]int, a whole number an int,
// and a symmetric ((top, bottom), (left, right)) padding or cropping the [2]int
// [top, left].
func kerasValue(v any) any {
	switch x := v.(type) {
	case []any:
		if len(x) == 1 {
			return kerasValue(x[0])
		}
		if len(x) == 2 {
			a, ok1 := kerasValue(x[0]).([2]int)
			b, ok2 := kerasValue(x[1]).([2]int)
			if ok1 && ok2 && a[0] == a[1] && b[0] == b[1] {
				return [2]int{a[0], b[0]}
			}
		}
		if len(x) == 2 {
			a, ok1 := x[0].(float64)
			b, ok2 := x[1].(float64)
			if ok1 && ok2 {
				return [2]int{int(a), int(b)}
			}
		}
	case map[string]any:
		if name, ok := x["class_name"].(string); ok {
			return kerasSnakeCase(name)
		}
	case float64:
		if x == float64(int(x)) {
			return int(x) // JSON's 4.0 is units 4; a float argument takes an int too
		}
	}
	return v
}

// The losses' defaults are Keras's: each loss class made without arguments, as
// builders/testdata/keras/make_losses_golden.py records it in keras_losses.json; and every
// Keras loss reduces with sum_over_batch_size, the one reduction tfrun implements.
func TestLossDefaultsAreKeras(t *testing.T) {
	golden := readKerasDefaults(t, "../builders/testdata/keras_losses.json")
	for _, name := range LossTypes() {
		spec := LookupLoss(name)
		kc, ok := golden.Defaults[spec.Class]
		if !ok {
			t.Errorf("%s: no Keras defaults for %s in keras_losses.json", name, spec.Class)
			continue
		}
		if kc["reduction"] != "sum_over_batch_size" {
			t.Errorf("%s: Keras's reduction %v", spec.Class, kc["reduction"])
		}
		l, err := NewLoss(spec.Class)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]any{"from_logits": l.FromLogits, "label_smoothing": l.LabelSmoothing, "delta": l.Delta,
			"apply_class_balancing": l.ApplyClassBalancing, "alpha": l.Alpha, "gamma": l.Gamma}
		for _, a := range spec.Args {
			want, ok := kc[a]
			if !ok {
				t.Errorf("%s: Keras has no argument %s", spec.Class, a)
				continue
			}
			if fmt.Sprint(got[a]) != fmt.Sprint(want) {
				t.Errorf("%s: %s = %v, Keras %v", spec.Class, a, got[a], want)
			}
		}
	}
}

// kerasDefaults is the part of a golden file that records Keras classes' defaults: the
// Keras version and, by class, its get_config() values.
type kerasDefaults struct {
	Keras    string
	Defaults map[string]map[string]any
}

// readKerasDefaults reads the defaults of a golden file written by a script in
// builders/testdata/keras or graphs/testdata/keras, which must come from Keras 3.15.1.
func readKerasDefaults(t *testing.T, path string) kerasDefaults {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var golden kerasDefaults
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	if golden.Keras != "3.15.1" {
		t.Fatalf("%s: golden file from Keras %s, want 3.15.1", path, golden.Keras)
	}
	return golden
}
