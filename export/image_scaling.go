package export

import (
	tf "github.com/wamuir/graft/tensorflow"
	"github.com/wamuir/graft/tensorflow/op"

	"github.com/tfrun/tfrun/graphs"
)

// ScaleToTanh emits datasets.ScaleToTanh in ops: pixels (uint8, or float32 in [0, 255])
// → float32 (x − 127.5) / 127.5 in [-1, 1], how tfrun scales images for training (the
// classifiers' and the GANs' data alike). The same float32 subtraction and division as
// the Go code, so a pixel scales to the same bits.
func ScaleToTanh(s *graphs.Scope, pixels tf.Output) tf.Output {
	ss := s.Sub("scale")
	x := pixels
	if x.DataType() != tf.Float {
		x = op.Cast(ss.Op("Cast"), x, tf.Float)
	}
	half := ss.Const(float32(127.5))
	return op.RealDiv(ss.Op("RealDiv"), op.Sub(ss.Op("Sub"), x, half), half)
}

// ScaleToUnit emits datasets.ScaleFloatsToUnit in ops: pixels (uint8, or float32 in
// [0, 255]) → float32 x / 255 in [0, 1], how an image_directory classifier's images are
// scaled by default (data.scale: unit). The same float32 division as the Go code.
func ScaleToUnit(s *graphs.Scope, pixels tf.Output) tf.Output {
	ss := s.Sub("scale")
	x := pixels
	if x.DataType() != tf.Float {
		x = op.Cast(ss.Op("Cast"), x, tf.Float)
	}
	return op.RealDiv(ss.Op("RealDiv"), x, ss.Const(float32(255)))
}

// TanhToBytes emits plots' conversion of generated images to pixels: v in [-1, 1] →
// uint8 round((v + 1) / 2 · 255), half away from zero, computed in float64 as the Go code
// does; values beyond the range are clamped and NaN becomes 0. So the images a SavedModel
// returns are the bytes of tfrun generate's PNGs.
func TanhToBytes(s *graphs.Scope, images tf.Output) tf.Output {
	ss := s.Sub("to_bytes")
	f := op.Cast(ss.Op("Cast"), images, tf.Double)
	f = op.Mul(ss.Op("Mul"), op.RealDiv(ss.Op("RealDiv"), op.AddV2(ss.Op("AddV2"), f, ss.Const(1.0)), ss.Const(2.0)), ss.Const(255.0))
	zero := op.ZerosLike(ss.Op("ZerosLike"), f)
	f = op.Select(ss.Op("Select"), op.IsNan(ss.Op("IsNan"), f), zero, f)
	f = op.ClipByValue(ss.Op("ClipByValue"), f, ss.Const(0.0), ss.Const(255.0))
	// math.Round for f >= 0: floor(f), plus one when the fraction is at least one half
	// (exact: f − floor(f) loses nothing for f < 2^52).
	fl := op.Floor(ss.Op("Floor"), f)
	up := op.Cast(ss.Op("Cast"), op.GreaterEqual(ss.Op("GreaterEqual"), op.Sub(ss.Op("Sub"), f, fl), ss.Const(0.5)), tf.Double)
	return op.Cast(ss.Op("Cast"), op.AddV2(ss.Op("AddV2"), fl, up), tf.Uint8)
}
