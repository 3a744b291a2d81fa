package hdf5

import "sort"

// object is what a Group and a Dataset share: a path and an object header.
type object struct {
	file *File
	path string
	addr uint64
}

// Path returns the object's path from the root, such as /layers/dense/vars.
func (o *object) Path() string { return o.path }

func (o *object) err(err error) error {
	return o.file.errAt(o.path, int64(o.addr+o.file.base), err)
}

func (o *object) messages() ([]message, error) {
	msgs, err := o.file.readHeader(o.addr)
	if err != nil {
		return nil, o.err(err)
	}
	return msgs, nil
}

// Attribute is a named value attached to a group or dataset.
type Attribute struct {
	Name string
	values
}

// Attrs returns the object's attributes sorted by name.
func (o *object) Attrs() ([]*Attribute, error) {
	msgs, err := o.messages()
	if err != nil {
		return nil, err
	}
	var attrs []*Attribute
	for _, m := range msgs {
		switch m.typ {
		case msgAttribute:
			a, err := o.parseAttribute(m)
			if err != nil {
				return nil, o.file.errAt(o.path, int64(m.addr+o.file.base), err)
			}
			attrs = append(attrs, a)
		case msgAttrInfo:
			d := &decoder{b: m.data}
			d.skip(1)
			if d.u8()&1 != 0 {
				d.skip(2)
			}
			if heap := d.uvar(o.file.offsetSize); d.err == nil && heap != undefinedAddr {
				return nil, o.file.errAt(o.path, int64(m.addr+o.file.base), unsupported("dense attribute storage"))
			}
		}
	}
	sort.Slice(attrs, func(i, j int) bool { return attrs[i].Name < attrs[j].Name })
	return attrs, nil
}

// Attr returns the attribute called name, or an error wrapping ErrNotFound.
func (o *object) Attr(name string) (*Attribute, error) {
	attrs, err := o.Attrs()
	if err != nil {
		return nil, err
	}
	for _, a := range attrs {
		if a.Name == name {
			return a, nil
		}
	}
	return nil, o.err(fmtNotFound("attribute %q", name))
}

func (o *object) parseAttribute(m message) (*Attribute, error) {
	d := &decoder{b: m.data}
	version := d.u8()
	flags := d.u8()
	nameLen, typeLen, spaceLen := int(d.u16()), int(d.u16()), int(d.u16())
	pad := func(n int) int { return n }
	switch version {
	case 1:
		pad = func(n int) int { return (n + 7) &^ 7 }
	case 2:
	case 3:
		d.skip(1) // name character set
	default:
		return nil, formatErr("attribute message version %d", version)
	}
	if flags&0x03 != 0 {
		return nil, unsupported("attribute with a shared datatype or dataspace")
	}
	name := d.take(pad(nameLen))
	tb := d.take(pad(typeLen))
	sb := d.take(pad(spaceLen))
	if d.err != nil {
		return nil, d.err
	}
	if nameLen > 0 && name[nameLen-1] == 0 {
		nameLen--
	}
	a := &Attribute{Name: string(name[:nameLen])}
	dt, _, err := parseDatatype(tb, 0)
	if err != nil {
		return nil, err
	}
	space, err := o.file.parseDataspace(sb)
	if err != nil {
		return nil, err
	}
	data := m.data[d.off:]
	a.values = values{file: o.file, path: o.path + "@" + a.Name, at: m.addr, dtype: dt, space: space,
		raw: func() ([]byte, error) {
			n, err := space.count(uint64(len(data)))
			if err != nil {
				return nil, err
			}
			if n*uint64(dt.Size) > uint64(len(data)) {
				return nil, formatErr("attribute %q has %d bytes for %d elements", a.Name, len(data), n)
			}
			return data[:n*uint64(dt.Size)], nil
		}}
	return a, nil
}
