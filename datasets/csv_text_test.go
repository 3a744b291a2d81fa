package datasets

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A CSV's text column is read row for row as ReadCSV reads the table, quoted commas and
// newlines included; a missing column, a short row or bytes that are not UTF-8 are
// refused naming the line.
func TestReadCSVText(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ok := write("ok.csv", "\ufeffprice,body,y\n1,\"Good, cheap\",a\n2,\"two\nlines\",b\n3,,a\n")
	got, err := ReadCSVText(ok, "body", 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Good, cheap", "two\nlines", ""}; !slices.Equal(got, want) {
		t.Errorf("texts %q, want %q", got, want)
	}
	for _, tt := range []struct {
		name, path, column string
		kind               error
		want               string
	}{
		{"no column", ok, "text", ErrInvalidArgument, `no column "text"`},
		{"short row", write("short.csv", "a,body\n1,x\n2\n"), "body", ErrFormat, "line 3: 1 fields"},
		{"not UTF-8", write("latin1.csv", "a,body\n1,caf\xe9\n"), "body", ErrFormat, "line 2, column 2 (\"body\"): not UTF-8"},
		{"empty", write("empty.csv", ""), "body", ErrFormat, "empty file"},
		{"missing file", filepath.Join(dir, "none.csv"), "body", ErrNotFound, "none.csv"},
	} {
		_, err := ReadCSVText(tt.path, tt.column, 0)
		if !errors.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %v containing %q", tt.name, err, tt.kind, tt.want)
		}
	}
}
