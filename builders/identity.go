package builders

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/configs"
	"github.com/tfrun/tfrun/graphs"
)

func init() {
	registerConfig(configs.LayerIdentity, func(c *configs.Layer, name string, _ Layer) (Layer, error) {
		return NewIdentity(name), nil
	})
}

// Identity is Keras's Identity layer: its input, unchanged (a named placeholder in a
// model, e.g. a residual block's shortcut).
type Identity struct{ base }

// NewIdentity returns an Identity layer.
func NewIdentity(name string) *Identity { return &Identity{base: base{name: name}} }

func (i *Identity) Type() string { return "Identity" }

func (i *Identity) Build(s *graphs.Scope, in Shape) (Shape, error) {
	i.begin(s)
	return in, nil
}

// Call returns x through an Identity op (a tensor of its own, which a session can fetch
// while x is fed).
func (i *Identity) Call(x tf.Output, training bool) tf.Output {
	return op.Identity(i.scope.Op("Identity"), x)
}
