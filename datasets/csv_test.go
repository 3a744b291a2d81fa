package datasets

import (
	"path/filepath"
	"slices"
	"testing"
)

func TestReadCSV(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		data     string
		o        CSVOptions
		features []string
		x        []float32
		labels   []int32
		classes  []string
		binary   bool
	}{
		{
			name:     "string labels, label in the middle",
			data:     "sepal,species,petal\n5.1,setosa,1.4\n 7.0 ,versicolor,4.7\n6.3,virginica,6.0\n4.9,setosa,1.4\n",
			o:        CSVOptions{Label: "species"},
			features: []string{"sepal", "petal"},
			x:        []float32{5.1, 1.4, 7.0, 4.7, 6.3, 6.0, 4.9, 1.4},
			labels:   []int32{0, 1, 2, 0},
			classes:  []string{"setosa", "versicolor", "virginica"},
		},
		{
			name:     "numeric labels sort as numbers",
			data:     "a,y\n1,10\n2,9\n3,10.0\n4,-0\n",
			o:        CSVOptions{Label: "y"},
			features: []string{"a"},
			x:        []float32{1, 2, 3, 4},
			labels:   []int32{2, 1, 2, 0},
			classes:  []string{"0", "9", "10"},
		},
		{
			name:     "binary 1/2 labels become 0/1, BOM and CRLF, quoted fields",
			data:     "\ufeffx1,x2,\"target\"\r\n1,\"2\",2\r\n3,4,1\r\n",
			o:        CSVOptions{Label: "target"},
			features: []string{"x1", "x2"},
			x:        []float32{1, 2, 3, 4},
			labels:   []int32{1, 0},
			classes:  []string{"1", "2"},
			binary:   true,
		},
		{
			name:     "chosen features in chosen order",
			data:     "a,b,c,label\n1,2,3,yes\n4,5,6,no\n",
			o:        CSVOptions{Label: "label", FeatureColumns: []string{"c", "a"}},
			features: []string{"c", "a"},
			x:        []float32{3, 1, 6, 4},
			labels:   []int32{1, 0},
			classes:  []string{"no", "yes"},
			binary:   true,
		},
		{
			name:     "given class names, one class present",
			data:     "f;label\n1e-3;b\n2;b\n",
			o:        CSVOptions{Label: "label", ClassNames: []string{"b", "a"}, Comma: ';'},
			features: []string{"f"},
			x:        []float32{0.001, 2},
			labels:   []int32{0, 0},
			classes:  []string{"b", "a"},
			binary:   true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, dir, "t.csv", []byte(tc.data))
			tab, err := ReadCSV(path, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(tab.FeatureNames, tc.features) || !slices.Equal(tab.Features, tc.x) {
				t.Errorf("features %v %v, want %v %v", tab.FeatureNames, tab.Features, tc.features, tc.x)
			}
			if !slices.Equal(tab.Labels, tc.labels) || !slices.Equal(tab.ClassNames, tc.classes) {
				t.Errorf("labels %v classes %q, want %v %q", tab.Labels, tab.ClassNames, tc.labels, tc.classes)
			}
			if tab.Binary() != tc.binary || tab.NumClasses() != len(tc.classes) || tab.NumRows != len(tc.labels) || tab.NumFeatures() != len(tc.features) {
				t.Errorf("binary %v, %d classes, %d rows, %d features", tab.Binary(), tab.NumClasses(), tab.NumRows, tab.NumFeatures())
			}
			if tab.Path != path || tab.LabelName != tc.o.Label {
				t.Errorf("path %q label %q", tab.Path, tab.LabelName)
			}
		})
	}
}

func TestTableRows(t *testing.T) {
	path := writeFile(t, t.TempDir(), "t.csv", []byte("a,b,y\n1,2,x\n3,4,y\n5,6,x\n"))
	tab, err := ReadCSV(path, CSVOptions{Label: "y"})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := tab.Rows([]int{2, 0})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sub.Features, []float32{5, 6, 1, 2}) || !slices.Equal(sub.Labels, []int32{0, 0}) || sub.NumRows != 2 {
		t.Errorf("rows [2 0]: %v %v", sub.Features, sub.Labels)
	}
	_, err = tab.Rows([]int{3})
	checkErr(t, err, ErrInvalidArgument, "index 3", path)
}

func TestReadCSVErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		data  string
		o     CSVOptions
		want  error
		frags []string
	}{
		{"empty file", "", CSVOptions{Label: "y"}, ErrFormat, []string{"empty file", "header row"}},
		{"only a BOM", "\ufeff", CSVOptions{Label: "y"}, ErrFormat, []string{"empty file"}},
		{"header only", "a,y\n", CSVOptions{Label: "y"}, ErrFormat, []string{"no data rows"}},
		{"no label option", "a,y\n1,2\n", CSVOptions{}, ErrInvalidArgument, []string{"no label column named"}},
		{"missing label column", "a,b\n1,2\n", CSVOptions{Label: "y"}, ErrInvalidArgument, []string{`no label column "y"`, "columns: a, b"}},
		{"unknown feature column", "a,y\n1,2\n", CSVOptions{Label: "y", FeatureColumns: []string{"a", "z"}}, ErrInvalidArgument, []string{`no feature column "z"`, "columns: a, y"}},
		{"label as feature", "a,y\n1,2\n", CSVOptions{Label: "y", FeatureColumns: []string{"y"}}, ErrInvalidArgument, []string{"label column"}},
		{"feature twice", "a,y\n1,2\n", CSVOptions{Label: "y", FeatureColumns: []string{"a", "a"}}, ErrInvalidArgument, []string{"twice"}},
		{"only a label column", "y\n1\n2\n", CSVOptions{Label: "y"}, ErrFormat, []string{"no feature columns"}},
		{"duplicate header", "a,a,y\n1,2,3\n", CSVOptions{Label: "y"}, ErrFormat, []string{"line 1", "column 2", `"a"`}},
		{"ragged row", "a,b,y\n1,2,x\n3,4\n5,6,x\n", CSVOptions{Label: "y"}, ErrFormat, []string{"line 3 has 2 fields, want 3"}},
		{"long row", "a,y\n1,x\n2,y,9\n", CSVOptions{Label: "y"}, ErrFormat, []string{"line 3 has 3 fields, want 2"}},
		{"non-numeric feature", "a,b,y\n1,2,x\n3,four,y\n", CSVOptions{Label: "y"}, ErrFormat, []string{"line 3", `column 2 ("b")`, `"four" is not a number`}},
		{"empty feature", "a,b,y\n1,,x\n", CSVOptions{Label: "y"}, ErrFormat, []string{"line 2", `column 2 ("b")`, "empty value"}},
		{"NaN feature", "a,y\n1,x\nNaN,y\n", CSVOptions{Label: "y"}, ErrFormat, []string{"line 3", "not a finite number"}},
		{"float32 overflow", "a,y\n1e39,x\n2,y\n", CSVOptions{Label: "y"}, ErrFormat, []string{"line 2", "out of float32 range"}},
		{"line after a multi-line field", "a,note,y\n1,\"two\nlines\",x\nbad,z,y\n", CSVOptions{Label: "y", FeatureColumns: []string{"a"}}, ErrFormat, []string{"line 4", `column 1 ("a")`}},
		{"empty label", "a,y\n1,x\n2, \n", CSVOptions{Label: "y"}, ErrFormat, []string{"line 3", "label", "empty"}},
		{"one label value", "a,y\n1,x\n2,x\n", CSVOptions{Label: "y"}, ErrFormat, []string{`column 2 ("y")`, `single value "x"`, "2 or more"}},
		{"unknown label with class names", "a,y\n1,x\n2,w\n", CSVOptions{Label: "y", ClassNames: []string{"x", "y"}}, ErrFormat, []string{"line 3", `"w" is not one of the classes (x, y)`}},
		{"one class name", "a,y\n1,x\n", CSVOptions{Label: "y", ClassNames: []string{"x"}}, ErrInvalidArgument, []string{"2 or more"}},
		{"bare quote", "a,y\n1,x\"y\n", CSVOptions{Label: "y"}, ErrFormat, []string{"line 2", "bare"}},
		{"regression label not a number", "a,y\n1,2.5\n2,high\n", CSVOptions{Label: "y", Regression: true}, ErrFormat,
			[]string{"line 3", `column 2 ("y")`, `"high" is not a number`, "real-valued targets"}},
		{"regression label infinite", "a,y\n1,2.5\n2,Inf\n", CSVOptions{Label: "y", Regression: true}, ErrFormat, []string{"line 3", "not a finite number"}},
		{"regression label empty", "a,y\n1,\n", CSVOptions{Label: "y", Regression: true}, ErrFormat, []string{"line 2", "empty"}},
		{"regression with class names", "a,y\n1,2\n", CSVOptions{Label: "y", Regression: true, ClassNames: []string{"x", "y"}}, ErrInvalidArgument, []string{"regression"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, dir, "bad.csv", []byte(tc.data))
			_, err := ReadCSV(path, tc.o)
			checkErr(t, err, tc.want, append(tc.frags, path)...)
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, err := ReadCSV(filepath.Join(dir, "none.csv"), CSVOptions{Label: "y"})
		checkErr(t, err, ErrNotFound, "none.csv")
	})
}

// A regression table keeps the label column's numbers as they are, even a single value,
// and Rows carries them along.
func TestReadCSVRegression(t *testing.T) {
	path := writeFile(t, t.TempDir(), "r.csv", []byte("age,bmi,target\n0.03,0.06,151\n-0.01,-0.05,75.5\n0.08,0.04,-2e2\n"))
	tab, err := ReadCSV(path, CSVOptions{Label: "target", Regression: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{151, 75.5, -200}; !slices.Equal(tab.Targets, want) || tab.Labels != nil || tab.ClassNames != nil || !tab.Regression() {
		t.Errorf("targets %v labels %v classes %v, want %v and no classes", tab.Targets, tab.Labels, tab.ClassNames, want)
	}
	rows, err := tab.Rows([]int{2, 0})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{-200, 151}; !slices.Equal(rows.Targets, want) || rows.Labels != nil || !slices.Equal(rows.Features, []float32{0.08, 0.04, 0.03, 0.06}) {
		t.Errorf("Rows: targets %v features %v, want %v", rows.Targets, rows.Features, want)
	}
	one, err := ReadCSV(writeFile(t, t.TempDir(), "one.csv", []byte("a,y\n1,3\n2,3\n")), CSVOptions{Label: "y", Regression: true})
	if err != nil || !slices.Equal(one.Targets, []float32{3, 3}) {
		t.Errorf("a constant target: %v, %v", one, err)
	}
}
