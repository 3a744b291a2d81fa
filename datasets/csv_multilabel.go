package datasets

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
)

// parseMultiLabelCSV reads a table with several label columns (CSVOptions.Labels) into
// Table.Targets, TargetWidth values per row: real numbers for a regression
// (o.Regression), else multi-label targets, each 0 or 1. The features are o's
// FeatureColumns, or every column but the labels and the sample weights.
func parseMultiLabelCSV(r io.Reader, o CSVOptions) (*Table, error) {
	if len(o.ClassNames) > 0 {
		return nil, fmt.Errorf("%w: class names given with %d label columns (the columns are the classes)", ErrInvalidArgument, len(o.Labels))
	}
	br, err := skipBOM(r)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
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
	// The first label column stands for all of them in csvColumns; the others are kept
	// out of the default features here.
	first := o
	first.Label = o.Labels[0]
	if len(o.FeatureColumns) == 0 {
		for _, name := range header {
			if !slices.Contains(o.Labels, name) && name != o.SampleWeight {
				first.FeatureColumns = append(first.FeatureColumns, name)
			}
		}
	}
	_, features, err := csvColumns(header, first)
	if err != nil {
		return nil, err
	}
	labels := make([]csvColumn, len(o.Labels))
	for j, name := range o.Labels {
		i := slices.Index(header, name)
		switch {
		case i < 0:
			return nil, fmt.Errorf("%w: no label column %q in the header (columns: %s)", ErrInvalidArgument, name, strings.Join(header, ", "))
		case slices.Index(o.Labels, name) < j:
			return nil, fmt.Errorf("%w: label column %q is listed twice", ErrInvalidArgument, name)
		case slices.ContainsFunc(features, func(c csvColumn) bool { return c.index == i }):
			return nil, fmt.Errorf("%w: %q is a label column and cannot be a feature too", ErrInvalidArgument, name)
		}
		labels[j] = csvColumn{i, name}
	}
	weight, err := weightColumn(header, o, labels[0], features)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(labels, func(c csvColumn) bool { return c.index == weight.index && weight.name != "" }) {
		return nil, fmt.Errorf("%w: %q is a label column and cannot be the sample weights too", ErrInvalidArgument, o.SampleWeight)
	}
	t := &Table{LabelName: strings.Join(o.Labels, ","), TargetWidth: len(labels)}
	for _, c := range features {
		t.FeatureNames = append(t.FeatureNames, c.name)
	}
	for {
		record, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvParseError(err)
		}
		if err := t.appendRow(cr, record, len(header), features, weight); err != nil {
			return nil, err
		}
		for _, c := range labels {
			fl, _ := cr.FieldPos(c.index)
			v, err := parseFeature(record[c.index])
			switch {
			case err != nil && o.Regression:
				return nil, fmt.Errorf("%w: line %d, label %v: %w; a regression takes real-valued targets", ErrFormat, fl, c, err)
			case err != nil || (!o.Regression && v != 0 && v != 1):
				return nil, fmt.Errorf("%w: line %d, label %v: %q; a multi-label target is 0 or 1", ErrFormat, fl, c, strings.TrimSpace(record[c.index]))
			}
			t.Targets = append(t.Targets, v)
		}
		t.NumRows++
	}
	if t.NumRows == 0 {
		return nil, fmt.Errorf("%w: a header but no data rows", ErrFormat)
	}
	return t, nil
}
