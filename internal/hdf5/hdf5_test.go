package hdf5

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
)

// expected mirrors testdata/expected.json, written by testdata/make_files.py with h5py.
type expected struct {
	H5py  string
	Files map[string]struct {
		Groups   []string
		Datasets map[string]struct {
			Shape   []int
			Dtype   string
			Layout  int
			Sum     float64
			AbsSum  float64 `json:"abs_sum"`
			Values  []float64
			Strings any
		}
		Attrs    map[string]any
		Children map[string][]string
	}
}

func loadExpected(t testing.TB) expected {
	b, err := os.ReadFile("testdata/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var e expected
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

// unsupportedPaths are objects of the golden files this reader refuses, with ErrUnsupported.
var unsupportedPaths = map[string]bool{
	"options.h5:/lzf":            true, // lzf filter
	"latest.h5:/unlimited":       true, // extensible array chunk index
	"latest.h5:/chunked_2d_gzip": true, // HDF5 2.0's data layout message version 5
}

// numpyDType spells t as NumPy's dtype.str, as expected.json records it.
func numpyDType(t DType) string {
	order := "<"
	if t.BigEndian {
		order = ">"
	}
	if t.Size == 1 {
		order = "|"
	}
	switch t.Kind {
	case Float:
		return fmt.Sprintf("%sf%d", order, t.Size)
	case Int:
		return fmt.Sprintf("%si%d", order, t.Size)
	case Uint:
		return fmt.Sprintf("%su%d", order, t.Size)
	case Bool:
		return "|b1"
	case String:
		return fmt.Sprintf("|S%d", t.Size)
	}
	return "vlen-str"
}

// walk visits every object under g, depth first, soft links included once.
func walk(t *testing.T, g *Group, visit func(Object)) {
	t.Helper()
	names, err := g.Children()
	if err != nil {
		t.Fatalf("%s: Children: %v", g.Path(), err)
	}
	for _, n := range names {
		o, err := g.Child(n)
		if err != nil {
			t.Errorf("%s: Child(%q): %v", g.Path(), n, err)
			continue
		}
		if o.Path() != joinPath(g.Path(), n) {
			continue // a soft link: its target is visited at its own path
		}
		visit(o)
		if sub, ok := o.(*Group); ok {
			walk(t, sub, visit)
		}
	}
}

func TestGoldenFiles(t *testing.T) {
	exp := loadExpected(t)
	for name, want := range exp.Files {
		t.Run(name, func(t *testing.T) {
			f, err := Open(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var groups []string
			datasets := map[string]bool{}
			attrs := map[string]any{}
			collectAttrs := func(o Object) {
				as, err := o.Attrs()
				if err != nil {
					t.Errorf("%s: Attrs: %v", o.Path(), err)
					return
				}
				for _, a := range as {
					key := o.Path() + "/" + a.Name
					if o.Path() == "/" {
						key = "/" + a.Name
					}
					attrs[key] = attrValue(t, a)
				}
			}
			collectAttrs(f.Root())
			walk(t, f.Root(), func(o Object) {
				collectAttrs(o)
				switch o := o.(type) {
				case *Group:
					groups = append(groups, o.Path())
				case *Dataset:
					datasets[o.Path()] = true
					checkDataset(t, name, o, want.Datasets[o.Path()])
				}
			})
			for p, want := range want.Children {
				g, err := f.Root().Group(p)
				if err != nil {
					t.Errorf("Group(%q): %v", p, err)
					continue
				}
				got, err := g.Children()
				if err != nil || !slices.Equal(got, want) {
					t.Errorf("%s: Children() = %d names (%v), want %d", p, len(got), err, len(want))
				}
			}
			sort.Strings(groups)
			wantGroups := slices.Clone(want.Groups)
			sort.Strings(wantGroups)
			if !slices.Equal(groups, wantGroups) {
				t.Errorf("groups = %v, want %v", groups, wantGroups)
			}
			for p := range want.Datasets {
				if !datasets[p] {
					t.Errorf("dataset %s not found", p)
				}
			}
			for k, v := range want.Attrs {
				got, _ := json.Marshal(attrs[k])
				wantJSON, _ := json.Marshal(v)
				if string(got) != string(wantJSON) {
					t.Errorf("attribute %s = %.200s, want %.200s", k, got, wantJSON)
				}
			}
			if len(attrs) != len(want.Attrs) {
				t.Errorf("%d attributes, want %d", len(attrs), len(want.Attrs))
			}
		})
	}
}

// attrValue returns an attribute as h5py's describe() records it: a string for a scalar
// string, else a list of strings or of float64.
func attrValue(t *testing.T, a *Attribute) any {
	t.Helper()
	if k := a.DType().Kind; k == String || k == VarString {
		s, err := a.Strings()
		if err != nil {
			t.Errorf("attribute %s: %v", a.Name, err)
			return nil
		}
		if len(a.Shape()) == 0 {
			return s[0]
		}
		return s
	}
	v, err := a.Float64s()
	if err != nil {
		t.Errorf("attribute %s: %v", a.Name, err)
	}
	return v
}

func checkDataset(t *testing.T, file string, ds *Dataset, want struct {
	Shape   []int
	Dtype   string
	Layout  int
	Sum     float64
	AbsSum  float64 `json:"abs_sum"`
	Values  []float64
	Strings any
}) {
	t.Helper()
	p := ds.Path()
	if !slices.Equal(ds.Shape(), want.Shape) {
		t.Errorf("%s: shape %v, want %v", p, ds.Shape(), want.Shape)
	}
	if got := numpyDType(ds.DType()); got != want.Dtype {
		t.Errorf("%s: dtype %s, want %s", p, got, want.Dtype)
	}
	if ds.Layout() != want.Layout {
		t.Errorf("%s: layout %d, want %d", p, ds.Layout(), want.Layout)
	}
	if unsupportedPaths[file+":"+p] {
		if _, err := ds.Float64s(); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: err = %v, want ErrUnsupported", p, err)
		}
		return
	}
	if want.Strings != nil {
		s, err := ds.Strings()
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return
		}
		got, _ := json.Marshal(s)
		wantJSON, _ := json.Marshal(want.Strings)
		if len(ds.Shape()) == 0 {
			got, _ = json.Marshal(s[0])
		}
		if string(got) != string(wantJSON) {
			t.Errorf("%s: strings %s, want %s", p, got, wantJSON)
		}
		return
	}
	v, err := ds.Float64s()
	if err != nil {
		t.Errorf("%s: %v", p, err)
		return
	}
	var sum, abs float64
	for _, x := range v {
		sum += x
		abs += math.Abs(x)
	}
	if tol := 1e-9 * (1 + want.AbsSum); math.Abs(sum-want.Sum) > tol || math.Abs(abs-want.AbsSum) > tol {
		t.Errorf("%s: sum %g abs %g, want %g %g", p, sum, abs, want.Sum, want.AbsSum)
	}
	if want.Values != nil && !slices.Equal(v, want.Values) {
		t.Errorf("%s: values %v, want %v", p, v, want.Values)
	}
	if ds.DType().Kind == Float {
		f32, err := ds.Float32s()
		if err != nil || len(f32) != len(v) {
			t.Errorf("%s: Float32s: %d values, %v", p, len(f32), err)
		}
	}
}
