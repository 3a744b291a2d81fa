package graphs

import (
	"fmt"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"
)

// SetComputeDType sets what layers compute in, Keras's dtype policy in graph terms (the
// policy's names are the config's, configs.Precisions; builders.SetPrecision maps them):
// the graph's DType (the default: Keras's float32 policy), or bfloat16 on a float32 graph
// (Keras's mixed_bfloat16). Under bfloat16 the variables (and so the optimizer slots, the
// checkpoints, the losses and the inputs) stay float32, while layers compute in bfloat16:
// a scope made by Scope.WithDType(g.ComputeDType()) builds in bfloat16, and Scope.Read
// gives a layer a bfloat16 copy of a float32 variable, through a Cast whose gradient
// brings the update back in float32. Call it before building anything.
func (g *Graph) SetComputeDType(dt tf.DataType) error {
	switch {
	case dt == g.dtype:
	case dt == tf.Bfloat16 && g.dtype == tf.Float:
	case dt == tf.Bfloat16:
		return fmt.Errorf("graphs: computing in bfloat16 needs float32 variables, the graph's are %v", g.dtype)
	default:
		return fmt.Errorf("graphs: cannot compute in %v on a graph of %v (valid: its own type, or bfloat16 on float32)", dt, g.dtype)
	}
	g.compute = dt
	return nil
}

// ComputeDType is the floating-point type layers compute in: DType, or bfloat16 (see
// SetComputeDType).
func (g *Graph) ComputeDType() tf.DataType { return g.compute }

// Mixed reports whether layers compute in another type than the variables are kept in.
func (g *Graph) Mixed() bool { return g.compute != g.dtype }

// DType is the floating-point type the scope's ops compute in (Scalar, RandomUniform,
// RandomNormal use it): the graph's DType unless WithDType changed it for this scope and
// its children.
func (s *Scope) DType() tf.DataType { return s.dtype }

// WithDType returns the same scope (same names, same namespace) computing in dtype.
func (s *Scope) WithDType(dtype tf.DataType) *Scope {
	c := *s
	c.dtype = dtype
	return &c
}

// Read returns v's value in the scope's dtype: the variable's one read when the types
// agree, else a Cast of it (one per variable and type, shared by every caller), Keras's
// autocast of a variable inside a layer's call.
func (s *Scope) Read(v *Variable) tf.Output {
	if v.DType == s.dtype || !IsFloat(v.DType) || v.value.Op == nil {
		return v.value
	}
	if c, ok := v.casts[s.dtype]; ok {
		return c
	}
	c := op.Cast(v.scope.Op(fmt.Sprintf("Cast_%v", DTypeName(s.dtype))), v.value, s.dtype)
	if v.casts == nil {
		v.casts = map[tf.DataType]tf.Output{}
	}
	v.casts[s.dtype] = c
	return c
}

// CastTo returns x in dtype: x itself when it already is, or when it is not
// floating-point (token ids, labels), else a Cast.
func (s *Scope) CastTo(x tf.Output, dtype tf.DataType) tf.Output {
	if x.Op == nil || x.DataType() == dtype || !IsFloat(x.DataType()) {
		return x
	}
	return op.Cast(s.Op("Cast"), x, dtype)
}
