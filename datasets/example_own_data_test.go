package datasets_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tfrun/tfrun/datasets"
)

// Listing a folder of texts, one subfolder per class, and holding out a
// validation part as keras.utils.text_dataset_from_directory(directory,
// validation_split=0.25, subset="both", seed=42) does.
func ExampleTextDirectory() {
	dir, err := os.MkdirTemp("", "reviews")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	for _, f := range []struct{ name, text string }{
		{"neg/1.txt", "dull"}, {"neg/2.txt", "too long"}, {"neg/3.txt", "meh"}, {"neg/4.txt", "no"},
		{"pos/1.txt", "great"}, {"pos/2.txt", "loved it"}, {"pos/3.txt", "yes"}, {"pos/4.txt", "superb"},
	} {
		path := filepath.Join(dir, f.name)
		os.MkdirAll(filepath.Dir(path), 0o755)
		os.WriteFile(path, []byte(f.text), 0o644)
	}
	files, err := datasets.TextDirectory(dir, datasets.TextDirectoryOptions{
		DirectoryOptions: datasets.DirectoryOptions{Seed: 42, ValidationSplit: 0.25, Subset: datasets.SubsetBoth},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	texts, err := files.ValidationTexts()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(files)
	fmt.Println(files.ClassNames)
	fmt.Println(texts, files.Validation.Labels)
	// Output:
	// 8 files belonging to 2 classes (6 for training, 2 for validation)
	// [neg pos]
	// [no yes] [0 1]
}

// Reading a table and standardising its features with the statistics of the
// training rows, as keras.layers.Normalization adapted on them would.
func ExampleReadCSV() {
	dir, err := os.MkdirTemp("", "table")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "flowers.csv")
	os.WriteFile(path, []byte("length,width,species\n1,10,iris\n2,10,rose\n3,10,iris\n6,10,rose\n"), 0o644)
	table, err := datasets.ReadCSV(path, datasets.CSVOptions{Label: "species"})
	if err != nil {
		fmt.Println(err)
		return
	}
	mean, variance, err := datasets.AdaptNormalization(table.Features, table.NumRows, table.NumFeatures())
	if err != nil {
		fmt.Println(err)
		return
	}
	x, err := datasets.Normalize(table.Features, table.NumFeatures(), mean, variance)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(table.ClassNames, table.Labels, table.Binary())
	fmt.Println(mean, variance)
	fmt.Printf("%.3f\n", x)
	// Output:
	// [iris rose] [0 1 0 1] true
	// [3 10] [3.5 0]
	// [-1.069 0.000 -0.535 0.000 0.000 0.000 1.604 0.000]
}
