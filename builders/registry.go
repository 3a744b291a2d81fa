package builders

import (
	"fmt"
	"sort"

	"github.com/tfrun/tfrun/configs"
)

// A layer type that configs knows (configs.LayerSpec: its arguments, defaults, validation
// and shapes, without TensorFlow) is built here: each layer's file registers, beside the
// layer, how a config layer becomes it (registerConfig in init). FromConfig is the one
// way from a config to a layer; the assemble package's tests build every registered
// layer type with every argument value configs accepts, so a config that loads builds.

// configBuilder makes the layer c describes, named name; wrapped is the layer a wrapper's
// config nests (already made), nil for other layers.
type configBuilder func(c *configs.Layer, name string, wrapped Layer) (Layer, error)

// configBuilders holds the registered builders by configs layer type; only init
// functions write it.
var configBuilders = map[string]configBuilder{}

// registerConfig registers how a configs layer type is built. A type configs does not
// know, or one registered twice, is a programming error, caught at start-up.
func registerConfig(typ string, f configBuilder) {
	if _, ok := configs.LookupLayer(typ); !ok {
		panic("builders: registerConfig: configs has no layer type " + typ)
	}
	if _, dup := configBuilders[typ]; dup {
		panic("builders: registerConfig: " + typ + " registered twice")
	}
	configBuilders[typ] = f
}

// FromConfig returns the layer a config describes, named name (the caller gives Keras's
// default names; see assemble.Namer). For a wrapper (Bidirectional), wrapped is the layer
// made from c.Wrapped(), which the caller makes, and names, first, as Keras does; nil
// otherwise.
func FromConfig(c *configs.Layer, name string, wrapped Layer) (Layer, error) {
	f, ok := configBuilders[c.Type]
	if !ok {
		return nil, fmt.Errorf("layer type %s has no builder", c.Type)
	}
	if (c.Wrapped() != nil) != (wrapped != nil) {
		return nil, fmt.Errorf("%s: the wrapped layer is missing or unexpected", c.Type)
	}
	return f(c, name, wrapped)
}

// ConfigTypes returns the configs layer types FromConfig builds, sorted.
func ConfigTypes() []string {
	var types []string
	for t := range configBuilders {
		types = append(types, t)
	}
	sort.Strings(types)
	return types
}
