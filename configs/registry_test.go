package configs

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the layer reference in docs/guide/layers.md from the registry")

// Keras's default layer names (what keras.layers.X().name starts as), from Keras 3.
func TestDefaultNames(t *testing.T) {
	for typ, want := range map[string]string{
		"Dense": "dense", "LSTM": "lstm", "LeakyReLU": "leaky_re_lu", "Conv2DTranspose": "conv2d_transpose",
		"BatchNormalization": "batch_normalization", "GlobalMaxPooling1D": "global_max_pooling1d",
		"SimpleRNN": "simple_rnn", "GRU": "gru", "UpSampling2D": "up_sampling2d", "SpatialDropout1D": "spatial_dropout1d",
		"LayerNormalization": "layer_normalization", "MaxPooling2D": "max_pooling2d", "Bidirectional": "bidirectional",
		"Conv1D": "conv1d", "Embedding": "embedding",
	} {
		spec, ok := LookupLayer(typ)
		if !ok {
			t.Errorf("%s not registered", typ)
			continue
		}
		if spec.DefaultName != want {
			t.Errorf("%s: default name %q, want %q", typ, spec.DefaultName, want)
		}
	}
}

// exampleLayer returns a layer of spec's type with its defaults and every required argument
// set to its first test value (a nested layer: the first type it takes, likewise).
func exampleLayer(t *testing.T, spec *LayerSpec) Layer {
	t.Helper()
	l, err := NewLayer(spec.Type)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range spec.Args {
		if !a.Required {
			continue
		}
		v := a.TestValues()[0]
		if a.Kind == KindLayer {
			inner, _ := LookupLayer(v.(string))
			v = exampleLayer(t, inner)
		}
		if err := l.Set(a.Key, v); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// Every registered layer type is complete: its defaults and each test value of each
// argument pass Validate, its example input passes its shape rule, and a Join layer is the
// only one without an example.
func TestLayerSpecs(t *testing.T) {
	recurrent := []string{}
	for _, spec := range LayerSpecs() {
		if spec.Recurrent {
			recurrent = append(recurrent, spec.Type)
		}
		t.Run(spec.Type, func(t *testing.T) {
			if spec.Doc == "" || spec.Shapes == "" {
				t.Error("no Doc or Shapes")
			}
			base := exampleLayer(t, spec)
			if err := base.Validate(); err != nil {
				t.Fatalf("defaults: %v", err)
			}
			if spec.Merge { // several inputs: merge_test.go
				return
			}
			if _, err := base.OutputShape(spec.Example, spec.TakesIDs); err != nil {
				t.Errorf("example input %v: %v", spec.Example, err)
			}
			for _, a := range spec.Args {
				for _, v := range a.TestValues() {
					l := base.Clone()
					if a.Kind == KindLayer {
						inner, _ := LookupLayer(v.(string))
						v = exampleLayer(t, inner)
					}
					if err := l.Set(a.Key, v); err != nil {
						t.Fatal(err)
					}
					if err := l.Validate(); err != nil {
						t.Errorf("%s: %v: %v", a.Key, v, err)
					}
				}
			}
		})
	}
	if bi, _ := LookupLayer(LayerBidirectional); !slices.Equal(bi.Args[0].Layers, recurrent) {
		t.Errorf("Bidirectional wraps %v, the recurrent layers are %v", bi.Args[0].Layers, recurrent)
	}
}

// Set refuses what the argument's kind cannot hold; Validate then names the range.
func TestLayerSetAndValidate(t *testing.T) {
	l, _ := NewLayer("Dense")
	if err := l.Set("units", "many"); !errors.Is(err, ErrWrongType) {
		t.Errorf("Set(units, many) = %v, want ErrWrongType", err)
	}
	if err := l.Set("unitz", 3); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Set(unitz) = %v, want ErrUnknownKey", err)
	}
	if err := l.Validate(); !errors.Is(err, ErrMissingKey) || !strings.Contains(err.Error(), "units") {
		t.Errorf("Validate without units = %v, want ErrMissingKey naming units", err)
	}
	if err := l.Set("units", -2); err != nil {
		t.Fatal(err)
	}
	if err := l.Validate(); !errors.Is(err, ErrBadValue) || !strings.Contains(err.Error(), "units: must be > 0, got -2") {
		t.Errorf("Validate = %v, want units must be > 0", err)
	}
	b, _ := NewLayer("Bidirectional")
	if err := b.Set("layer", l); err != nil {
		t.Fatal(err)
	}
	if err := b.Validate(); err == nil || !strings.Contains(err.Error(), `layer.type: "Dense" cannot be wrapped here (valid: GRU, LSTM, SimpleRNN)`) {
		t.Errorf("Bidirectional(Dense) = %v", err)
	}
}

// The user guide's layer reference (docs/guide/layers.md, between the markers) is
// LayerReference's output; go test ./configs -run TestGuideLayerReference -update rewrites it.
func TestGuideLayerReference(t *testing.T) {
	const path = "../docs/guide/layers.md"
	const begin = "<!-- layer reference: generated from the registry by `go test ./configs -run TestGuideLayerReference -update` -->\n"
	const end = "<!-- end of layer reference -->"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the markers %q ... %q", path, begin, end)
	}
	got, want := text[i+len(begin):j], "\n"+LayerReference()+"\n"
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(text[:i+len(begin)]+want+text[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s: the layer reference differs from the registry's; run go test ./configs -run TestGuideLayerReference -update\n%s", path, firstDiff(got, want))
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n guide    %s\n registry %s", i+1, x, y)
		}
	}
	return ""
}
