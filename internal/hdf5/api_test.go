package hdf5

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

func openOptions(t *testing.T) *File {
	t.Helper()
	data, err := os.ReadFile("testdata/options.h5")
	if err != nil {
		t.Fatal(err)
	}
	f, err := OpenReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestConversions(t *testing.T) {
	f := openOptions(t)
	root := f.Root()
	for _, tc := range []struct {
		path  string
		dtype string
		ints  []int64
	}{
		{"int32", "int32", []int64{-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6}},
		{"uint8", "uint8", []int64{250, 251, 252, 253, 254, 255}},
		{"int8", "int8", []int64{-128, -1, 0, 127}},
		{"uint32", "uint32", []int64{1, 4294967295}},
		{"bool", "bool", []int64{1, 0, 1}},
		{"int64", "int64", []int64{0, 1e10, 2e10, 3e10, 4e10, 5e10, 6e10, 7e10, 8e10, 9e10}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			ds, err := root.Dataset(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if got := ds.DType().String(); got != tc.dtype {
				t.Errorf("DType = %s, want %s", got, tc.dtype)
			}
			got, err := ds.Int64s()
			if err != nil || !slices.Equal(got, tc.ints) {
				t.Errorf("Int64s = %v, %v; want %v", got, err, tc.ints)
			}
			if ds.Len() != len(tc.ints) {
				t.Errorf("Len = %d, want %d", ds.Len(), len(tc.ints))
			}
			dst := make([]float32, len(tc.ints))
			if err := ds.ReadFloat32(dst); err != nil || dst[len(dst)-1] != float32(tc.ints[len(tc.ints)-1]) {
				t.Errorf("ReadFloat32 = %v, %v", dst, err)
			}
			if err := ds.ReadFloat32(make([]float32, len(tc.ints)+1)); err == nil {
				t.Error("ReadFloat32 into a slice of the wrong length: no error")
			}
		})
	}
	a, err := root.Attr("vlen_str")
	if err != nil {
		t.Fatal(err)
	}
	if s, err := a.String(); err != nil || s != "variable length ünïcode" {
		t.Errorf("vlen_str = %q, %v", s, err)
	}
	if _, err := a.Float64s(); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Float64s of a string: err = %v, want ErrUnsupported", err)
	}
	ds, _ := root.Dataset("contiguous_f32")
	if _, err := ds.Strings(); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Strings of floats: err = %v, want ErrUnsupported", err)
	}
	if _, err := ds.Int64s(); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Int64s of floats: err = %v, want ErrUnsupported", err)
	}
}

func TestLookupErrors(t *testing.T) {
	root := openOptions(t).Root()
	for _, tc := range []struct {
		name string
		get  func() error
		want string
		is   error
	}{
		{"missing dataset", func() error { _, err := root.Dataset("nested/nope"); return err }, `/nested: at offset`, ErrNotFound},
		{"missing attribute", func() error { _, err := root.Attr("nope"); return err }, `attribute "nope"`, ErrNotFound},
		{"group as dataset", func() error { _, err := root.Dataset("nested"); return err }, "/nested: is a group, not a dataset", nil},
		{"dataset as group", func() error { _, err := root.Group("int32"); return err }, "/int32: is a dataset, not a group", nil},
		{"through a dataset", func() error { _, err := root.Dataset("int32/x"); return err }, "is a dataset, not a group", nil},
		{"refused filter", func() error {
			ds, err := root.Dataset("lzf")
			if err != nil {
				return err
			}
			_, err = ds.Float32s()
			return err
		}, `/lzf: at offset`, ErrUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.get()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("err = %v, want errors.Is %v", err, tc.is)
			}
		})
	}
	// A soft link resolves to its target's path.
	ds, err := root.Dataset("soft/x")
	if err != nil || ds.Path() != "/nested/deeper/x" {
		t.Errorf("soft/x: %v, %v", ds, err)
	}
}

func TestNotHDF5(t *testing.T) {
	for _, data := range [][]byte{nil, []byte("PK\x03\x04 a zip, not HDF5"), make([]byte, 4096)} {
		if _, err := OpenReader(bytes.NewReader(data), int64(len(data))); !errors.Is(err, ErrFormat) {
			t.Errorf("%q: err = %v, want ErrFormat", data[:min(len(data), 8)], err)
		}
	}
	if _, err := Open("testdata/no-such.h5"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v", err)
	}
}
