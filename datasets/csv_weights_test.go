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
