package hdf5

import "fmt"

// Kind is the class of a DType.
type Kind int

// The kinds of DType this reader decodes.
const (
	Int       Kind = iota // signed integer
	Uint                  // unsigned integer
	Float                 // IEEE float
	Bool                  // h5py's bool: an enum FALSE=0, TRUE=1 over int8
	String                // fixed-length string
	VarString             // variable-length string, in the global heap
)

// DType is an element type as stored in the file.
type DType struct {
	Kind      Kind
	Size      int  // bytes per element in the file (for VarString, the size of its heap reference)
	BigEndian bool // byte order of numbers
}

// String names the type as NumPy does: float32, int64, uint8, bool, string, vlen-string.
func (t DType) String() string {
	switch t.Kind {
	case Int:
		return fmt.Sprintf("int%d", 8*t.Size)
	case Uint:
		return fmt.Sprintf("uint%d", 8*t.Size)
	case Float:
		return fmt.Sprintf("float%d", 8*t.Size)
	case Bool:
		return "bool"
	case String:
		return fmt.Sprintf("string%d", t.Size)
	case VarString:
		return "vlen-string"
	}
	return "unknown"
}

// numeric reports whether values of t convert to numbers.
func (t DType) numeric() bool { return t.Kind <= Bool }

var classNames = map[uint8]string{2: "time", 4: "bitfield", 5: "opaque", 6: "compound", 7: "reference", 10: "array", 11: "complex"}

// parseDatatype decodes a datatype message body; it returns the bytes it used.
func parseDatatype(b []byte, depth int) (DType, int, error) {
	if depth > 4 {
		return DType{}, 0, formatErr("datatype nested too deep")
	}
	d := &decoder{b: b}
	cv := d.u8()
	class, version := cv&0x0f, cv>>4
	bits := d.take(3)
	size := int(d.u32())
	if d.err != nil {
		return DType{}, 0, d.err
	}
	if size <= 0 || size > 1<<16 {
		return DType{}, 0, formatErr("datatype size %d", size)
	}
	t := DType{Size: size}
	switch class {
	case 0: // fixed-point
		t.BigEndian = bits[0]&1 != 0
		t.Kind = Uint
		if bits[0]&0x08 != 0 {
			t.Kind = Int
		}
		d.skip(4) // bit offset, precision
		if size != 1 && size != 2 && size != 4 && size != 8 {
			return DType{}, 0, unsupported("integer of %d bytes", size)
		}
	case 1: // floating point
		if bits[0]&0x40 != 0 {
			return DType{}, 0, unsupported("VAX float byte order")
		}
		t.BigEndian = bits[0]&1 != 0
		t.Kind = Float
		d.skip(12)
		if size != 2 && size != 4 && size != 8 {
			return DType{}, 0, unsupported("float of %d bytes", size)
		}
	case 3: // string
		t.Kind = String
	case 8: // enumeration: h5py's bool
		base, n, err := parseDatatype(b[d.off:], depth+1)
		if err != nil {
			return DType{}, 0, err
		}
		d.skip(n)
		members := int(bits[0]) | int(bits[1])<<8
		for i := 0; i < members && d.err == nil; i++ {
			start := d.off
			for d.err == nil && d.u8() != 0 {
			}
			if version < 3 {
				d.skip((8 - (d.off-start)%8) % 8)
			}
		}
		d.skip(members * base.Size)
		if base.Kind != Int && base.Kind != Uint {
			return DType{}, 0, unsupported("enumeration over %s", base)
		}
		t = base
		if members == 2 && base.Size == 1 {
			t.Kind = Bool
		}
	case 9: // variable-length
		if bits[0]&0x0f != 1 {
			return DType{}, 0, unsupported("variable-length sequence (only strings are read)")
		}
		_, n, err := parseDatatype(b[d.off:], depth+1)
		if err != nil {
			return DType{}, 0, err
		}
		d.skip(n)
		t.Kind = VarString
	default:
		name := classNames[class]
		if name == "" {
			return DType{}, 0, formatErr("datatype class %d", class)
		}
		return DType{}, 0, unsupported("%s datatype", name)
	}
	if d.err != nil {
		return DType{}, 0, d.err
	}
	return t, d.off, nil
}
