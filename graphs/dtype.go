package graphs

import (
	"strings"

	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/core/framework/types_go_proto"
)

// DTypeName spells a dtype as NumPy and tf.train.list_variables users know it
// ("float32", "bfloat16", "int64", …).
func DTypeName(dt tf.DataType) string {
	switch dt {
	case tf.Float:
		return "float32"
	case tf.Double:
		return "float64"
	case tf.Half:
		return "float16"
	case tf.Bfloat16:
		return "bfloat16"
	case tf.Int32:
		return "int32"
	case tf.Int64:
		return "int64"
	case tf.Uint8:
		return "uint8"
	case tf.Bool:
		return "bool"
	case tf.String:
		return "string"
	}
	return strings.ToLower(strings.TrimPrefix(types_go_proto.DataType(dt).String(), "DT_"))
}

// IsFloat reports whether dt is a floating-point type (float16, bfloat16, float32, float64).
func IsFloat(dt tf.DataType) bool {
	switch dt {
	case tf.Float, tf.Double, tf.Half, tf.Bfloat16:
		return true
	}
	return false
}
