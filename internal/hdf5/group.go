package hdf5

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// Object is a *Group or a *Dataset.
type Object interface {
	Path() string
	Attrs() ([]*Attribute, error)
	Attr(name string) (*Attribute, error)
}

// Group is an HDF5 group: named links to groups and datasets.
type Group struct{ object }

// link is one named entry of a group: a hard link to an object header, or a soft link.
type link struct {
	addr uint64
	soft string // target path of a soft link
	hard bool
}

// maxLinkDepth bounds soft-link chains; maxLinkSteps bounds the links one lookup follows
// (soft links to paths through soft links could otherwise multiply without end).
const (
	maxLinkDepth = 64
	maxLinkSteps = 4096
)

func fmtNotFound(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrNotFound}, args...)...)
}

// Children returns the names of the group's links, sorted by name (h5py's default order).
func (g *Group) Children() ([]string, error) {
	links, err := g.links()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(links))
	for n := range links {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// Child returns the group or dataset at path, relative to g ("vars/0") or absolute ("/a/b").
func (g *Group) Child(path string) (Object, error) {
	steps := 0
	return g.resolve(path, 0, &steps)
}

// Group returns the group at path, relative to g or absolute.
func (g *Group) Group(path string) (*Group, error) {
	o, err := g.Child(path)
	if err != nil {
		return nil, err
	}
	sub, ok := o.(*Group)
	if !ok {
		return nil, g.file.errAt(o.Path(), -1, fmt.Errorf("is a dataset, not a group"))
	}
	return sub, nil
}

// Dataset returns the dataset at path, relative to g or absolute.
func (g *Group) Dataset(path string) (*Dataset, error) {
	o, err := g.Child(path)
	if err != nil {
		return nil, err
	}
	ds, ok := o.(*Dataset)
	if !ok {
		return nil, g.file.errAt(o.Path(), -1, fmt.Errorf("is a group, not a dataset"))
	}
	return ds, nil
}

func (g *Group) resolve(path string, depth int, steps *int) (Object, error) {
	if depth > maxLinkDepth || *steps > maxLinkSteps {
		return nil, g.err(formatErr("soft links nested deeper than %d or more than %d steps", maxLinkDepth, maxLinkSteps))
	}
	cur := g
	if strings.HasPrefix(path, "/") {
		cur = g.file.Root()
	}
	parts := strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
	if len(parts) == 0 {
		return cur, nil
	}
	for i, name := range parts {
		*steps++
		if *steps > maxLinkSteps {
			return nil, g.err(formatErr("path %q takes more than %d link steps", path, maxLinkSteps))
		}
		links, err := cur.links()
		if err != nil {
			return nil, err
		}
		l, ok := links[name]
		if !ok {
			return nil, cur.err(fmtNotFound("no link %q", name))
		}
		var o Object
		if l.hard {
			o, err = g.file.object(joinPath(cur.path, name), l.addr)
		} else {
			o, err = cur.resolve(l.soft, depth+1, steps)
		}
		if err != nil {
			return nil, err
		}
		if i == len(parts)-1 {
			return o, nil
		}
		next, ok := o.(*Group)
		if !ok {
			return nil, g.file.errAt(o.Path(), -1, fmt.Errorf("is a dataset, not a group, in path %q", path))
		}
		cur = next
	}
	return cur, nil
}

func joinPath(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

// object reads the header at addr to tell a group from a dataset.
func (f *File) object(path string, addr uint64) (Object, error) {
	o := object{file: f, path: path, addr: addr}
	msgs, err := o.messages()
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		if m.typ == msgLayout {
			return o.dataset(msgs)
		}
	}
	for _, m := range msgs {
		if m.typ == msgSymbolTable || m.typ == msgLinkInfo || m.typ == msgLink {
			return &Group{o}, nil
		}
	}
	return nil, o.err(unsupported("object is neither a group nor a dataset (a committed datatype?)"))
}

// links reads the group's links from its symbol table, link messages or dense storage.
func (g *Group) links() (map[string]link, error) {
	if links, ok := g.file.links[g.addr]; ok {
		return links, nil
	}
	msgs, err := g.messages()
	if err != nil {
		return nil, err
	}
	links := map[string]link{}
	for _, m := range msgs {
		var err error
		switch m.typ {
		case msgSymbolTable:
			err = g.file.symbolTable(m.data, links)
		case msgLink:
			err = g.file.parseLink(m.data, links)
		case msgLinkInfo:
			err = g.file.denseLinks(m.data, links)
		}
		if err != nil {
			return nil, g.file.errAt(g.path, int64(m.addr+g.file.base), err)
		}
	}
	g.file.links[g.addr] = links
	return links, nil
}

// parseLink decodes a link message into links.
func (f *File) parseLink(b []byte, links map[string]link) error {
	d := &decoder{b: b}
	if v := d.u8(); v != 1 {
		return formatErr("link message version %d", v)
	}
	flags := d.u8()
	typ := uint8(0)
	if flags&0x08 != 0 {
		typ = d.u8()
	}
	if flags&0x04 != 0 {
		d.skip(8) // creation order
	}
	if flags&0x10 != 0 {
		d.skip(1) // name character set
	}
	n := d.uvar(1 << (flags & 3))
	if n > uint64(len(b)) {
		return formatErr("link name of %d bytes", n)
	}
	name := string(d.take(int(n)))
	var l link
	switch typ {
	case 0:
		l = link{addr: d.uvar(f.offsetSize), hard: true}
	case 1:
		l = link{soft: string(d.take(int(d.u16())))}
	case 64:
		return unsupported("external link %q", name)
	default:
		return unsupported("link type %d for %q", typ, name)
	}
	if d.err != nil {
		return d.err
	}
	if name == "" || strings.Contains(name, "/") {
		return formatErr("link name %q", name)
	}
	links[name] = l
	return nil
}

// symbolTable reads an old-style group: a version 1 B-tree of symbol table nodes whose
// names live in a local heap.
func (f *File) symbolTable(b []byte, links map[string]link) error {
	d := &decoder{b: b}
	btree, heapAddr := d.uvar(f.offsetSize), d.uvar(f.offsetSize)
	if d.err != nil {
		return d.err
	}
	heap, err := f.localHeap(heapAddr)
	if err != nil {
		return err
	}
	return f.walkBTree1(btree, 0, uint64(f.lengthSize), 0, map[uint64]bool{}, func(child uint64, _ []byte) error {
		return f.symbolNode(child, heap, links)
	})
}

func (f *File) localHeap(addr uint64) ([]byte, error) {
	b, err := f.read(addr, 8+2*uint64(f.lengthSize)+uint64(f.offsetSize))
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(b, []byte("HEAP")) {
		return nil, formatErr("local heap at %#x without HEAP signature", addr)
	}
	d := &decoder{b: b, off: 8}
	size := d.uvar(f.lengthSize)
	d.skip(f.lengthSize)
	data := d.uvar(f.offsetSize)
	if d.err != nil {
		return nil, d.err
	}
	return f.read(data, size)
}

func heapString(heap []byte, off uint64) (string, error) {
	if off >= uint64(len(heap)) {
		return "", formatErr("name offset %d beyond the local heap's %d bytes", off, len(heap))
	}
	s := heap[off:]
	i := bytes.IndexByte(s, 0)
	if i < 0 {
		return "", formatErr("unterminated name in the local heap")
	}
	return string(s[:i]), nil
}

func (f *File) symbolNode(addr uint64, heap []byte, links map[string]link) error {
	head, err := f.read(addr, 8)
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(head, []byte("SNOD")) {
		return formatErr("symbol table node at %#x without SNOD signature", addr)
	}
	n := uint64(head[6]) | uint64(head[7])<<8
	entry := 2*uint64(f.offsetSize) + 24
	b, err := f.read(addr+8, n*entry)
	if err != nil {
		return err
	}
	d := &decoder{b: b}
	for i := uint64(0); i < n; i++ {
		nameOff, obj := d.uvar(f.offsetSize), d.uvar(f.offsetSize)
		cache := d.u32()
		d.skip(4)
		scratch := d.take(16)
		if d.err != nil {
			return d.err
		}
		name, err := heapString(heap, nameOff)
		if err != nil {
			return err
		}
		if name == "" || strings.Contains(name, "/") {
			return formatErr("link name %q", name)
		}
		if cache == 2 {
			target, err := heapString(heap, uint64((&decoder{b: scratch}).u32()))
			if err != nil {
				return err
			}
			links[name] = link{soft: target}
			continue
		}
		links[name] = link{addr: obj, hard: true}
	}
	return nil
}

// maxTreeDepth bounds the B-tree levels this reader descends.
const maxTreeDepth = 32

// walkBTree1 visits the children of the leaves of the version 1 B-tree at addr, of node type
// typ (0 groups, 1 chunks) whose keys have keySize bytes. visit gets each child address and the key before it.
func (f *File) walkBTree1(addr uint64, typ uint8, keySize uint64, depth int, seen map[uint64]bool, visit func(child uint64, key []byte) error) error {
	if depth > maxTreeDepth || seen[addr] {
		return formatErr("B-tree at %#x: cycle or more than %d levels", addr, maxTreeDepth)
	}
	seen[addr] = true
	head, err := f.read(addr, 8+2*uint64(f.offsetSize))
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(head, []byte("TREE")) {
		return formatErr("B-tree node at %#x without TREE signature", addr)
	}
	if head[4] != typ {
		return formatErr("B-tree node at %#x of type %d, want %d", addr, head[4], typ)
	}
	level := head[5]
	entries := uint64(head[6]) | uint64(head[7])<<8
	body, err := f.read(addr+uint64(len(head)), entries*(keySize+uint64(f.offsetSize))+keySize)
	if err != nil {
		return err
	}
	d := &decoder{b: body}
	for i := uint64(0); i < entries; i++ {
		key := d.take(int(keySize))
		child := d.uvar(f.offsetSize)
		if d.err != nil {
			return d.err
		}
		if level > 0 {
			err = f.walkBTree1(child, typ, keySize, depth+1, seen, visit)
		} else {
			err = visit(child, key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
