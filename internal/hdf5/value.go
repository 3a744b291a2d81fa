package hdf5

import (
	"encoding/binary"
	"math"
	"strings"
)

// values is what a Dataset and an Attribute share: a type, a shape and raw bytes.
type values struct {
	file  *File
	path  string // for errors: object path, or object path + "@" + attribute name
	at    uint64 // address of the describing header message, for errors
	dtype DType
	space dataspace
	raw   func() ([]byte, error) // the elements as stored, count*dtype.Size bytes
}

// Shape returns the dimensions; an empty shape is a scalar.
func (v *values) Shape() []int {
	s := make([]int, len(v.space.dims))
	for i, d := range v.space.dims {
		s[i] = int(d)
	}
	return s
}

// DType returns the element type as stored.
func (v *values) DType() DType { return v.dtype }

// Len returns the number of elements (1 for a scalar, 0 for a null dataspace).
func (v *values) Len() int {
	n, err := v.space.count(math.MaxInt)
	if err != nil {
		return 0
	}
	return int(n)
}

func (v *values) err(err error) error {
	return v.file.errAt(v.path, int64(v.at+v.file.base), err)
}

// bytes returns the stored elements after checking their size.
func (v *values) bytes() ([]byte, uint64, error) {
	n, err := v.space.count(v.file.maxDecoded() / uint64(v.dtype.Size))
	if err != nil {
		return nil, 0, v.err(err)
	}
	b, err := v.raw()
	if err != nil {
		return nil, 0, v.err(err)
	}
	if uint64(len(b)) != n*uint64(v.dtype.Size) {
		return nil, 0, v.err(formatErr("%d bytes of data for %d elements of %d bytes", len(b), n, v.dtype.Size))
	}
	return b, n, nil
}

// Float64s returns the elements as float64, converting integers and bools.
func (v *values) Float64s() ([]float64, error) {
	if !v.dtype.numeric() {
		return nil, v.err(unsupported("%s is not numeric", v.dtype))
	}
	b, n, err := v.bytes()
	if err != nil {
		return nil, err
	}
	out := make([]float64, n)
	var order binary.ByteOrder = binary.LittleEndian
	if v.dtype.BigEndian {
		order = binary.BigEndian
	}
	sz := v.dtype.Size
	for i := range out {
		e := b[i*sz : (i+1)*sz]
		switch {
		case v.dtype.Kind == Float && sz == 2:
			out[i] = float64(half(order.Uint16(e)))
		case v.dtype.Kind == Float && sz == 4:
			out[i] = float64(math.Float32frombits(order.Uint32(e)))
		case v.dtype.Kind == Float:
			out[i] = math.Float64frombits(order.Uint64(e))
		case v.dtype.Kind == Uint:
			out[i] = float64(unsigned(e, order))
		default: // Int, Bool
			out[i] = float64(signed(e, order))
		}
	}
	return out, nil
}

// Float32s returns the elements as float32, converting other numeric types.
func (v *values) Float32s() ([]float32, error) {
	if v.dtype.Kind == Float && v.dtype.Size == 4 {
		b, n, err := v.bytes()
		if err != nil {
			return nil, err
		}
		out := make([]float32, n)
		var order binary.ByteOrder = binary.LittleEndian
		if v.dtype.BigEndian {
			order = binary.BigEndian
		}
		for i := range out {
			out[i] = math.Float32frombits(order.Uint32(b[4*i:]))
		}
		return out, nil
	}
	f64, err := v.Float64s()
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(f64))
	for i, x := range f64 {
		out[i] = float32(x)
	}
	return out, nil
}

// Int64s returns integer or bool elements as int64 (uint64 values above MaxInt64 are an error).
func (v *values) Int64s() ([]int64, error) {
	if v.dtype.Kind != Int && v.dtype.Kind != Uint && v.dtype.Kind != Bool {
		return nil, v.err(unsupported("%s is not an integer type", v.dtype))
	}
	b, n, err := v.bytes()
	if err != nil {
		return nil, err
	}
	var order binary.ByteOrder = binary.LittleEndian
	if v.dtype.BigEndian {
		order = binary.BigEndian
	}
	out := make([]int64, n)
	sz := v.dtype.Size
	for i := range out {
		e := b[i*sz : (i+1)*sz]
		if v.dtype.Kind == Uint {
			u := unsigned(e, order)
			if u > math.MaxInt64 {
				return nil, v.err(formatErr("uint64 value %d overflows int64", u))
			}
			out[i] = int64(u)
		} else {
			out[i] = signed(e, order)
		}
	}
	return out, nil
}

// Strings returns string elements, fixed- or variable-length, with trailing NULs and
// (for fixed-length strings) space padding removed.
func (v *values) Strings() ([]string, error) {
	if v.dtype.Kind != String && v.dtype.Kind != VarString {
		return nil, v.err(unsupported("%s is not a string type", v.dtype))
	}
	b, n, err := v.bytes()
	if err != nil {
		return nil, err
	}
	out := make([]string, n)
	sz := v.dtype.Size
	for i := range out {
		e := b[i*sz : (i+1)*sz]
		if v.dtype.Kind == String {
			if j := strings.IndexByte(string(e), 0); j >= 0 {
				e = e[:j]
			}
			out[i] = string(e)
			continue
		}
		s, err := v.file.vlenString(e)
		if err != nil {
			return nil, v.err(err)
		}
		out[i] = s
	}
	return out, nil
}

// String returns the single string of a scalar or one-element string value.
func (v *values) String() (string, error) {
	s, err := v.Strings()
	if err != nil {
		return "", err
	}
	if len(s) != 1 {
		return "", v.err(formatErr("%d strings where one was expected", len(s)))
	}
	return s[0], nil
}

func unsigned(e []byte, order binary.ByteOrder) uint64 {
	switch len(e) {
	case 1:
		return uint64(e[0])
	case 2:
		return uint64(order.Uint16(e))
	case 4:
		return uint64(order.Uint32(e))
	}
	return order.Uint64(e)
}

func signed(e []byte, order binary.ByteOrder) int64 {
	switch len(e) {
	case 1:
		return int64(int8(e[0]))
	case 2:
		return int64(int16(order.Uint16(e)))
	case 4:
		return int64(int32(order.Uint32(e)))
	}
	return int64(order.Uint64(e))
}

// half converts an IEEE binary16 to float32.
func half(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp == 0:
		f := float32(frac) / (1 << 24)
		if sign != 0 {
			return -f
		}
		return f
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}
