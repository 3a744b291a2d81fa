package layers

import (
	"fmt"

	"github.com/tfrun/tfrun/configs"
)

// Layer is one Keras layer: its type, name and arguments (a configs.Layer), or the error
// that making it met.
type Layer struct {
	cfg configs.Layer
	err error
}

// Option sets one of a layer's arguments.
type Option func(l *configs.Layer) error

// New returns a layer of the registered type typ (a Keras class name, matched
// case-insensitively: configs.LayerTypes) with Keras's defaults, then opts applied.
func New(typ string, opts ...Option) Layer {
	c, err := configs.NewLayer(typ)
	if err != nil {
		return Layer{cfg: configs.Layer{Type: typ}, err: fmt.Errorf("layer %s: %w", typ, err)}
	}
	for _, o := range opts {
		if err := o(&c); err != nil {
			return Layer{cfg: c, err: fmt.Errorf("layer %s: %w", c.Type, err)}
		}
	}
	if err := c.Validate(); err != nil {
		return Layer{cfg: c, err: fmt.Errorf("layer %s: %w", c.Type, err)}
	}
	return Layer{cfg: c}
}

// FromConfig returns the layer a config describes (a model.layers entry, possibly changed
// in Go), validated.
func FromConfig(c configs.Layer) Layer {
	c = c.Clone()
	if err := c.Validate(); err != nil {
		return Layer{cfg: c, err: fmt.Errorf("layer %s: %w", c.Type, err)}
	}
	return Layer{cfg: c}
}

// Err is the error making the layer met, nil if none.
func (l Layer) Err() error { return l.err }

// Config returns the layer as a config layer (a copy), with the error making it met.
func (l Layer) Config() (configs.Layer, error) { return l.cfg.Clone(), l.err }

// Type is the layer's Keras class name.
func (l Layer) Type() string { return l.cfg.Type }

// Arg sets argument key (Keras's name, as in YAML: "units", "kernel_size") to v: an int,
// a float64, a bool, a string, a [2]int or []int pair or list, or a Layer for a
// wrapper's layer (Bidirectional, TimeDistributed).
func Arg(key string, v any) Option {
	return func(l *configs.Layer) error {
		if inner, ok := v.(Layer); ok {
			if inner.err != nil {
				return fmt.Errorf("%s: %w", key, inner.err)
			}
			v = inner.cfg
		}
		return l.Set(key, v)
	}
}

// Name sets the layer's name (Keras's name=), which prefixes its weights' names. Default:
// Keras's (dense, dense_1, ...).
func Name(name string) Option {
	return func(l *configs.Layer) error { l.Name = name; return nil }
}

// Activation sets the activation argument (Keras's activation=, by name: "relu",
// "sigmoid", "softmax", ...).
func Activation(name string) Option { return Arg("activation", name) }
