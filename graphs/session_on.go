package graphs

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
)

// StartSessionOn is StartSession for a session whose target and ConfigProto come from
// elsewhere, such as a task of a TensorFlow cluster (distributed.Server.SessionOptions:
// the server's grpc:// target, the collective group leader, the device filters): a
// session for g with opts (nil: an in-process session), its variables initialised.
func StartSessionOn(g *Graph, opts *tf.SessionOptions) (*Session, error) {
	if err := g.Root().Err(); err != nil {
		return nil, err
	}
	o := tf.SessionOptions{}
	if opts != nil {
		o = *opts
	}
	raw, err := sessionConfig(g, o.Config)
	if err != nil {
		return nil, err
	}
	o.Config = raw
	opts = &o
	s, err := tf.NewSession(g.tfg, opts)
	if err != nil {
		return nil, fmt.Errorf("graphs: creating session on %q: %w", opts.Target, err)
	}
	sess := &Session{g: g, tf: s}
	if err := sess.InitVariables(); err != nil {
		sess.Close()
		return nil, err
	}
	return sess, nil
}
