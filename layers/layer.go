package layers

import (
	"fmt"

	"github.com/tfrun/tfrun/configs"
)

// Layer is one Keras layer: its type, name and arguments (a configs.Layer), or the error
// that making it met. Copies of a Layer are the same layer, as a Keras layer object: in a
// functional model, calling it again (On) shares its weights.
type Layer struct {
	*layer
}

type layer struct {
	cfg configs.Layer
	err error
}

// made returns the Layer of c and err.
func made(c configs.Layer, err error) Layer { return Layer{&layer{cfg: c, err: err}} }

// Option sets one of a layer's arguments.
type Option func(l *configs.Layer) error

// New returns a layer of the registered type typ (a Keras class name, matched
// case-insensitively: configs.LayerTypes) with Keras's defaults, then opts applied.
func New(typ string, opts ...Option) Layer {
	c, err := configs.NewLayer(typ)
	if err != nil {
		return made(configs.Layer{Type: typ}, fmt.Errorf("layer %s: %w", typ, err))
	}
	for _, o := range opts {
		if err := o(&c); err != nil {
			return made(c, fmt.Errorf("layer %s: %w", c.Type, err))
		}
	}
	if err := c.Validate(); err != nil {
		return made(c, fmt.Errorf("layer %s: %w", c.Type, err))
	}
	return made(c, nil)
}

// FromConfig returns the layer a config describes (a model.layers entry, possibly changed
// in Go), validated.
func FromConfig(c configs.Layer) Layer {
	c = c.Clone()
	if err := c.Validate(); err != nil {
		return made(c, fmt.Errorf("layer %s: %w", c.Type, err))
	}
	return made(c, nil)
}

// Err is the error making the layer met, nil if none.
func (l Layer) Err() error {
	if l.layer == nil {
		return errNoLayer
	}
	return l.err
}

// errNoLayer is the error of the zero Layer.
var errNoLayer = fmt.Errorf("layer: a zero Layer (make layers with New, Dense, ...)")

// Config returns the layer as a config layer (a copy), with the error making it met.
func (l Layer) Config() (configs.Layer, error) {
	if l.layer == nil {
		return configs.Layer{}, errNoLayer
	}
	return l.cfg.Clone(), l.err
}

// Type is the layer's Keras class name.
func (l Layer) Type() string {
	if l.layer == nil {
		return ""
	}
	return l.cfg.Type
}

// Arg sets argument key (Keras's name, as in YAML: "units", "kernel_size") to v: an int,
// a float64, a bool, a string, a [2]int or []int pair or list, or a Layer for a
// wrapper's layer (Bidirectional, TimeDistributed).
func Arg(key string, v any) Option {
	return func(l *configs.Layer) error {
		if inner, ok := v.(Layer); ok {
			c, err := inner.Config()
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			v = c
		}
		return l.Set(key, v)
	}
}

// Name sets the layer's name (Keras's name=), which prefixes its weights' names. Default:
// Keras's (dense, dense_1, ...).
func Name(name string) Option {
	return func(l *configs.Layer) error { l.Name = name; return nil }
}

// Trainable sets Keras's layer.trainable (default true). A frozen layer (false) is not
// trained: no gradient, no optimizer slots, its weights counted as non-trainable; a frozen
// BatchNormalization normalizes with its moving statistics and never updates them.
func Trainable(trainable bool) Option {
	return func(l *configs.Layer) error { l.Frozen = !trainable; return nil }
}

// Activation sets the activation argument (Keras's activation=, by name: "relu",
// "sigmoid", "softmax", ...).
func Activation(name string) Option { return Arg("activation", name) }
