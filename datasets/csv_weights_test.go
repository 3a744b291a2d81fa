package datasets

import (
	"slices"
	"testing"
)

// A sample_weight column is read as the rows' weights, is not a feature, and follows
// the rows Rows selects.
func TestReadCSVSampleWeight(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "w.csv", []byte("a,w,y,b\n1,0.5,0,2\n3,2,1,4\n5,0,1,6\n"))
	tab, err := ReadCSV(path, CSVOptions{Label: "y", SampleWeight: "w"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b"}; !slices.Equal(tab.FeatureNames, want) {
		t.Errorf("features %v, want %v (the weight column is not one)", tab.FeatureNames, want)
	}
	if want := []float32{0.5, 2, 0}; !slices.Equal(tab.Weights, want) {
		t.Errorf("weights %v, want %v", tab.Weights, want)
	}
	sub, err := tab.Rows([]int{2, 0})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{0, 0.5}; !slices.Equal(sub.Weights, want) {
		t.Errorf("Rows(2, 0) weights %v, want %v", sub.Weights, want)
	}
	plain, err := ReadCSV(path, CSVOptions{Label: "y"})
	if err != nil {
		t.Fatal(err)
	}
	if plain.Weights != nil || len(plain.FeatureNames) != 3 {
		t.Errorf("without SampleWeight: weights %v, features %v", plain.Weights, plain.FeatureNames)
	}
}

// Every bad sample weight column is refused, naming the column and the line.
func TestReadCSVSampleWeightErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, data string
		o          CSVOptions
		want       error
		fragments  []string
	}{
		{"missing column", "a,y\n1,0\n2,1\n", CSVOptions{Label: "y", SampleWeight: "w"}, ErrInvalidArgument,
			[]string{`no sample weight column "w"`, "columns: a, y"}},
		{"non-numeric", "a,w,y\n1,1,0\n2,heavy,1\n", CSVOptions{Label: "y", SampleWeight: "w"}, ErrFormat,
			[]string{"line 3", `column 2 ("w")`, `"heavy" is not a number`}},
		{"negative", "a,w,y\n1,1,0\n2,-0.5,1\n", CSVOptions{Label: "y", SampleWeight: "w"}, ErrFormat,
			[]string{"line 3", `"-0.5" is negative`}},
		{"empty", "a,w,y\n1,,0\n2,1,1\n", CSVOptions{Label: "y", SampleWeight: "w"}, ErrFormat,
			[]string{"line 2", "empty value"}},
		{"infinite", "a,w,y\n1,inf,0\n2,1,1\n", CSVOptions{Label: "y", SampleWeight: "w"}, ErrFormat,
			[]string{"line 2", "not a finite number"}},
		{"the label", "a,y\n1,0\n2,1\n", CSVOptions{Label: "y", SampleWeight: "y"}, ErrInvalidArgument,
			[]string{`"y" is the label column`}},
		{"a feature", "a,w,y\n1,1,0\n2,1,1\n", CSVOptions{Label: "y", SampleWeight: "w", FeatureColumns: []string{"a", "w"}}, ErrInvalidArgument,
			[]string{`"w" is a feature column`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, dir, tc.name+".csv", []byte(tc.data))
			_, err := ReadCSV(path, tc.o)
			checkErr(t, err, tc.want, tc.fragments...)
		})
	}
}

// Several label columns are read row-major into Targets: real numbers for a regression,
// 0/1 for a multi-label table; the other columns are the features.
func TestReadCSVSeveralLabels(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "m.csv", []byte("a,cat,dog,w,b\n1,1,0,2,3\n4,0,0,1,5\n6,1,1,0.5,7\n"))
	tab, err := ReadCSV(path, CSVOptions{Labels: []string{"cat", "dog"}, SampleWeight: "w"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tab.FeatureNames, []string{"a", "b"}) || tab.TargetWidth != 2 || tab.NumRows != 3 {
		t.Errorf("features %v, width %d, rows %d; want [a b], 2, 3", tab.FeatureNames, tab.TargetWidth, tab.NumRows)
	}
	if want := []float32{1, 0, 0, 0, 1, 1}; !slices.Equal(tab.Targets, want) {
		t.Errorf("targets %v, want %v", tab.Targets, want)
	}
	sub, err := tab.Rows([]int{2, 0})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{1, 1, 1, 0}; !slices.Equal(sub.Targets, want) || !slices.Equal(sub.Weights, []float32{0.5, 2}) {
		t.Errorf("Rows(2, 0): targets %v weights %v", sub.Targets, sub.Weights)
	}
	reg, err := ReadCSV(writeFile(t, dir, "r.csv", []byte("x,y1,y2\n1,0.5,-3\n2,1.5,7.25\n")), CSVOptions{Labels: []string{"y1", "y2"}, Regression: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{0.5, -3, 1.5, 7.25}; !slices.Equal(reg.Targets, want) {
		t.Errorf("regression targets %v, want %v", reg.Targets, want)
	}
	for _, tc := range []struct {
		name, data string
		o          CSVOptions
		want       error
		fragments  []string
	}{
		{"not 0/1", "a,c,d\n1,0,1\n2,2,0\n", CSVOptions{Labels: []string{"c", "d"}}, ErrFormat, []string{"line 3", `"2"; a multi-label target is 0 or 1`}},
		{"not a number", "a,c,d\n1,0,1\n2,yes,0\n", CSVOptions{Labels: []string{"c", "d"}}, ErrFormat, []string{"line 3", `"yes"`}},
		{"regression not a number", "a,c,d\n1,0,x\n", CSVOptions{Labels: []string{"c", "d"}, Regression: true}, ErrFormat, []string{"line 2", "real-valued"}},
		{"missing column", "a,c\n1,0\n", CSVOptions{Labels: []string{"c", "d"}}, ErrInvalidArgument, []string{`no label column "d"`}},
		{"label is a feature", "a,c,d\n1,0,1\n", CSVOptions{Labels: []string{"c", "d"}, FeatureColumns: []string{"a", "d"}}, ErrInvalidArgument, []string{`"d" is a label column`}},
		{"class names", "a,c,d\n1,0,1\n", CSVOptions{Labels: []string{"c", "d"}, ClassNames: []string{"x", "y"}}, ErrInvalidArgument, []string{"the columns are the classes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadCSV(writeFile(t, dir, tc.name+".csv", []byte(tc.data)), tc.o)
			checkErr(t, err, tc.want, tc.fragments...)
		})
	}
}
