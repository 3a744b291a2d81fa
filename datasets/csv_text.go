package datasets

import (
	"encoding/csv"
	"io"
	"os"
	"slices"
	"unicode/utf8"
)

// ReadCSVText reads the text column named column of a CSV file whose first row names
// the columns (as ReadCSV reads it): one string per data row, in file order, so row i
// is ReadCSV's row i. Every value must be UTF-8. comma is the field separator; 0
// means ','. Errors are ErrFormat (ErrInvalidArgument for a column the header lacks)
// and name the file, the line and the column.
func ReadCSVText(path, column string, comma rune) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, wrapIOError("read csv text column", path, err)
	}
	defer f.Close()
	br, err := skipBOM(f)
	if err != nil {
		return nil, &Error{Op: "read csv text column", Path: path, Err: err}
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	if comma != 0 {
		cr.Comma = comma
	}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, newError("read csv text column", path, ErrFormat, "empty file; want a header row naming the columns, then data rows")
	}
	if err != nil {
		return nil, &Error{Op: "read csv text column", Path: path, Err: csvParseError(err)}
	}
	col := slices.Index(header, column)
	if col < 0 {
		return nil, newError("read csv text column", path, ErrInvalidArgument, "no column %q (columns: %v)", column, header)
	}
	var out []string
	for {
		record, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, &Error{Op: "read csv text column", Path: path, Err: csvParseError(err)}
		}
		line, _ := cr.FieldPos(0)
		if col >= len(record) {
			return nil, newError("read csv text column", path, ErrFormat, "line %d: %d fields, no column %d (%q)", line, len(record), col+1, column)
		}
		v := record[col]
		if !utf8.ValidString(v) {
			return nil, newError("read csv text column", path, ErrFormat, "line %d, column %d (%q): not UTF-8 text", line, col+1, column)
		}
		out = append(out, v)
	}
}
