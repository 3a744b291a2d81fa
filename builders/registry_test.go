package builders

import (
	"slices"
	"testing"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

// The names configs accepts for activations and initializers are the ones the layers
// build: a config that names one loads and builds.
func TestConfigNamesBuild(t *testing.T) {
	acts := slices.Clone(Activations)
	slices.Sort(acts)
	if got := configs.Activations(); !slices.Equal(got, acts) {
		t.Errorf("configs' activations %v, builders' %v", got, acts)
	}
	if got := configs.Initializers(); !slices.Equal(got, initializerNames()) {
		t.Errorf("configs' initializers %v, builders' %v", got, initializerNames())
	}
	for _, name := range configs.Initializers() {
		if _, err := graphs.InitializerByName(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Each builder makes a layer of its configs type, with the name it is given.
func TestFromConfigTypes(t *testing.T) {
	for _, typ := range ConfigTypes() {
		spec, _ := configs.LookupLayer(typ)
		c, _ := configs.NewLayer(typ)
		var wrapped Layer
		for _, a := range spec.Args {
			if !a.Required {
				continue
			}
			v := a.TestValues()[0]
			if a.Kind == configs.KindLayer {
				inner, _ := configs.NewLayer(v.(string))
				if err := inner.Set("units", 2); err != nil {
					t.Fatal(err)
				}
				var err error
				if wrapped, err = FromConfig(&inner, "inner", nil); err != nil {
					t.Fatal(err)
				}
				v = inner
			}
			if err := c.Set(a.Key, v); err != nil {
				t.Fatal(err)
			}
		}
		l, err := FromConfig(&c, "x", wrapped)
		if err != nil {
			t.Errorf("%s: %v", typ, err)
			continue
		}
		if l.Type() != typ || l.Name() != "x" {
			t.Errorf("%s: made %s named %q", typ, l.Type(), l.Name())
		}
	}
}
