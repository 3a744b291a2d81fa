package datasets

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// CSVOptions say which columns of a CSV file are the features and which the
// label, for a classifier trained on a table ("bring your own data").
type CSVOptions struct {
	// Label names the target column. Required.
	Label string
	// FeatureColumns names the feature columns, in the order wanted. Empty
	// means every column but Label, in file order.
	FeatureColumns []string
	// ClassNames fixes the label values and their ids (id i is ClassNames[i]),
	// typically a training Table's ClassNames when reading its test file. A
	// label not listed is then an error. Empty means: infer them (see ReadCSV).
	ClassNames []string
	// Comma is the field separator; 0 means ','.
	Comma rune
	// Regression reads the label column as real-valued targets (Table.Targets) for a
	// regression loss, instead of class labels: every label must then be a finite
	// number, and ClassNames must be empty.
	Regression bool
	// Labels names several label columns instead of Label: several regression targets
	// (with Regression, each a finite number) or a multi-label classification (each 0 or
	// 1). Table.Targets then holds len(Labels) values per row.
	Labels []string
	// SampleWeight names a column of per-row weights (Keras's fit sample_weight), read
	// into Table.Weights: each a finite number >= 0. It is not a feature. Empty: none.
	SampleWeight string
}

// Table is a CSV file read for classification: NumRows examples of
// len(FeatureNames) float32 features each, and integer labels.
type Table struct {
	// Path is the file the table was read from.
	Path string
	// FeatureNames names the feature columns, in feature order.
	FeatureNames []string
	// Features holds NumRows × len(FeatureNames) values, row-major.
	Features []float32
	// Labels holds one class id per row, an index into ClassNames; nil for a
	// regression table.
	Labels []int32
	// Targets holds the label column's numbers, one per row, for a regression table
	// (CSVOptions.Regression); nil otherwise. With several label columns
	// (CSVOptions.Labels) it holds TargetWidth values per row, row-major.
	Targets []float32
	// TargetWidth is the number of label columns of Targets (0 or 1: one).
	TargetWidth int
	// Weights holds the CSVOptions.SampleWeight column, one weight per row; nil
	// without one.
	Weights []float32
	// LabelName names the label column.
	LabelName string
	// ClassNames maps ids to the label values as written (numbers in Go's
	// shortest form). Save it with the model to map predictions back, and
	// pass it as CSVOptions.ClassNames to read other files consistently.
	ClassNames []string
	// NumRows is the number of data rows.
	NumRows int
}

// NumFeatures returns the number of feature columns.
func (t *Table) NumFeatures() int { return len(t.FeatureNames) }

// Regression reports whether the labels are real-valued targets (Targets) rather than
// classes.
func (t *Table) Regression() bool { return t.Targets != nil }

// NumClasses returns the number of classes, len(ClassNames).
func (t *Table) NumClasses() int { return len(t.ClassNames) }

// Binary reports whether the task is binary classification (two classes: a
// sigmoid unit and binary_crossentropy) rather than multi-class (softmax and
// sparse_categorical_crossentropy).
func (t *Table) Binary() bool { return len(t.ClassNames) == 2 }

// Rows returns a table of the given rows, in the given order (for example the
// index lists of ValidationSplit after Shuffle). It shares nothing with t.
func (t *Table) Rows(idx []int) (*Table, error) {
	d := t.NumFeatures()
	out := &Table{
		Path:         t.Path,
		TargetWidth:  t.TargetWidth,
		FeatureNames: slices.Clone(t.FeatureNames),
		Features:     make([]float32, 0, len(idx)*d),
		LabelName:    t.LabelName,
		ClassNames:   slices.Clone(t.ClassNames),
		NumRows:      len(idx),
	}
	if t.Weights != nil {
		out.Weights = make([]float32, 0, len(idx))
	}
	if t.Targets != nil {
		out.Targets = make([]float32, 0, len(idx))
	} else {
		out.Labels = make([]int32, 0, len(idx))
	}
	for k, i := range idx {
		if i < 0 || i >= t.NumRows {
			return nil, newError("select table rows", t.Path, ErrInvalidArgument, "index %d (position %d) is outside 0..%d", i, k, t.NumRows-1)
		}
		out.Features = append(out.Features, t.Features[i*d:(i+1)*d]...)
		if t.Weights != nil {
			out.Weights = append(out.Weights, t.Weights[i])
		}
		if t.Targets != nil {
			m := max(t.TargetWidth, 1)
			out.Targets = append(out.Targets, t.Targets[i*m:(i+1)*m]...)
		} else {
			out.Labels = append(out.Labels, t.Labels[i])
		}
	}
	return out, nil
}

// ReadCSV reads a CSV file (RFC 4180, as encoding/csv; a leading UTF-8 BOM is
// ignored) whose first row names the columns.
//
// Every feature value must be a finite number (strconv.ParseFloat syntax,
// surrounding spaces allowed); empty cells, "NaN" and "Inf" are errors, not
// missing values. With o.Regression the label column holds real-valued targets
// (Table.Targets), each a finite number as the features are. Otherwise it holds
// class labels: if every label is a
// number, the classes are the distinct values in increasing numeric order,
// otherwise the distinct strings in byte order; the i-th class gets id i.
// So labels 0/1 keep their ids, 1/2 become 0/1, and "cat"/"dog" 0/1. With
// o.ClassNames the ids are fixed instead. A label column with a single value
// is an error: a classifier needs two classes.
//
// Errors are ErrFormat (or ErrInvalidArgument for a column the options name
// and the header lacks) and say where: the file, the 1-based line (the header
// is line 1), the column's number and name, and the value found.
func ReadCSV(path string, o CSVOptions) (*Table, error) {
	const op = "read CSV"
	f, err := os.Open(path)
	if err != nil {
		return nil, wrapIOError(op, path, err)
	}
	defer f.Close()
	t, err := parseCSV(f, o)
	if err != nil {
		return nil, wrapIOError(op, path, err)
	}
	t.Path = path
	return t, nil
}

// csvColumn is a header column: its 0-based index and name.
type csvColumn struct {
	index int
	name  string
}

func (c csvColumn) String() string { return fmt.Sprintf("column %d (%q)", c.index+1, c.name) }

// parseCSV reads a table from r; its errors wrap a sentinel and give the line
// but leave the file name to the caller.
func parseCSV(r io.Reader, o CSVOptions) (*Table, error) {
	if len(o.Labels) > 0 {
		return parseMultiLabelCSV(r, o)
	}
	if o.Label == "" {
		return nil, fmt.Errorf("%w: no label column named (CSVOptions.Label)", ErrInvalidArgument)
	}
	if err := checkClassNames(o.ClassNames); err != nil {
		return nil, err
	}
	if o.Regression && len(o.ClassNames) > 0 {
		return nil, fmt.Errorf("%w: class names given for a regression (real-valued) label column", ErrInvalidArgument)
	}
	br, err := skipBOM(r)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // checked here, to name the line and the counts
	if o.Comma != 0 {
		cr.Comma = o.Comma
	}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%w: empty file; want a header row naming the columns, then data rows", ErrFormat)
	}
	if err != nil {
		return nil, csvParseError(err)
	}
	header = slices.Clone(header)
	label, features, err := csvColumns(header, o)
	if err != nil {
		return nil, err
	}
	weight, err := weightColumn(header, o, label, features)
	if err != nil {
		return nil, err
	}
	t := &Table{LabelName: label.name}
	for _, c := range features {
		t.FeatureNames = append(t.FeatureNames, c.name)
	}
	var labels []string  // raw label per row, mapped to ids at the end
	var labelLines []int // the line of each label, for errors
	for {
		record, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvParseError(err)
		}
		line, _ := cr.FieldPos(0)
		if err := t.appendRow(cr, record, len(header), features, weight); err != nil {
			return nil, err
		}
		l := strings.TrimSpace(record[label.index])
		if l == "" {
			fl, _ := cr.FieldPos(label.index)
			return nil, fmt.Errorf("%w: line %d, label %v is empty", ErrFormat, fl, label)
		}
		labels = append(labels, l)
		labelLines = append(labelLines, line)
	}
	if len(labels) == 0 {
		return nil, fmt.Errorf("%w: a header but no data rows", ErrFormat)
	}
	t.NumRows = len(labels)
	if o.Regression {
		t.Targets = make([]float32, len(labels))
		for r, l := range labels {
			v, err := parseFeature(l)
			if err != nil {
				return nil, fmt.Errorf("%w: line %d, label %v: %w; a regression takes real-valued targets", ErrFormat, labelLines[r], label, err)
			}
			t.Targets[r] = v
		}
		return t, nil
	}
	if t.ClassNames, t.Labels, err = labelIDs(labels, labelLines, label, o.ClassNames); err != nil {
		return nil, err
	}
	return t, nil
}

// appendRow checks that record (the row cr read last) has width fields and appends its
// features and its sample weight (weight.name "" for none) to t.
func (t *Table) appendRow(cr *csv.Reader, record []string, width int, features []csvColumn, weight csvColumn) error {
	if len(record) != width {
		line, _ := cr.FieldPos(0)
		return fmt.Errorf("%w: line %d has %d fields, want %d like the header", ErrFormat, line, len(record), width)
	}
	for _, c := range features {
		v, err := parseFeature(record[c.index])
		if err != nil {
			fl, _ := cr.FieldPos(c.index)
			return fmt.Errorf("%w: line %d, %v: %w", ErrFormat, fl, c, err)
		}
		t.Features = append(t.Features, v)
	}
	if weight.name != "" {
		w, err := parseWeight(record[weight.index])
		if err != nil {
			fl, _ := cr.FieldPos(weight.index)
			return fmt.Errorf("%w: line %d, sample weight %v: %w", ErrFormat, fl, weight, err)
		}
		t.Weights = append(t.Weights, w)
	}
	return nil
}

// skipBOM drops a leading UTF-8 byte order mark.
func skipBOM(r io.Reader) (io.Reader, error) {
	head := make([]byte, 3)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("%w: %w", ErrIO, err)
	}
	head = head[:n]
	if bytes.Equal(head, []byte("\xef\xbb\xbf")) {
		head = nil
	}
	return io.MultiReader(bytes.NewReader(head), r), nil
}

// csvParseError turns an encoding/csv error into an ErrFormat error with the line.
func csvParseError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%w: line %d, column %d: %w", ErrFormat, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%w: %w", ErrIO, err)
}

// csvColumns finds the label and feature columns in the header.
func csvColumns(header []string, o CSVOptions) (label csvColumn, features []csvColumn, err error) {
	index := make(map[string]int, len(header))
	for i, name := range header {
		if j, dup := index[name]; dup {
			return label, nil, fmt.Errorf("%w: line 1: column %d repeats the name %q of column %d", ErrFormat, i+1, name, j+1)
		}
		index[name] = i
	}
	names := "columns: " + strings.Join(header, ", ")
	li, ok := index[o.Label]
	if !ok {
		return label, nil, fmt.Errorf("%w: no label column %q in the header (%s)", ErrInvalidArgument, o.Label, names)
	}
	label = csvColumn{li, o.Label}
	if len(o.FeatureColumns) == 0 {
		for i, name := range header {
			if i != li && name != o.SampleWeight {
				features = append(features, csvColumn{i, name})
			}
		}
	} else {
		seen := make(map[string]bool, len(o.FeatureColumns))
		for _, name := range o.FeatureColumns {
			i, ok := index[name]
			switch {
			case !ok:
				return label, nil, fmt.Errorf("%w: no feature column %q in the header (%s)", ErrInvalidArgument, name, names)
			case i == li:
				return label, nil, fmt.Errorf("%w: %q is the label column and cannot be a feature too", ErrInvalidArgument, name)
			case seen[name]:
				return label, nil, fmt.Errorf("%w: feature column %q is listed twice", ErrInvalidArgument, name)
			}
			seen[name] = true
			features = append(features, csvColumn{i, name})
		}
	}
	if len(features) == 0 {
		return label, nil, fmt.Errorf("%w: no feature columns besides the label %q (%s)", ErrFormat, o.Label, names)
	}
	return label, features, nil
}

// weightColumn finds the sample weight column (CSVOptions.SampleWeight) in the header;
// the zero column when none is named. It may be neither the label nor a feature.
func weightColumn(header []string, o CSVOptions, label csvColumn, features []csvColumn) (csvColumn, error) {
	if o.SampleWeight == "" {
		return csvColumn{}, nil
	}
	i := slices.Index(header, o.SampleWeight)
	switch {
	case i < 0:
		return csvColumn{}, fmt.Errorf("%w: no sample weight column %q in the header (columns: %s)", ErrInvalidArgument, o.SampleWeight, strings.Join(header, ", "))
	case i == label.index:
		return csvColumn{}, fmt.Errorf("%w: %q is the label column and cannot be the sample weights too", ErrInvalidArgument, o.SampleWeight)
	case slices.ContainsFunc(features, func(c csvColumn) bool { return c.index == i }):
		return csvColumn{}, fmt.Errorf("%w: %q is a feature column and cannot be the sample weights too", ErrInvalidArgument, o.SampleWeight)
	}
	return csvColumn{i, o.SampleWeight}, nil
}

// parseWeight parses one sample weight: a finite number >= 0 (Keras multiplies each
// example's loss by it; a negative weight would reward the loss it should penalize).
func parseWeight(s string) (float32, error) {
	w, err := parseFeature(s)
	if err != nil {
		return 0, err
	}
	if w < 0 {
		return 0, fmt.Errorf("%q is negative; weights must be >= 0", s)
	}
	return w, nil
}

// parseFeature parses one feature value as a finite float32.
func parseFeature(s string) (float32, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, errors.New("empty value, want a number (missing values are not supported)")
	}
	v, err := strconv.ParseFloat(t, 32)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("%q is out of float32 range", s)
		}
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a finite number", s)
	}
	return float32(v), nil
}

// checkClassNames rejects empty or repeated class names.
func checkClassNames(names []string) error {
	seen := make(map[string]bool, len(names))
	for i, n := range names {
		if strings.TrimSpace(n) == "" {
			return fmt.Errorf("%w: class_names[%d] is empty", ErrInvalidArgument, i)
		}
		if seen[n] {
			return fmt.Errorf("%w: class_names lists %q twice", ErrInvalidArgument, n)
		}
		seen[n] = true
	}
	if len(names) == 1 {
		return fmt.Errorf("%w: class_names lists 1 class; a classifier needs 2 or more", ErrInvalidArgument)
	}
	return nil
}

// labelIDs maps raw labels to class ids: through given if not empty, else
// through the sorted distinct values (numerically when all are numbers).
func labelIDs(labels []string, lines []int, col csvColumn, given []string) (classes []string, ids []int32, err error) {
	numeric := true
	for _, l := range labels {
		if _, err := parseLabelNumber(l); err != nil {
			numeric = false
			break
		}
	}
	canon := func(l string) string {
		if numeric {
			v, _ := parseLabelNumber(l)
			return strconv.FormatFloat(v, 'g', -1, 64)
		}
		return l
	}
	index := make(map[string]int32)
	if len(given) > 0 {
		classes = slices.Clone(given)
		for i, c := range given {
			index[c] = int32(i)
		}
	} else {
		distinct := make(map[string]float64)
		for _, l := range labels {
			c := canon(l)
			if _, ok := distinct[c]; !ok {
				v, _ := parseLabelNumber(l)
				distinct[c] = v
			}
		}
		for c := range distinct {
			classes = append(classes, c)
		}
		if numeric {
			slices.SortFunc(classes, func(a, b string) int {
				switch va, vb := distinct[a], distinct[b]; {
				case va < vb:
					return -1
				case va > vb:
					return 1
				}
				return 0
			})
		} else {
			slices.Sort(classes)
		}
		if len(classes) == 1 {
			return nil, nil, fmt.Errorf("%w: label %v has the single value %q in all %d rows; a classifier needs 2 or more classes",
				ErrFormat, col, classes[0], len(labels))
		}
		for i, c := range classes {
			index[c] = int32(i)
		}
	}
	ids = make([]int32, len(labels))
	for r, l := range labels {
		id, ok := index[l]
		if !ok {
			id, ok = index[canon(l)]
		}
		if !ok {
			return nil, nil, fmt.Errorf("%w: line %d, label %v: %q is not one of the classes (%s)",
				ErrFormat, lines[r], col, l, strings.Join(classes, ", "))
		}
		ids[r] = id
	}
	return classes, ids, nil
}

// parseLabelNumber parses a label as a finite number (-0 is 0).
func parseLabelNumber(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
		err = errors.New("not finite")
	}
	if v == 0 {
		v = 0 // drop the sign of -0
	}
	return v, err
}
